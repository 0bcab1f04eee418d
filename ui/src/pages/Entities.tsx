import { useState } from 'react';
import type { FormEvent } from 'react';
import type { ApiClient, ApiError } from '../api/client.ts';
import type { Change, Entity, EntityDetail, EntityLink, Merge, Page, Relationship } from '../api/types.ts';
import { ErrorBanner, Loading, NeedTenant, Notice, TextField, asApiError, formatTime, useLoad } from '../components.tsx';
import { Link, navigate } from '../router.tsx';
import { useSession } from '../session-context.tsx';
import { DataTable, LoadMore, show, usePaged } from '../table.tsx';
import type { Column } from '../table.tsx';

/** A short human label for an entity: its name-like field, else its id. */
export function entityLabel(entity: Pick<Entity, 'id' | 'fields'>): string {
  for (const key of ['name', 'displayName', 'title', 'fullName', 'email', 'domain']) {
    const value = entity.fields[key];
    if (typeof value === 'string' && value !== '') return value;
  }
  const given = entity.fields.givenName;
  const family = entity.fields.familyName;
  if (typeof given === 'string' || typeof family === 'string') return [given, family].filter((part) => typeof part === 'string').join(' ');
  return entity.id;
}

/** One entity's history: the change feed filtered to it (`entityId`), followed page by page up to a bound. */
const CHANGE_PAGES = 20;
const CHANGE_PAGE_SIZE = 1000;

export async function changesOf(api: ApiClient, base: string, entityId: string): Promise<{ items: Change[]; complete: boolean }> {
  const items: Change[] = [];
  let since = 0;
  for (let page = 0; page < CHANGE_PAGES; page++) {
    const answer = await api.get<{ items: Change[]; nextSince: number }>(`${base}/changes`, { entityId, since, limit: CHANGE_PAGE_SIZE });
    items.push(...answer.items);
    if (answer.items.length < CHANGE_PAGE_SIZE || answer.nextSince <= since) return { items, complete: true };
    since = answer.nextSince;
  }
  return { items, complete: false };
}

/** A merge's recorded reason in words: the review, the score, who decided (`{ reviewId, score, by: { kind, keyId } }`). */
export function describeReason(reason: Record<string, unknown>): string {
  const parts: string[] = [];
  if (typeof reason.reviewId === 'string') parts.push(`review ${reason.reviewId}`);
  if (typeof reason.score === 'number') parts.push(`score ${Math.round(reason.score * 100)} %`);
  const by = reason.by as { kind?: unknown; keyId?: unknown } | undefined;
  if (by && typeof by.kind === 'string') parts.push(`by ${by.kind}${typeof by.keyId === 'string' ? ` key ${by.keyId}` : ''}`);
  for (const [key, value] of Object.entries(reason)) {
    if (!['reviewId', 'score', 'by', 'tenantId'].includes(key) && (typeof value === 'string' || typeof value === 'number')) parts.push(`${key} ${value}`);
  }
  return parts.length > 0 ? parts.join(', ') : show(reason);
}

interface Filters {
  type: string;
  provider: string;
}

/** Entities: browse by type and provider; `/entities/:id` shows one. */
export function Entities({ path }: { path: string }) {
  const entityId = /^\/entities\/([^/]+)$/.exec(path)?.[1] ?? null;
  const { tenantBase } = useSession();
  const base = tenantBase();
  if (base === null) {
    return (
      <section>
        <h1>Entities</h1>
        <NeedTenant />
      </section>
    );
  }
  return entityId === null ? <EntityList base={base} /> : <EntityView key={entityId} base={base} entityId={decodeURIComponent(entityId)} />;
}

