import type { FastifyInstance } from '../../core/types.ts';
import { validation } from '../errors.ts';
import { requestAuth } from '../auth.ts';
import { bodyOf, type NotionDeps } from '../deps.ts';
import { dataSourceJson, databaseJson, isDataSourceEra, pageJson, pageTitle } from '../data/serialize.ts';

interface Hit {
  kind: 'page' | 'database' | 'data_source';
  id: string;
  title: string;
  editedAt: number;
}

/**
 * `POST /v1/search`: pages and databases (data sources from 2025-09-03) whose title
 * contains `query`, optionally filtered by object type, newest edit first unless `sort`
 * says otherwise. Trashed pages are left out.
 */
export function registerSearchRoutes(app: FastifyInstance, deps: NotionDeps): void {
  const { store, cursors } = deps;
  app.post('/v1/search', async (request) => {
    const { version } = requestAuth(request);
    const body = bodyOf(request.body);
    const query = typeof body.query === 'string' ? body.query.toLowerCase() : '';
    const filter = bodyOf(body.filter);
    const containerKind = isDataSourceEra(version) ? 'data_source' : 'database';
    if (filter.value !== undefined && filter.value !== 'page' && filter.value !== containerKind) {
      throw validation(`body failed validation: body.filter.value should be "page" or "${containerKind}", instead was \`"${String(filter.value)}"\`.`);
    }
    const sort = bodyOf(body.sort);
    const direction = sort.direction === 'ascending' ? 1 : -1;
    const hits: Hit[] = [];
    if (filter.value !== containerKind) {
      for (const page of store.pages.values()) if (!page.inTrash) hits.push({ kind: 'page', id: page.id, title: pageTitle(page), editedAt: page.editedAt });
    }
    if (filter.value !== 'page') {
      if (containerKind === 'data_source') {
        for (const ds of store.dataSources.values()) hits.push({ kind: 'data_source', id: ds.id, title: ds.name, editedAt: ds.editedAt });
      } else {
        for (const db of store.databases.values()) hits.push({ kind: 'database', id: db.id, title: db.title, editedAt: db.editedAt });
      }
    }
    const matching = hits.filter((h) => query === '' || h.title.toLowerCase().includes(query));
    const keyOf = (h: Hit) => [h.editedAt, h.id];
    matching.sort((a, b) => (a.editedAt === b.editedAt ? (a.id < b.id ? -1 : 1) : (a.editedAt - b.editedAt) * direction));
    const page = cursors.page(matching, keyOf, [direction, 1], { startCursor: body.start_cursor, pageSize: body.page_size });
    return {
      object: 'list',
      results: page.results.map((h) => {
        if (h.kind === 'page') return pageJson(store, store.pages.get(h.id)!, version);
        if (h.kind === 'data_source') return dataSourceJson(store, store.dataSources.get(h.id)!);
        return databaseJson(store, store.databases.get(h.id)!, version);
      }),
      next_cursor: page.next_cursor,
      has_more: page.has_more,
      type: 'page_or_database',
      page_or_database: {},
    };
  });
}
