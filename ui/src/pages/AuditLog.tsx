import { useState } from 'react';
import type { FormEvent } from 'react';
import type { AuditEntry, Page } from '../api/types.ts';
import { SelectField, TextField, formatTime } from '../components.tsx';
import { DataTable, LoadMore, usePaged } from '../table.tsx';
import type { Column } from '../table.tsx';
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

const COLUMNS: Column<AuditEntry>[] = [
  { header: 'When', cell: (entry) => formatTime(entry.at) },
  { header: 'Action', cell: (entry) => entry.action, className: 'mono' },
  {
    header: 'Actor',
    cell: (entry) => (
      <>
        {entry.actor.kind}
        {entry.actor.keyId ? <div className="muted mono">{entry.actor.keyId}</div> : null}
      </>
    ),
  },
  { header: 'Tenant', cell: (entry) => entry.tenantId ?? '—', className: 'mono' },
  { header: 'Target', cell: (entry) => entry.target ?? '—', className: 'mono' },
  { header: 'Request', cell: (entry) => entry.requestId ?? '—', className: 'mono muted' },
];

/** The audit log, newest filters applied on submit, with "load more" paging. */
export function AuditLog() {
  const { api, me } = useSession();
  const [draft, setDraft] = useState<Filters>(NONE);
  const [filters, setFilters] = useState<Filters>(NONE);

  const query = (cursor: string | null) => ({
    action: filters.action || undefined,
    actorKind: filters.actorKind || undefined,
    target: filters.target || undefined,
    tenantId: filters.tenantId || undefined,
    since: toIso(filters.since),
    until: toIso(filters.until),
    limit: 50,
    cursor: cursor ?? undefined,
  });
  const entries = usePaged((cursor) => api.get<Page<AuditEntry>>('/v1/audit', query(cursor)), [api, filters]);

  const set = (name: keyof Filters) => (event: { target: { value: string } }) => setDraft((previous) => ({ ...previous, [name]: event.target.value }));
  const apply = (event: FormEvent) => {
    event.preventDefault();
    setFilters(draft);
  };

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
      <DataTable
        caption="Audit entries"
        rows={entries.items}
        rowKey={(entry) => entry.id}
        loading={entries.loading}
        error={entries.error}
        empty="No entries match these filters."
        columns={COLUMNS}
      />
      <LoadMore paged={entries} />
    </section>
  );
}
