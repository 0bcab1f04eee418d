import { useState } from 'react';
import type { FormEvent } from 'react';
import type { ApiError } from '../api/client.ts';
import type { BulkOutcome, Conflict, ConflictField, FieldChoice, Page } from '../api/types.ts';
import { ErrorBanner, FocusHeading, NeedTenant, Notice, StatusBadge, asApiError, formatTime } from '../components.tsx';
import { BulkBar, QueueTable, StatusFilter, bulkSummary, detailColumn, useReviewQueue } from '../review-queue.tsx';
import { useSession } from '../session-context.tsx';
import { show } from '../table.tsx';
import type { Column } from '../table.tsx';

/** One field's choice in the form: a side, or a value typed by the person. */
export type Choice = { kind: 'local' } | { kind: 'remote' } | { kind: 'value'; text: string };

/**
 * A typed value as the API value: text stays text where the field holds text (either side
 * is a string or both are empty); otherwise JSON (`42`, `true`, `null`, `["a"]`) when it
 * parses, else text.
 */
export function parseEdited(text: string, field: Pick<ConflictField, 'local' | 'remote'>): unknown {
  const textual = typeof field.local === 'string' || typeof field.remote === 'string';
  if (textual) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** The body of `POST /v1/conflicts/:id`: every field's choice, as `resolution: "value"` requires. */
export function decisionBody(fields: readonly ConflictField[], choices: Readonly<Record<string, Choice>>): { resolution: 'value'; fields: Record<string, FieldChoice> } {
  const out: Record<string, FieldChoice> = {};
  for (const field of fields) {
    const choice = choices[field.field] ?? { kind: 'local' };
    out[field.field] = choice.kind === 'value' ? { value: parseEdited(choice.text, field) } : choice.kind;
  }
  return { resolution: 'value', fields: out };
}

const STATUSES = ['open', 'resolved', 'dismissed'] as const;

/** Conflicts: the review queue, side by side, decided one by one (per field) or in bulk. */
export function Conflicts() {
  const { api, tenantBase } = useSession();
  const base = tenantBase();
  const queue = useReviewQueue<Conflict, (typeof STATUSES)[number]>(
    'open',
    base === null ? null : (status, cursor) => api.get<Page<Conflict>>(`${base}/conflicts`, { status, limit: 25, cursor: cursor ?? undefined }),
    [api, base],
  );
  const { status, selected, shown, list } = queue;

  if (base === null) {
    return (
      <section>
        <h1>Conflicts</h1>
        <NeedTenant />
      </section>
    );
  }

  const bulk = (resolution: 'local' | 'remote' | 'dismiss') =>
    queue.run(async () => {
      const { results } = await api.post<{ results: BulkOutcome[] }>(`${base}/conflicts/resolve`, { ids: [...selected], resolution });
      return bulkSummary(results, 'conflicts', resolution === 'dismiss' ? 'dismissed' : 'resolved');
    });

  const columns: Column<Conflict>[] = [
    { header: 'Found', cell: (conflict) => formatTime(conflict.createdAt) },
    {
      header: 'Record',
      cell: (conflict) => (
        <>
          {conflict.provider ?? '—'} {conflict.object ?? ''}
          <div className="muted mono">{conflict.externalId ?? conflict.entityId ?? conflict.id}</div>
        </>
      ),
    },
    { header: 'Fields', cell: (conflict) => conflict.fields.map((field) => field.field).join(', ') },
    { header: 'Status', cell: (conflict) => <StatusBadge status={conflict.status === 'open' ? 'pending' : conflict.status === 'resolved' ? 'ok' : conflict.status} label={conflict.status} /> },
    detailColumn(queue, (conflict) => `conflict on ${conflict.externalId ?? conflict.id}`),
  ];

  const current = list.items?.find((conflict) => conflict.id === shown) ?? null;

  return (
    <section aria-labelledby="conflicts-title">
      <h1 id="conflicts-title">Conflicts</h1>
      <p className="muted">Fields changed both here and at the provider since they last agreed. Choose which value to keep, or type another.</p>
      {queue.notice ? <Notice>{queue.notice}</Notice> : null}
      <ErrorBanner error={queue.error} />
      <div className="row toolbar">
        <StatusFilter statuses={STATUSES} queue={queue} />
        {status === 'open' ? (
          <BulkBar
            label="Decide the selected conflicts"
            count={selected.size}
            actions={[
              { label: <>Keep Tributary&rsquo;s values</>, run: () => bulk('local') },
              { label: <>Keep provider&rsquo;s values</>, run: () => bulk('remote') },
              { label: 'Dismiss selected', secondary: true, run: () => bulk('dismiss') },
            ]}
          />
        ) : null}
      </div>
      <QueueTable queue={queue} caption="Conflicts" noun="conflict" empty="No open conflicts: every change has been reconciled." columns={columns} />
      {current ? <ConflictDetail key={current.id} base={base} conflict={current} onDecided={queue.decided} /> : null}
    </section>
  );
}

/** One conflict: base, Tributary's and the provider's values side by side; a choice per field. */
export function ConflictDetail({ base, conflict, onDecided }: { base: string; conflict: Conflict; onDecided(message: string): void }) {
  const { api } = useSession();
  const [choices, setChoices] = useState<Record<string, Choice>>(() =>
    Object.fromEntries(conflict.fields.map((field) => [field.field, field.decision === 'remote' ? { kind: 'remote' } : { kind: 'local' }])),
  );
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const open = conflict.status === 'open';

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setBusy(true);
    try {
      await api.post<Conflict>(`${base}/conflicts/${conflict.id}`, decisionBody(conflict.fields, choices));
      onDecided(`Conflict ${conflict.id} resolved.`);
    } catch (caught) {
      setError(asApiError(caught));
      setBusy(false);
    }
  };
  const dismiss = async () => {
    setError(null);
    try {
      await api.post<Conflict>(`${base}/conflicts/${conflict.id}/dismiss`);
      onDecided(`Conflict ${conflict.id} dismissed.`);
    } catch (caught) {
      setError(asApiError(caught));
    }
  };
  const choose = (field: string, choice: Choice) => setChoices((previous) => ({ ...previous, [field]: choice }));

  return (
    <form className="panel" aria-labelledby="conflict-title" onSubmit={submit}>
      <FocusHeading id="conflict-title">
        Conflict on {conflict.provider ?? ''} {conflict.object ?? ''} <span className="mono">{conflict.externalId ?? ''}</span>
      </FocusHeading>
      <p className="muted">
        Entity <span className="mono">{conflict.entityId ?? '—'}</span> · found {formatTime(conflict.createdAt)}
        {conflict.resolvedAt ? ` · closed ${formatTime(conflict.resolvedAt)}` : ''}
      </p>
      <ErrorBanner error={error} />
      <div className="table-wrap">
        <table className="compare">
          <caption className="sr-only">Values side by side</caption>
          <thead>
            <tr>
              <th scope="col">Field</th>
              <th scope="col">Last agreed</th>
              <th scope="col">Tributary</th>
              <th scope="col">Provider</th>
              <th scope="col">{open ? 'Keep' : 'Kept'}</th>
            </tr>
          </thead>
          <tbody>
            {conflict.fields.map((field) => {
              const choice = choices[field.field] ?? { kind: 'local' };
              const name = `choice-${conflict.id}-${field.field}`;
              return (
                <tr key={field.field}>
                  <th scope="row">
                    {field.field}
                    <div className="muted">{field.reason}</div>
                  </th>
                  <td className="mono">{show(field.base)}</td>
                  <td className={`mono${choice.kind === 'local' ? ' chosen' : ''}`}>{show(field.local)}</td>
                  <td className={`mono${choice.kind === 'remote' ? ' chosen' : ''}`}>{show(field.remote)}</td>
                  <td>
                    {open ? (
                      <fieldset className="choice">
                        <legend className="sr-only">Value to keep for {field.field}</legend>
                        <label>
                          <input type="radio" name={name} checked={choice.kind === 'local'} onChange={() => choose(field.field, { kind: 'local' })} /> Tributary
                        </label>
                        <label>
                          <input type="radio" name={name} checked={choice.kind === 'remote'} onChange={() => choose(field.field, { kind: 'remote' })} /> Provider
                        </label>
                        <label>
                          <input
                            type="radio"
                            name={name}
                            checked={choice.kind === 'value'}
                            onChange={() => choose(field.field, { kind: 'value', text: typeof field.local === 'string' ? field.local : JSON.stringify(field.local ?? null) })}
                          />{' '}
                          Other value
                        </label>
                        {choice.kind === 'value' ? (
                          <input
                            type="text"
                            aria-label={`New value for ${field.field}`}
                            value={choice.text}
                            onChange={(event) => choose(field.field, { kind: 'value', text: event.target.value })}
                          />
                        ) : null}
                      </fieldset>
                    ) : (
                      <span className="mono">
                        {field.decision} {field.value !== undefined ? `(${show(field.value)})` : ''}
                      </span>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {open ? (
        <div className="actions">
          <button type="submit" disabled={busy}>
            Resolve conflict
          </button>
          <button type="button" className="secondary" onClick={dismiss}>
            Dismiss
          </button>
        </div>
      ) : null}
    </form>
  );
}
