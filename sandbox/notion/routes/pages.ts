import type { FastifyInstance } from '../../core/types.ts';
import { notFound, validation } from '../errors.ts';
import { requestAuth } from '../auth.ts';
import { bodyOf, type NotionDeps } from '../deps.ts';
import { normalizeId } from '../ids.ts';
import { parseProperties } from '../data/property-input.ts';
import { pageJson } from '../data/serialize.ts';
import { parseChildren } from './blocks.ts';
import type { DataSourceRecord } from '../data/model.ts';

/**
 * Pages: `GET /v1/pages/{id}` (trashed pages too, with `in_trash: true`), `POST /v1/pages`
 * under a database or data source parent, and `PATCH /v1/pages/{id}` for properties and
 * `in_trash`/`archived`. Notion has no If-Match: the last write wins.
 */
export function registerPageRoutes(app: FastifyInstance, deps: NotionDeps): void {
  const { store } = deps;
  const botOf = (request: Parameters<typeof requestAuth>[0]): string => {
    const botId = requestAuth(request).grant.extra.botId;
    return typeof botId === 'string' ? botId : store.botUserId;
  };
  const findPage = (raw: string) => {
    const page = store.pages.get(normalizeId(raw) ?? raw);
    if (!page) throw notFound('page', raw);
    return page;
  };

  app.get('/v1/pages/:id', async (request) => {
    const { version } = requestAuth(request);
    return pageJson(store, findPage((request.params as { id: string }).id), version);
  });

  app.post('/v1/pages', async (request) => {
    const { version } = requestAuth(request);
    const body = bodyOf(request.body);
    const parent = bodyOf(body.parent);
    let ds: DataSourceRecord | undefined;
    if (typeof parent.data_source_id === 'string') {
      ds = store.dataSources.get(normalizeId(parent.data_source_id) ?? '');
      if (!ds || ds.inTrash) throw notFound('data_source', parent.data_source_id);
    } else if (typeof parent.database_id === 'string') {
      const db = store.databases.get(normalizeId(parent.database_id) ?? '');
      if (!db || db.inTrash) throw notFound('database', parent.database_id);
      if (db.dataSourceIds.length > 1) {
        throw validation('Databases with multiple data sources are not supported in this API version. Use a data_source_id parent instead.');
      }
      ds = store.dataSources.get(db.dataSourceIds[0] ?? '');
    } else {
      throw validation('body failed validation: body.parent.database_id should be defined, instead was `undefined`.');
    }
    if (!ds) throw validation('body failed validation: body.parent should be a database or data source.');
    const values = parseProperties(store, ds, body.properties);
    const children = body.children === undefined ? [] : parseChildren(body.children);
    const author = botOf(request);
    const page = store.createPage(ds, values, author);
    if (children.length > 0) store.appendBlocks(page, children, author, { at: page.createdAt, silent: true });
    return pageJson(store, page, version);
  });

  app.patch('/v1/pages/:id', async (request) => {
    const { version } = requestAuth(request);
    const page = findPage((request.params as { id: string }).id);
    const body = bodyOf(request.body);
    const author = botOf(request);
    const trash = typeof body.in_trash === 'boolean' ? body.in_trash : typeof body.archived === 'boolean' ? body.archived : undefined;
    const ds = store.dataSources.get(page.dataSourceId);
    if (!ds) throw notFound('page', page.id);
    if (body.properties !== undefined && page.inTrash && trash !== false) {
      throw validation("Can't edit block that is archived. You must unarchive the block before editing.");
    }
    const values = parseProperties(store, ds, body.properties);
    if (trash === false) store.setTrash(page, false, author);
    store.updatePage(page, values, author);
    if (trash === true) store.setTrash(page, true, author);
    return pageJson(store, page, version);
  });
}