function EntityList({ base }: { base: string }) {
  const { api } = useSession();
  const [draft, setDraft] = useState<Filters>({ type: '', provider: '' });
  const [filters, setFilters] = useState<Filters>(draft);
  const list = usePaged(
    (cursor) => api.get<Page<Entity>>(`${base}/entities`, { type: filters.type || undefined, provider: filters.provider || undefined, limit: 50, cursor: cursor ?? undefined }),
    [api, base, filters],
  );
  const apply = (event: FormEvent) => {
    event.preventDefault();
    setFilters(draft);
  };
  const columns: Column<Entity>[] = [
    {
      header: 'Entity',
      cell: (entity) => (
        <>
          <Link to={`/entities/${entity.id}`}>{entityLabel(entity)}</Link>
          <div className="muted mono">{entity.id}</div>
        </>
      ),
    },
    { header: 'Type', cell: (entity) => entity.type },
    { header: 'Version', cell: (entity) => entity.version },
    { header: 'Updated', cell: (entity) => formatTime(entity.updatedAt) },
    { header: 'State', cell: (entity) => (entity.mergedInto ? `merged into ${entity.mergedInto}` : entity.deletedAt ? 'deleted' : 'live') },
  ];
  return (
    <section aria-labelledby="entities-title">
      <h1 id="entities-title">Entities</h1>
      <form className="panel filters" aria-label="Filters" onSubmit={apply}>
        <div className="row">
          <TextField label="Type" placeholder="person, organization…" value={draft.type} onChange={(event) => setDraft({ ...draft, type: event.target.value })} />
          <TextField label="Provider" placeholder="salesforce, hubspot…" value={draft.provider} onChange={(event) => setDraft({ ...draft, provider: event.target.value })} />
        </div>
        <button type="submit">Search</button>{' '}
        <button
          type="button"
          className="secondary"
          onClick={() => {
            setDraft({ type: '', provider: '' });
            setFilters({ type: '', provider: '' });
          }}
        >
          Clear
        </button>
      </form>
      <DataTable caption="Entities" columns={columns} rows={list.items} rowKey={(entity) => entity.id} loading={list.loading} error={list.error} empty="No entities match. Run an integration to bring records in." />
      <LoadMore paged={list} />
    </section>
  );
}

const LINK_COLUMNS: Column<EntityLink>[] = [
  { header: 'Object', cell: (link) => link.object },
  { header: 'External id', cell: (link) => link.externalId, className: 'mono' },
  { header: 'Connection', cell: (link) => link.connectionId, className: 'mono' },
  { header: 'Last synced', cell: (link) => formatTime(link.lastSyncedAt) },
  { header: 'Provider version', cell: (link) => link.remoteVersion ?? '—', className: 'mono' },
  { header: 'State', cell: (link) => (link.tombstonedAt ? `deleted at provider ${formatTime(link.tombstonedAt)}` : 'linked') },
];

function relationshipColumns(direction: 'outgoing' | 'incoming'): Column<Relationship>[] {
  const other = (edge: Relationship) => (direction === 'outgoing' ? edge.toEntityId : edge.fromEntityId);
  return [
    { header: 'Kind', cell: (edge) => edge.kind },
    { header: direction === 'outgoing' ? 'To' : 'From', cell: (edge) => <Link to={`/entities/${other(edge)}`}>{other(edge)}</Link> },
    { header: 'Since', cell: (edge) => formatTime(edge.createdAt) },
  ];
}

