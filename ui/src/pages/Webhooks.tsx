import { useState } from 'react';
import type { FormEvent } from 'react';
import { formField } from '../api/client.ts';
import type { ApiError } from '../api/client.ts';
import type { Connection, DeadLetter, EventDelivery, EventSubscription, Page, WebhookDelivery, WebhookRegistration } from '../api/types.ts';
import { QUEUE_NAMES } from '../../../src/ports/job-queue.ts';
import { ErrorBanner, NeedTenant, Notice, SelectField, StatusBadge, TextField, asApiError, formatTime, useLoad } from '../components.tsx';
import { RowButton, useAction } from '../row-actions.tsx';
import { useSession } from '../session-context.tsx';
import { DataTable, LoadMore, usePaged } from '../table.tsx';
import type { Column } from '../table.tsx';

/**
 * Webhooks: the providers' webhooks coming in (registrations and their deliveries), the host
 * product's event subscriptions going out, and the jobs that failed for good (dead letters:
 * an admin key sees every tenant's, so that section needs no tenant).
 */
export function Webhooks() {
  const { tenantBase } = useSession();
  const base = tenantBase();
  return (
    <section aria-labelledby="webhooks-title">
      <h1 id="webhooks-title">Webhooks</h1>
      {base === null ? (
        <NeedTenant />
      ) : (
        <>
          <Incoming base={base} />
          <Outgoing base={base} />
        </>
      )}
      <DeadLetters />
    </section>
  );
}

/** Only an accepted delivery stored an event to process again; the server answers 409 for the others. */
const REPLAYABLE_OUTCOMES = new Set(['accepted']);

const DELIVERY_COLUMNS: Column<WebhookDelivery>[] = [
  { header: 'Received', cell: (delivery) => formatTime(delivery.receivedAt) },
  { header: 'Delivery id', cell: (delivery) => delivery.deliveryId ?? delivery.claimedDeliveryId ?? '—', className: 'mono' },
  { header: 'Signature', cell: (delivery) => <StatusBadge status={delivery.verified ? 'valid' : 'not_verified'} label={delivery.verified ? 'verified' : 'not verified'} /> },
  { header: 'Outcome', cell: (delivery) => <StatusBadge status={delivery.outcome === 'accepted' || delivery.outcome === 'duplicate' || delivery.outcome === 'handshake' ? 'ok' : delivery.outcome} label={delivery.outcome} /> },
  { header: 'Detail', cell: (delivery) => delivery.detail ?? '—' },
];

function Incoming({ base }: { base: string }) {
  const { api } = useSession();
  const list = usePaged((cursor) => api.get<Page<WebhookRegistration>>(`${base}/webhooks`, { limit: 50, cursor: cursor ?? undefined }), [api, base]);
  const connections = useLoad(() => api.get<Page<Connection>>(`${base}/connections`, { limit: 200 }), [api, base]);
  const [shown, setShown] = useState<string | null>(null);
  const { notice, setNotice, error, act } = useAction(list.reload);
  const connectionName = (id: string) => connections.data?.items.find((connection) => connection.id === id)?.name ?? id;

  const columns: Column<WebhookRegistration>[] = [
    {
      header: 'Provider',
      cell: (registration) => (
        <>
          {registration.provider} <span className="muted">({registration.scheme})</span>
          <div className="muted">{connectionName(registration.connectionId)}</div>
        </>
      ),
    },
    { header: 'URL', cell: (registration) => registration.url, className: 'mono' },
    { header: 'Events', cell: (registration) => (registration.events.length > 0 ? registration.events.join(', ') : 'all') },
    {
      header: 'Status',
      cell: (registration) => (
        <>
          <StatusBadge status={registration.status} />
          {registration.failureCount > 0 ? <div className="muted">{registration.failureCount} failures</div> : null}
        </>
      ),
    },
    { header: 'Expires', cell: (registration) => formatTime(registration.expiresAt) },
    {
      header: 'Actions',
      hideHeader: true,
      className: 'actions',
      cell: (registration) => (
        <>
          <RowButton
            label="Deliveries"
            name={`of ${registration.provider} webhook ${registration.id}`}
            kind="secondary"
            expanded={shown === registration.id}
            onClick={() => setShown(shown === registration.id ? null : registration.id)}
          />
          <RowButton
            label="Verify"
            name={registration.id}
            kind="secondary"
            onClick={() =>
              act(async () => {
                const result = await api.post<{ ok: boolean; checks: { name: string; ok: boolean; detail?: string }[] }>(`${base}/webhooks/${registration.id}/verify`);
                return `${result.ok ? 'Verified' : 'Verification failed'}: ${result.checks.map((check) => `${check.name} ${check.ok ? 'ok' : `failed${check.detail ? ` (${check.detail})` : ''}`}`).join('; ')}`;
              })
            }
          />
          <RowButton
            label="Unregister"
            name={registration.id}
            kind="danger"
            onClick={() =>
              act(async () => {
                await api.del(`${base}/webhooks/${registration.id}`);
                if (shown === registration.id) setShown(null);
                return `Webhook ${registration.id} unregistered.`;
              })
            }
          />
        </>
      ),
    },
  ];

  return (
    <section aria-labelledby="incoming-title">
      <h2 id="incoming-title">From providers</h2>
      {notice ? <Notice>{notice}</Notice> : null}
      <ErrorBanner error={error} />
      <DataTable caption="Webhook registrations" columns={columns} rows={list.items} rowKey={(registration) => registration.id} loading={list.loading} error={list.error} empty="No webhooks registered: changes arrive by scheduled pulls only." current={shown} />
      <LoadMore paged={list} />
      {shown !== null ? <Deliveries key={shown} base={base} id={shown} /> : null}
      <RegisterForm base={base} connections={connections.data?.items ?? []} onRegistered={(registration) => { setNotice(`Registered: give ${registration.url} to ${registration.provider}.${registration.manualSteps.length > 0 ? ` Steps: ${registration.manualSteps.join(' ')}` : ''}`); list.reload(); }} />
    </section>
  );
}

