import { useState } from 'react';
import type { FormEvent } from 'react';
import { formField } from '../api/client.ts';
import type { ApiError } from '../api/client.ts';
import type { ChannelKind, Connection, NotificationChannel, NotificationRule, Page } from '../api/types.ts';
import { ErrorBanner, NeedTenant, Notice, SelectField, StatusBadge, TextField, asApiError, formatTime, useLoad } from '../components.tsx';
import { RowButton, useAction } from '../row-actions.tsx';
import { useSession } from '../session-context.tsx';
import { DataTable } from '../table.tsx';
import type { Column } from '../table.tsx';
// The event types and severities are plain constants of the notifications module (no I/O, no
// imports); reading them here keeps one list. No API route lists them.
import { NOTIFICATION_EVENT_TYPES, SEVERITIES } from '../../../src/notifications/events.ts';

const KINDS: { value: ChannelKind; label: string }[] = [
  { value: 'slack_webhook', label: 'Slack incoming webhook' },
  { value: 'slack_app', label: 'Slack app (through a Slack connection)' },
  { value: 'teams_workflow', label: 'Microsoft Teams workflow webhook' },
];

/** Notifications: where alerts go (channels) and which alerts go there (rules); send a test. */
export function Notifications() {
  const { tenantBase } = useSession();
  const base = tenantBase();
  return (
    <section aria-labelledby="notifications-title">
      <h1 id="notifications-title">Notifications</h1>
      {base === null ? <NeedTenant /> : <Body base={base} />}
    </section>
  );
}

function Body({ base }: { base: string }) {
  const { api } = useSession();
  const channels = useLoad(() => api.get<{ items: NotificationChannel[] }>(`${base}/notification-channels`), [api, base]);
  const rules = useLoad(() => api.get<{ items: NotificationRule[] }>(`${base}/notification-rules`), [api, base]);
  const connections = useLoad(() => api.get<Page<Connection>>(`${base}/connections`, { limit: 200 }), [api, base]);
  const [editingChannel, setEditingChannel] = useState<NotificationChannel | null>(null);
  const [editingRule, setEditingRule] = useState<NotificationRule | null>(null);
  const { notice, setNotice, error, act } = useAction(() => {
    channels.reload();
    rules.reload();
  });
  const channelName = (id: string) => channels.data?.items.find((channel) => channel.id === id)?.name ?? id;

  const channelColumns: Column<NotificationChannel>[] = [
    { header: 'Name', cell: (channel) => channel.name },
    { header: 'Kind', cell: (channel) => KINDS.find((kind) => kind.value === channel.kind)?.label ?? channel.kind },
    { header: 'Target', cell: (channel) => channel.target ?? channel.slackChannel ?? '—', className: 'mono' },
    {
      header: 'Health',
      cell: (channel) => (
        <>
          <StatusBadge status={channel.status} />
          {channel.lastError ? <div className="muted">{channel.lastError}</div> : null}
          <div className="muted">last delivered {formatTime(channel.lastSuccessAt)}</div>
        </>
      ),
    },
    {
      header: 'Actions',
      hideHeader: true,
      className: 'actions',
      cell: (channel) => (
        <>
          <RowButton
            label="Send test"
            name={`to ${channel.name}`}
            onClick={() =>
              act(async () => {
                const result = await api.post<{ delivered: boolean; error: string | null }>(`${base}/notification-channels/${channel.id}/test`);
                return result.delivered ? `Test message delivered to ${channel.name}.` : `Test message to ${channel.name} failed: ${result.error ?? 'unknown error'}`;
              })
            }
          />
          <RowButton label="Edit" name={channel.name} kind="secondary" onClick={() => setEditingChannel(channel)} />
          <RowButton
            label={channel.status === 'disabled' ? 'Enable' : 'Disable'}
            name={channel.name}
            kind="secondary"
            onClick={() =>
              act(async () => {
                const enable = channel.status === 'disabled';
                await api.put(`${base}/notification-channels/${channel.id}`, { enabled: enable });
                return `${channel.name} ${enable ? 'enabled' : 'disabled'}.`;
              })
            }
          />
          <RowButton
            label="Delete"
            name={channel.name}
            kind="danger"
            onClick={() =>
              act(async () => {
                await api.del(`${base}/notification-channels/${channel.id}`);
                return `Channel ${channel.name} deleted.`;
              })
            }
          />
        </>
      ),
    },
  ];

  const ruleColumns: Column<NotificationRule>[] = [
    { header: 'Name', cell: (rule) => rule.name },
    { header: 'Channel', cell: (rule) => channelName(rule.channelId) },
    { header: 'Events', cell: (rule) => (rule.eventTypes.length > 0 ? rule.eventTypes.join(', ') : 'all') },
    { header: 'Minimum severity', cell: (rule) => rule.minSeverity },
    { header: 'Delivery', cell: (rule) => (rule.digestIntervalMs ? `digest every ${Math.round(rule.digestIntervalMs / 60000)} min` : 'one by one') },
    { header: 'State', cell: (rule) => (rule.enabled ? 'enabled' : 'paused') },
    {
      header: 'Actions',
      hideHeader: true,
      className: 'actions',
      cell: (rule) => (
        <>
          <RowButton label="Edit" name={`rule ${rule.name}`} kind="secondary" onClick={() => setEditingRule(rule)} />
          <RowButton
            label="Delete"
            name={`rule ${rule.name}`}
            kind="danger"
            onClick={() =>
              act(async () => {
                await api.del(`${base}/notification-rules/${rule.id}`);
                return `Rule ${rule.name} deleted.`;
              })
            }
          />
        </>
      ),
    },
  ];

  return (
    <>
      {notice ? <Notice>{notice}</Notice> : null}
      <ErrorBanner error={error} />
      <h2>Channels</h2>
      <DataTable caption="Notification channels" columns={channelColumns} rows={channels.data?.items ?? null} rowKey={(channel) => channel.id} loading={channels.loading} error={channels.error} empty="No channel yet: add Slack or Teams below." />
      <ChannelForm
        key={editingChannel?.id ?? 'new-channel'}
        base={base}
        editing={editingChannel}
        connections={(connections.data?.items ?? []).filter((connection) => connection.provider === 'slack')}
        onSaved={(message) => {
          setEditingChannel(null);
          setNotice(message);
          channels.reload();
        }}
        onCancel={() => setEditingChannel(null)}
      />
      <h2>Rules</h2>
      <DataTable caption="Notification rules" columns={ruleColumns} rows={rules.data?.items ?? null} rowKey={(rule) => rule.id} loading={rules.loading} error={rules.error} empty="No rule yet: nothing is sent until a rule routes events to a channel." />
      <RuleForm
        key={editingRule?.id ?? 'new-rule'}
        base={base}
        editing={editingRule}
        channels={channels.data?.items ?? []}
        onSaved={(message) => {
          setEditingRule(null);
          setNotice(message);
          rules.reload();
        }}
        onCancel={() => setEditingRule(null)}
      />
    </>
  );
}

