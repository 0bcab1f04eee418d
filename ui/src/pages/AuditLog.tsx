import { useState } from 'react';
import type { FormEvent } from 'react';
import type { AuditEntry, Page } from '../api/types.ts';
import type { ApiError } from '../api/client.ts';
import { Empty, ErrorBanner, Loading, SelectField, TextField, asApiError, formatTime, useLoad } from '../components.tsx';
import { isAdmin, useSession } from '../session-context.tsx';

interface Filters {
  action: string;
  actorKind: string;
  target: string;
  tenantId: string;
  since: string;
  until: string;
}

const NONE: Filters = { action: '', actorKind: '', target: '', tenantId: '', since: '', until: '' };

/** A `datetime-local` value (local time) as the API's ISO timestamp; undefined when empty or invalid. */
export function toIso(local: string): string | undefined {
  if (local === '') return undefined;
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** The audit log, newest filters applied on submit, with "load more" paging. */
export function AuditLog() {
  const { api, me } = useSession();
  const [draft, setDraft] = useState<Filters>(NONE);
  const [filters, setFilters] = useState<Filters>(NONE);
  const [more, setMore] = useState<AuditEntry[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [moreError, setMoreError] = useState<ApiError | null>(null);

  const query = (from?: string) => ({
    action: filters.action || undefined,
    actorKind: filters.actorKind || undefined,
    target: filters.target || undefined,
    tenantId: filters.tenantId || undefined,
    since: toIso(filters.since),
    until: toIso(filters.until),
    limit: 50,
    cursor: from,
  });
  const page = useLoad(async () => {
    const first = await api.get<Page<AuditEntry>>('/v1/audit', query());
    setMore([]);
    setCursor(first.nextCursor);
    return first;
  }, [api, filters]);

  const loadMore = async () => {
    if (cursor === null) return;
    try {
      const next = await api.get<Page<AuditEntry>>('/v1/audit', query(cursor));
      setMore((previous) => [...previous, ...next.items]);
      setCursor(next.nextCursor);
    } catch (caught) {
      setMoreError(asApiError(caught));
    }
  };

  const set = (name: keyof Filters) => (event: { target: { value: string } }) => setDraft((previous) => ({ ...previous, [name]: event.target.value }));
  const apply = (event: FormEvent) => {
    event.preventDefault();
    setFilters(draft);
  };

  const entries = [...(page.data?.items ?? []), ...more];

  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">Audit log</h1>
      <form onSubmit={apply} className="panel filters" aria-label="Filters">
        <div className="row">
          <TextField label="Action" value={draft.action} onChange={set('action')} placeholder="api_key.create" />
          <SelectField label="Actor" value={draft.actorKind} onChange={set('actorKind')}>
            <option value="">Anyone</option>
            <option value="admin">Admin key</option>
            <option value="tenant">Tenant key</option>
            <option value="system">Tributary itself</option>
          </SelectField>
          <TextField label="Target" value={draft.target} onChange={set('target')} placeholder="key or connection id" />
          {isAdmin(me) ? <TextField label="Tenant id" value={draft.tenantId} onChange={set('tenantId')} placeholder="ten_…" /> : null}
          <TextField label="Since" type="datetime-local" value={draft.since} onChange={set('since')} />
          <TextField label="Until" type="datetime-local" value={draft.until} onChange={set('until')} />
        </div>
        <button type="submit">Apply filters</button>{' '}
        <button
          type="button"
          className="secondary"
          onClick={() => {
            setDraft(NONE);
            setFilters(NONE);
          }}
        >
          Clear
        </button>
      </form>
      <ErrorBanner error={page.error ?? moreError} />
      {page.loading && page.data === null ? <Loading /> : null}
      {page.data && entries.length === 0 ? <Empty>No entries match these filters.</Empty> : null}
      {entries.length > 0 ? (
        <div className="table-wrap">
          <table>
            <caption className="sr-only">Audit entries</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Action</th>
                <th scope="col">Actor</th>
                <th scope="col">Tenant</th>
                <th scope="col">Target</th>
                <th scope="col">Request</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((entry) => (
                <tr key={entry.id}>
                  <td>{formatTime(entry.at)}</td>
                  <td className="mono">{entry.action}</td>
                  <td>
                    {entry.actor.kind}
                    {entry.actor.keyId ? <div className="muted mono">{entry.actor.keyId}</div> : null}
                  </td>
                  <td className="mono">{entry.tenantId ?? '—'}</td>
                  <td className="mono">{entry.target ?? '—'}</td>
                  <td className="mono muted">{entry.requestId ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {cursor !== null ? (
        <button type="button" className="secondary" onClick={loadMore}>
          Load more
        </button>
      ) : null}
    </section>
  );
}