/** One registration's recent deliveries with their verification result (read when opened); an accepted one can be processed again. */
function Deliveries({ base, id }: { base: string; id: string }) {
  const { api } = useSession();
  const registration = useLoad(() => api.get<WebhookRegistration>(`${base}/webhooks/${id}`), [api, base, id]);
  const { notice, error, act } = useAction();
  const replay = (delivery: WebhookDelivery) =>
    act(async () => {
      const answer = await api.post<{ eventId: string; jobId: string; deduplicated: boolean }>(`${base}/webhooks/${id}/deliveries/${delivery.id}/replay`);
      return answer.deduplicated ? `Event ${answer.eventId} was still waiting to be processed: the replay joined it.` : `Event ${answer.eventId} queued again (job ${answer.jobId}).`;
    });
  const columns: Column<WebhookDelivery>[] = [
    ...DELIVERY_COLUMNS,
    {
      header: 'Replay',
      hideHeader: true,
      cell: (delivery) =>
        REPLAYABLE_OUTCOMES.has(delivery.outcome) ? <RowButton label="Replay" name={`delivery ${delivery.id}`} kind="secondary" onClick={() => replay(delivery)} /> : null,
    },
  ];
  return (
    <section className="panel" aria-labelledby="deliveries-title" aria-live="polite">
      <h3 id="deliveries-title">Recent deliveries</h3>
      {notice ? <Notice>{notice}</Notice> : null}
      <ErrorBanner error={error} />
      {registration.data?.manualSteps.length ? (
        <ol>
          {registration.data.manualSteps.map((step) => (
            <li key={step}>{step}</li>
          ))}
        </ol>
      ) : null}
      <DataTable
        caption="Recent deliveries"
        columns={columns}
        rows={registration.data ? (registration.data.recentDeliveries ?? []) : null}
        rowKey={(delivery) => delivery.id}
        loading={registration.loading}
        error={registration.error}
        empty="No delivery has arrived yet."
      />
      <button type="button" className="secondary" onClick={registration.reload}>
        Refresh
      </button>
    </section>
  );
}

function RegisterForm({ base, connections, onRegistered }: { base: string; connections: Connection[]; onRegistered(registration: WebhookRegistration): void }) {
  const { api } = useSession();
  const [connectionId, setConnectionId] = useState('');
  const [events, setEvents] = useState('');
  const [config, setConfig] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [configError, setConfigError] = useState<string | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setConfigError(null);
    let parsed: unknown;
    if (config.trim() !== '') {
      try {
        parsed = JSON.parse(config);
      } catch {
        setConfigError('Not valid JSON: an object such as {"repo": "owner/name"}.');
        return;
      }
    }
    const list = events.split(',').map((name) => name.trim()).filter(Boolean);
    try {
      const registration = await api.post<WebhookRegistration>(`${base}/webhooks`, { connectionId, ...(list.length > 0 ? { events: list } : {}), ...(parsed !== undefined ? { config: parsed } : {}) });
      onRegistered(registration);
    } catch (caught) {
      const failure = asApiError(caught);
      if (formField(failure.field)?.startsWith('config')) setConfigError(failure.message);
      else setError(failure);
    }
  };
  return (
    <form className="panel" onSubmit={submit} aria-labelledby="register-title">
      <h3 id="register-title">Register a webhook</h3>
      <ErrorBanner error={error} />
      <div className="row">
        <SelectField label="Connection" value={connectionId} required onChange={(event) => setConnectionId(event.target.value)}>
          <option value="">Choose…</option>
          {connections.map((connection) => (
            <option key={connection.id} value={connection.id}>
              {connection.name} ({connection.provider})
            </option>
          ))}
        </SelectField>
        <TextField label="Events" hint="Comma-separated; empty: the provider's defaults." value={events} onChange={(event) => setEvents(event.target.value)} />
        <TextField label="Configuration (JSON)" hint='GitHub {"repo": "owner/name"}, Slack {"signingSecret": "…"}…' value={config} error={configError} onChange={(event) => setConfig(event.target.value)} />
      </div>
      <button type="submit" disabled={connectionId === ''}>
        Register
      </button>
    </form>
  );
}