function EntityView({ base, entityId }: { base: string; entityId: string }) {
  const { api } = useSession();
  const entity = useLoad(() => api.get<EntityDetail>(`${base}/entities/${entityId}`), [api, base, entityId]);
  const merges = useLoad(() => api.get<Page<Merge>>(`${base}/entities/${entityId}/merges`, { limit: 100 }), [api, base, entityId]);
  const changes = useLoad(() => changesOf(api, base, entityId), [api, base, entityId]);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);

  const undo = async (merge: Merge) => {
    setError(null);
    try {
      await api.post<Merge>(`${base}/entities/${entityId}/merges/${merge.id}/undo`);
      setNotice(`Merge ${merge.id} undone: ${merge.mergedId} is back with its links and relationships.`);
      entity.reload();
      merges.reload();
      changes.reload();
    } catch (caught) {
      setError(asApiError(caught));
    }
  };

  const mergeColumns: Column<Merge>[] = [
    { header: 'Merged', cell: (merge) => formatTime(merge.mergedAt) },
    { header: 'Survivor', cell: (merge) => <Link to={`/entities/${merge.survivorId}`}>{merge.survivorId}</Link> },
    { header: 'Merged entity', cell: (merge) => <Link to={`/entities/${merge.mergedId}`}>{merge.mergedId}</Link> },
    { header: 'Why', cell: (merge) => describeReason(merge.reason) },
    {
      header: 'Undo',
      hideHeader: true,
      cell: (merge) =>
        merge.undoneAt ? (
          <span className="muted">undone {formatTime(merge.undoneAt)}</span>
        ) : (
          <button type="button" className="danger" onClick={() => undo(merge)}>
            Undo merge <span className="sr-only">{merge.id}</span>
          </button>
        ),
    },
  ];
  const changeColumns: Column<Change>[] = [
    { header: 'Seq', cell: (change) => change.seq },
    { header: 'When', cell: (change) => formatTime(change.at) },
    { header: 'Change', cell: (change) => show(change.change), className: 'mono' },
  ];

  const data = entity.data;
  return (
    <section aria-labelledby="entity-title">
      <p>
        <Link to="/entities">← All entities</Link>
      </p>
      <h1 id="entity-title">{data ? `${entityLabel(data)} (${data.type})` : 'Entity'}</h1>
      {notice ? <Notice>{notice}</Notice> : null}
      <ErrorBanner error={error ?? entity.error} />
      {entity.loading && data === null ? <Loading /> : null}
      {data ? (
        <>
          <p className="muted">
            <span className="mono">{data.id}</span> · version {data.version} · updated {formatTime(data.updatedAt)}
            {data.mergedInto ? (
              <>
                {' '}
                · merged into <Link to={`/entities/${data.mergedInto}`}>{data.mergedInto}</Link>
              </>
            ) : data.deletedAt ? ` · deleted ${formatTime(data.deletedAt)}` : ''}
          </p>
          <h2>Fields</h2>
          <DataTable
            caption="Fields"
            columns={[
              { header: 'Field', cell: ([name]) => name },
              { header: 'Value', cell: ([, value]) => show(value), className: 'mono' },
            ]}
            rows={Object.entries(data.fields)}
            rowKey={([name]) => name}
            empty="No fields."
          />
          <h2>External links</h2>
          <DataTable caption="External links" columns={LINK_COLUMNS} rows={data.links} rowKey={(link) => link.id} empty="Not linked to any provider record." />
          <h2>Relationships</h2>
          <DataTable caption="Outgoing relationships" columns={relationshipColumns('outgoing')} rows={data.relationships.outgoing} rowKey={(edge) => `${edge.kind}:${edge.toEntityId}`} empty="No outgoing relationships." />
          <DataTable caption="Incoming relationships" columns={relationshipColumns('incoming')} rows={data.relationships.incoming} rowKey={(edge) => `${edge.kind}:${edge.fromEntityId}`} empty="No incoming relationships." />
        </>
      ) : null}
      <h2>Merge lineage</h2>
      <DataTable caption="Merges" columns={mergeColumns} rows={merges.data?.items ?? null} rowKey={(merge) => merge.id} loading={merges.loading} error={merges.error} empty="This entity took part in no merge." />
      <h2>Change history</h2>
      {changes.data && !changes.data.complete ? <p className="muted">Showing this entity&rsquo;s first {CHANGE_PAGES * CHANGE_PAGE_SIZE} changes.</p> : null}
      <DataTable caption="Changes" columns={changeColumns} rows={changes.data?.items ?? null} rowKey={(change) => String(change.seq)} loading={changes.loading} error={changes.error} empty="No changes recorded." />
      <button type="button" className="secondary" onClick={() => navigate('/entities')}>
        Back to the list
      </button>
    </section>
  );
}
