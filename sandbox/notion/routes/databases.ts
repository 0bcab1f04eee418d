import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from '../../core/types.ts';
import { notFound } from '../errors.ts';
import { requestAuth } from '../auth.ts';
import { bodyOf, type Body, type NotionDeps } from '../deps.ts';
import { normalizeId } from '../ids.ts';
import { compileFilter } from '../query/filter.ts';
import { compareKeys, compileSorts } from '../query/sort.ts';
import { dataSourceJson, databaseJson, isDataSourceEra, pageJson } from '../data/serialize.ts';
import type { DataSourceRecord, PageRecord } from '../data/model.ts';
import type { SortKey } from '../query/sort.ts';

interface Row {
  page: PageRecord;
  key: SortKey;
}

/**
 * Databases and data sources: `GET /v1/databases/{id}`, `POST /v1/databases/{id}/query`
 * (the pre-2025-09-03 query, answered from the database's first data source),
 * `GET /v1/data_sources/{id}` and `POST /v1/data_sources/{id}/query`. Queries filter,
 * sort and paginate with keyset cursors; trashed pages drop out.
 */
export function registerDatabaseRoutes(app: FastifyInstance, deps: NotionDeps): void {
  const { store, cursors } = deps;

  const findDatabase = (raw: string) => {
    const db = store.databases.get(normalizeId(raw) ?? raw);
    if (!db || db.inTrash) throw notFound('database', raw);
    return db;
  };
  const findDataSource = (raw: string) => {
    const ds = store.dataSources.get(normalizeId(raw) ?? raw);
    if (!ds || ds.inTrash) throw notFound('data_source', raw);
    return ds;
  };

  // A cursor walk asks the same query again and again: keep the sorted rows until the
  // workspace changes (store.version), so each page costs a binary search, not a sort.
  const cache = new Map<string, { version: number; rows: Row[]; directions: number[] }>();
  const sortedRows = (ds: DataSourceRecord, body: Body) => {
    const cacheKey = JSON.stringify([ds.id, body.filter ?? null, body.sorts ?? null]);
    const hit = cache.get(cacheKey);
    if (hit && hit.version === store.version) return hit;
    const matches = compileFilter(store, ds, body.filter);
    const sort = compileSorts(store, ds, body.sorts);
    const rows = store
      .pagesOf(ds.id)
      .filter((p) => !p.inTrash && matches(p))
      .map((p) => ({ page: p, key: sort.keyOf(p) }));
    rows.sort((a, b) => compareKeys(a.key, b.key, sort.directions));
    const entry = { version: store.version, rows, directions: sort.directions };
    cache.delete(cacheKey);
    cache.set(cacheKey, entry);
    if (cache.size > 16) cache.delete(cache.keys().next().value as string);
    return entry;
  };

  const query = (ds: DataSourceRecord, body: Body, version: string, listType: string) => {
    const { rows, directions } = sortedRows(ds, body);
    const sort = { directions };
    const page = cursors.page(rows, (r) => r.key, sort.directions, { startCursor: body.start_cursor, pageSize: body.page_size });
    return {
      object: 'list',
      results: page.results.map((r) => pageJson(store, r.page, version)),
      next_cursor: page.next_cursor,
      has_more: page.has_more,
      type: listType,
      [listType]: {},
      request_id: randomUUID(),
    };
  };

  app.get('/v1/databases/:id', async (request) => {
    const { version } = requestAuth(request);
    return databaseJson(store, findDatabase((request.params as { id: string }).id), version);
  });

  app.post('/v1/databases/:id/query', async (request) => {
    const { version } = requestAuth(request);
    const db = findDatabase((request.params as { id: string }).id);
    const ds = store.dataSources.get(db.dataSourceIds[0] ?? '');
    if (!ds) throw notFound('database', db.id);
    return query(ds, bodyOf(request.body), version, 'page_or_database');
  });

  app.get('/v1/data_sources/:id', async (request) => {
    return dataSourceJson(store, findDataSource((request.params as { id: string }).id));
  });

  app.post('/v1/data_sources/:id/query', async (request) => {
    const { version } = requestAuth(request);
    const ds = findDataSource((request.params as { id: string }).id);
    return query(ds, bodyOf(request.body), isDataSourceEra(version) ? version : '2025-09-03', 'page_or_data_source');
  });
}