function Outgoing({ base }: { base: string }) {
  const { api } = useSession();
  const list = useLoad(() => api.get<{ items: EventSubscription[] }>(`${base}/event-subscriptions`), [api, base]);
  const [shown, setShown] = useState<string | null>(null);
  const [url, setUrl] = useState('');
  const { notice, setNotice, error: actionError, act } = useAction(list.reload);
  const [error, setError] = useState<ApiError | null>(null);
  const [urlError, setUrlError] = useState<string | null>(null);

  const create = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setUrlError(null);
    try {
      const created = await api.post<{ subscription: EventSubscription; secret: string }>(`${base}/event-subscriptions`, { url });
      setNotice(`Subscribed ${created.subscription.url}. Signing secret (shown once, store it now): ${created.secret}`);
      setUrl('');
      list.reload();
    } catch (caught) {
      const failure = asApiError(caught);
      if (formField(failure.field) === 'url') setUrlError(failure.message);
      else setError(failure);
    }
  };
  const remove = (subscription: EventSubscription) =>
    act(async () => {
      await api.del(`${base}/event-subscriptions/${subscription.id}`);
      if (shown === subscription.id) setShown(null);
      return `Subscription to ${subscription.url} deleted.`;
    });

  const columns: Column<EventSubscription>[] = [
    { header: 'Endpoint', cell: (subscription) => subscription.url, className: 'mono' },
    { header: 'Events', cell: (subscription) => (subscription.eventTypes.length > 0 ? subscription.eventTypes.join(', ') : 'all') },
    {
      header: 'Status',
      cell: (subscription) => (
        <>
          <StatusBadge status={subscription.status} />
          {subscription.failingSince ? <div className="muted">failing since {formatTime(subscription.failingSince)}</div> : null}
          {subscription.disabledReason ? <div className="muted">{subscription.disabledReason}</div> : null}
        </>
      ),
    },
    {
      header: 'Actions',
      hideHeader: true,
      className: 'actions',
      cell: (subscription) => (
        <>
          <RowButton
            label="Deliveries"
            name={`to ${subscription.url}`}
            kind="secondary"
            expanded={shown === subscription.id}
            onClick={() => setShown(shown === subscription.id ? null : subscription.id)}
          />
          <RowButton label="Delete" name={`subscription to ${subscription.url}`} kind="danger" onClick={() => remove(subscription)} />
        </>
      ),
    },
  ];

  return (
    <section aria-labelledby="outgoing-title">
      <h2 id="outgoing-title">To your product (event subscriptions)</h2>
      {notice ? <Notice>{notice}</Notice> : null}
      <ErrorBanner error={error ?? actionError} />
      <DataTable caption="Event subscriptions" columns={columns} rows={list.data?.items ?? null} rowKey={(subscription) => subscription.id} loading={list.loading} error={list.error} empty="No endpoint subscribed to Tributary's events." current={shown} />
      {shown !== null ? <EventDeliveries key={shown} base={base} id={shown} /> : null}
      <form className="panel" onSubmit={create} aria-labelledby="subscribe-title">
        <h3 id="subscribe-title">Subscribe an endpoint</h3>
        <TextField label="Endpoint URL" type="url" required value={url} error={urlError} onChange={(event) => setUrl(event.target.value)} placeholder="https://example.com/tributary-events" />
        <button type="submit">Subscribe</button>
      </form>
    </section>
  );
}