function ChannelForm({ base, editing, connections, onSaved, onCancel }: { base: string; editing: NotificationChannel | null; connections: Connection[]; onSaved(message: string): void; onCancel(): void }) {
  const { api } = useSession();
  const [name, setName] = useState(editing?.name ?? '');
  const [kind, setKind] = useState<ChannelKind>(editing?.kind ?? 'slack_webhook');
  const [url, setUrl] = useState('');
  const [connectionId, setConnectionId] = useState(editing?.connectionId ?? '');
  const [slackChannel, setSlackChannel] = useState(editing?.slackChannel ?? '');
  const [error, setError] = useState<ApiError | null>(null);
  const fieldError = (name: string) => (error && formField(error.field) === name ? error.message : null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    const body: Record<string, unknown> = { name };
    if (kind === 'slack_app') Object.assign(body, { connectionId, slackChannel });
    else if (url !== '') body.url = url;
    try {
      if (editing) {
        await api.put(`${base}/notification-channels/${editing.id}`, body);
        onSaved(`Channel ${name} saved.`);
      } else {
        await api.post(`${base}/notification-channels`, { ...body, kind });
        onSaved(`Channel ${name} added.`);
      }
    } catch (caught) {
      setError(asApiError(caught));
    }
  };
  const known = error !== null && ['name', 'kind', 'url', 'connectionId', 'slackChannel'].includes(formField(error.field) ?? '');
  return (
    <form className="panel" onSubmit={submit} aria-labelledby="channel-form-title">
      <h3 id="channel-form-title">{editing ? `Edit ${editing.name}` : 'Add a channel'}</h3>
      {known ? null : <ErrorBanner error={error} />}
      <div className="row">
        <TextField label="Channel name" required value={name} error={fieldError('name')} onChange={(event) => setName(event.target.value)} />
        <SelectField label="Kind" value={kind} disabled={editing !== null} error={fieldError('kind')} onChange={(event) => setKind(event.target.value as ChannelKind)}>
          {KINDS.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </SelectField>
        {kind === 'slack_app' ? (
          <>
            <SelectField label="Slack connection" value={connectionId} required error={fieldError('connectionId')} onChange={(event) => setConnectionId(event.target.value)}>
              <option value="">Choose…</option>
              {connections.map((connection) => (
                <option key={connection.id} value={connection.id}>
                  {connection.name}
                </option>
              ))}
            </SelectField>
            <TextField label="Slack channel" required placeholder="C0123… or #alerts" value={slackChannel} error={fieldError('slackChannel')} onChange={(event) => setSlackChannel(event.target.value)} />
          </>
        ) : (
          <TextField
            label="Webhook URL"
            type="url"
            required={editing === null}
            autoComplete="off"
            hint={editing ? 'Stored as a secret and never shown; leave empty to keep it.' : 'Stored as a secret and never shown again.'}
            value={url}
            error={fieldError('url')}
            onChange={(event) => setUrl(event.target.value)}
          />
        )}
      </div>
      <button type="submit">{editing ? 'Save channel' : 'Add channel'}</button>{' '}
      {editing ? (
        <button type="button" className="secondary" onClick={onCancel}>
          Cancel
        </button>
      ) : null}
    </form>
  );
}

function RuleForm({ base, editing, channels, onSaved, onCancel }: { base: string; editing: NotificationRule | null; channels: NotificationChannel[]; onSaved(message: string): void; onCancel(): void }) {
  const { api } = useSession();
  const [name, setName] = useState(editing?.name ?? '');
  const [channelId, setChannelId] = useState(editing?.channelId ?? '');
  const [eventTypes, setEventTypes] = useState<Set<string>>(new Set(editing?.eventTypes ?? []));
  const [minSeverity, setMinSeverity] = useState<string>(editing?.minSeverity ?? 'warning');
  const [digestMinutes, setDigestMinutes] = useState(editing?.digestIntervalMs ? String(editing.digestIntervalMs / 60000) : '');
  const [enabled, setEnabled] = useState(editing?.enabled ?? true);
  const [error, setError] = useState<ApiError | null>(null);
  const fieldError = (name: string) => (error && formField(error.field) === name ? error.message : null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    const body = {
      name,
      channelId,
      eventTypes: [...eventTypes],
      minSeverity,
      digestIntervalMs: digestMinutes === '' ? null : Math.round(Number(digestMinutes) * 60000),
      enabled,
    };
    try {
      if (editing) await api.put(`${base}/notification-rules/${editing.id}`, body);
      else await api.post(`${base}/notification-rules`, body);
      onSaved(`Rule ${name} ${editing ? 'saved' : 'added'}.`);
    } catch (caught) {
      setError(asApiError(caught));
    }
  };
  const known = error !== null && ['name', 'channelId', 'minSeverity', 'digestIntervalMs'].includes(formField(error.field) ?? '');
  return (
    <form className="panel" onSubmit={submit} aria-labelledby="rule-form-title">
      <h3 id="rule-form-title">{editing ? `Edit rule ${editing.name}` : 'Add a rule'}</h3>
      {known ? null : <ErrorBanner error={error} />}
      <div className="row">
        <TextField label="Rule name" required value={name} error={fieldError('name')} onChange={(event) => setName(event.target.value)} />
        <SelectField label="Send to channel" required value={channelId} error={fieldError('channelId')} onChange={(event) => setChannelId(event.target.value)}>
          <option value="">Choose…</option>
          {channels.map((channel) => (
            <option key={channel.id} value={channel.id}>
              {channel.name}
            </option>
          ))}
        </SelectField>
        <SelectField label="Minimum severity" value={minSeverity} error={fieldError('minSeverity')} onChange={(event) => setMinSeverity(event.target.value)}>
          {SEVERITIES.map((severity) => (
            <option key={severity} value={severity}>
              {severity}
            </option>
          ))}
        </SelectField>
        <TextField label="Digest every (minutes)" type="number" min={1} hint="Empty: send events one by one." value={digestMinutes} error={fieldError('digestIntervalMs')} onChange={(event) => setDigestMinutes(event.target.value)} />
      </div>
      <fieldset className="checks">
        <legend>Events (none ticked: every event)</legend>
        {NOTIFICATION_EVENT_TYPES.map((type) => (
          <label key={type}>
            <input
              type="checkbox"
              checked={eventTypes.has(type)}
              onChange={(event) => {
                const next = new Set(eventTypes);
                if (event.target.checked) next.add(type);
                else next.delete(type);
                setEventTypes(next);
              }}
            />{' '}
            {type}
          </label>
        ))}
      </fieldset>
      <label className="inline">
        <input type="checkbox" checked={enabled} onChange={(event) => setEnabled(event.target.checked)} /> Enabled
      </label>
      <div className="actions">
        <button type="submit">{editing ? 'Save rule' : 'Add rule'}</button>
        {editing ? (
          <button type="button" className="secondary" onClick={onCancel}>
            Cancel
          </button>
        ) : null}
      </div>
    </form>
  );
}