/** A subscription's deliveries with every attempt; a failed one can be sent again. */
function EventDeliveries({ base, id }: { base: string; id: string }) {
  const { api } = useSession();
  const deliveries = useLoad(() => api.get<{ items: EventDelivery[] }>(`${base}/event-subscriptions/${id}/deliveries`, { limit: 50 }), [api, base, id]);
  const { notice, error, act } = useAction(deliveries.reload);
  const replay = (delivery: EventDelivery) =>
    act(async () => {
      await api.post<EventDelivery>(`${base}/event-subscriptions/${id}/deliveries/${delivery.id}/replay`);
      return `Delivery ${delivery.id} sent again.`;
    });
  const columns: Column<EventDelivery>[] = [
    { header: 'Created', cell: (delivery) => formatTime(delivery.createdAt) },
    { header: 'Event', cell: (delivery) => delivery.eventType },
    { header: 'Status', cell: (delivery) => <StatusBadge status={delivery.status === 'delivered' ? 'ok' : delivery.status} label={delivery.status} /> },
    {
      header: 'Attempts',
      cell: (delivery) => (
        <ul className="plain">
          {delivery.attempts.map((attempt) => (
            <li key={attempt.at}>
              {formatTime(attempt.at)}: {attempt.status ?? 'no answer'} {attempt.error ?? ''}
            </li>
          ))}
        </ul>
      ),
    },
    {
      header: 'Replay',
      hideHeader: true,
      cell: (delivery) => <RowButton label="Replay" name={`delivery ${delivery.id}`} kind="secondary" onClick={() => replay(delivery)} />,
    },
  ];
  return (
    <section className="panel" aria-labelledby="event-deliveries-title">
      <h3 id="event-deliveries-title">Deliveries</h3>
      {notice ? <Notice>{notice}</Notice> : null}
      <ErrorBanner error={error} />
      <DataTable caption="Deliveries, newest first" columns={columns} rows={deliveries.data?.items ?? null} rowKey={(delivery) => delivery.id} loading={deliveries.loading} error={deliveries.error} empty="Nothing sent yet." />
    </section>
  );
}

/** Ids a dead letter's job named (integration, connection, registration, event...), as `name id` pairs. */
function subjectOf(letter: DeadLetter): string {
  const entries = Object.entries(letter.subject);
  return entries.length > 0 ? entries.map(([name, value]) => `${name} ${value}`).join(', ') : '—';
}

/** Jobs that failed for good, newest first per queue: replay one (a fresh job) or discard it. */
function DeadLetters() {
  const { api } = useSession();
  const [queue, setQueue] = useState('');
  const list = usePaged((cursor) => api.get<Page<DeadLetter>>('/v1/dead-letters', { limit: 50, queue: queue || undefined, cursor: cursor ?? undefined }), [api, queue]);
  const { notice, error, act } = useAction(list.reload);
  const replay = (letter: DeadLetter) =>
    act(async () => {
      const { jobId } = await api.post<{ jobId: string }>(`/v1/dead-letters/${letter.id}/replay`);
      return `Job put back on ${letter.queue} as ${jobId}.`;
    });
  const discard = (letter: DeadLetter) => {
    if (!window.confirm(`Discard the failed ${letter.queue} job ${letter.jobId}? It will not run again.`)) return;
    void act(async () => {
      await api.del(`/v1/dead-letters/${letter.id}`);
      return `Dead letter ${letter.id} discarded.`;
    });
  };

  const columns: Column<DeadLetter>[] = [
    { header: 'Failed', cell: (letter) => formatTime(letter.failedAt) },
    { header: 'Queue', cell: (letter) => letter.queue },
    { header: 'Subject', cell: (letter) => subjectOf(letter), className: 'mono' },
    {
      header: 'Error',
      cell: (letter) => (
        <>
          <span className="mono">{letter.errorCode}</span>: {letter.errorMessage}
          <div className="muted">{letter.category}</div>
        </>
      ),
    },
    { header: 'Attempts', cell: (letter) => String(letter.attempts) },
    {
      header: 'Actions',
      hideHeader: true,
      className: 'actions',
      cell: (letter) => (
        <>
          <RowButton label="Replay" name={`dead letter ${letter.id}`} kind="secondary" onClick={() => replay(letter)} />
          <RowButton label="Discard" name={`dead letter ${letter.id}`} kind="danger" onClick={() => discard(letter)} />
        </>
      ),
    },
  ];

  return (
    <section aria-labelledby="dead-letters-title">
      <h2 id="dead-letters-title">Dead letters</h2>
      <p className="muted">Jobs that failed after every retry. Replay puts one back on its queue as a fresh job; discard drops it.</p>
      {notice ? <Notice>{notice}</Notice> : null}
      <ErrorBanner error={error} />
      <SelectField label="Queue" value={queue} onChange={(event) => setQueue(event.target.value)}>
        <option value="">All queues</option>
        {QUEUE_NAMES.map((name) => (
          <option key={name} value={name}>
            {name}
          </option>
        ))}
      </SelectField>
      <DataTable caption="Dead letters" columns={columns} rows={list.items} rowKey={(letter) => letter.id} loading={list.loading} error={list.error} empty="No failed job: nothing to replay." />
      <LoadMore paged={list} />
    </section>
  );
}
