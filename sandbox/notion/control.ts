import type { FastifyInstance, RecordControl, SandboxContext } from '../core/types.ts';
import { SandboxHttpError } from '../core/errors.ts';
import { LATEST_NOTION_VERSION } from './auth.ts';
import { NotionApiError, notFound } from './errors.ts';
import { normalizeId } from './ids.ts';
import { parsePropertyValue, plainToInput } from './data/property-input.ts';
import { pageJson } from './data/serialize.ts';
import type { NotionStore } from './data/store.ts';
import type { DataSourceRecord, PropertySchema, StoredValue } from './data/model.ts';
import type { NotionSubscription, NotionWebhooks } from './webhooks.ts';

/** The user the control API edits as: the first person in the workspace (a human, not the bot). */
function editor(store: NotionStore): string {
  for (const user of store.users.values()) if (user.type === 'person') return user.id;
  return store.botUserId;
}

function dataSource(store: NotionStore, object: string): DataSourceRecord {
  const ds = store.dataSourceByObject(object);
  if (!ds) throw new SandboxHttpError(404, `unknown Notion object "${object}"; use ${[...store.dataSources.values()].map((d) => d.objectName).join(', ')}`);
  return ds;
}

function values(store: NotionStore, ds: DataSourceRecord, fields: Record<string, unknown>): Map<string, StoredValue> {
  const out = new Map<string, StoredValue>();
  for (const [key, value] of Object.entries(fields)) {
    if (key === 'in_trash' || key === 'archived') continue;
    const schema = store.propertyOf(ds, key);
    if (!schema) throw new NotionApiError('validation_error', `${key} is not a property that exists.`);
    out.set(schema.id, parsePropertyValue(store, schema, plainToInput(schema, value)));
  }
  return out;
}

/**
 * Edits as a Notion user would make them in the app: pages of `contacts` and `tasks`,
 * fields by property name with plain values (`{Name: "Ada", Stage: "Lead"}`) or Notion
 * value objects. Edits move last_edited_time and fire webhooks; `remove` trashes.
 */
export function notionRecordControl(getStore: () => NotionStore): RecordControl {
  return {
    objects: () => [...getStore().dataSources.values()].map((ds) => ds.objectName),
    list(object, { limit, offset }) {
      const store = getStore();
      const pages = store.pagesOf(dataSource(store, object).id);
      return { total: pages.length, records: pages.slice(offset, offset + limit).map((p) => pageJson(store, p, LATEST_NOTION_VERSION)) };
    },
    create(object, fields) {
      const store = getStore();
      const ds = dataSource(store, object);
      const page = store.createPage(ds, values(store, ds, fields), editor(store));
      return pageJson(store, page, LATEST_NOTION_VERSION);
    },
    update(object, id, fields) {
      const store = getStore();
      const ds = dataSource(store, object);
      const page = store.pages.get(normalizeId(id) ?? id);
      if (!page || page.dataSourceId !== ds.id) throw notFound('page', id);
      const trash = typeof fields.in_trash === 'boolean' ? fields.in_trash : typeof fields.archived === 'boolean' ? fields.archived : undefined;
      if (trash === false) store.setTrash(page, false, editor(store));
      store.updatePage(page, values(store, ds, fields), editor(store));
      if (trash === true) store.setTrash(page, true, editor(store));
      return pageJson(store, page, LATEST_NOTION_VERSION);
    },
    remove(object, id) {
      const store = getStore();
      const ds = dataSource(store, object);
      const page = store.pages.get(normalizeId(id) ?? id);
      if (!page || page.dataSourceId !== ds.id || page.inTrash) return false;
      store.setTrash(page, true, editor(store));
      return true;
    },
  };
}

/**
 * Control routes under `/_sandbox/notion/`:
 * - `POST webhooks {url, event_types?, verified?}` creates a subscription; Notion POSTs
 *   `{"verification_token": …}` to the URL. Answers the subscription (with its token).
 * - `POST webhooks/:id/verify {verification_token}` activates it (Notion's "paste the token back").
 * - `GET webhooks` lists subscriptions; `POST webhooks/idle` waits for deliveries and retries.
 * - `POST data_sources/:id/properties {name, type}` adds a column (a schema change event).
 * - `GET info` answers workspace, bot and data source ids.
 */
export function registerNotionControl(
  app: FastifyInstance,
  _ctx: SandboxContext,
  parts: { store: () => NotionStore; webhooks: () => NotionWebhooks },
): void {
  const subscriptionJson = (s: NotionSubscription) => ({
    id: s.id,
    url: s.url,
    verification_token: s.verificationToken,
    verified: s.verified,
    event_types: s.eventTypes,
    api_version: s.apiVersion,
  });
  app.post('/webhooks', async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    if (typeof body.url !== 'string') return reply.code(400).send({ error: 'url is required' });
    const eventTypes = Array.isArray(body.event_types) ? body.event_types.map(String) : undefined;
    const sub = parts.webhooks().subscribe(body.url, {
      eventTypes,
      verified: body.verified === true,
      apiVersion: typeof body.api_version === 'string' ? body.api_version : undefined,
    });
    return reply.code(201).send(subscriptionJson(sub));
  });
  app.get('/webhooks', async () => ({ subscriptions: [...parts.webhooks().subscriptions.values()].map(subscriptionJson) }));
  app.post('/webhooks/idle', async () => {
    await parts.webhooks().idle();
    return { idle: true };
  });
  app.post('/webhooks/:id/verify', async (request, reply) => {
    const { id } = request.params as { id: string };
    const token = ((request.body ?? {}) as Record<string, unknown>).verification_token;
    if (typeof token !== 'string' || !parts.webhooks().verify(id, token)) return reply.code(400).send({ error: 'verification_token does not match' });
    return { id, verified: true };
  });
  app.post('/data_sources/:id/properties', async (request, reply) => {
    const store = parts.store();
    const ds = store.dataSources.get((request.params as { id: string }).id);
    if (!ds) return reply.code(404).send({ error: 'no such data source' });
    const body = (request.body ?? {}) as Record<string, unknown>;
    const type = body.type;
    if (typeof body.name !== 'string' || body.name === '' || store.propertyOf(ds, body.name)) return reply.code(400).send({ error: 'name must be new' });
    if (type !== 'rich_text' && type !== 'number' && type !== 'checkbox' && type !== 'url' && type !== 'email' && type !== 'phone_number' && type !== 'date') {
      return reply.code(400).send({ error: 'type must be one of rich_text, number, checkbox, url, email, phone_number, date' });
    }
    const property: PropertySchema = { id: store.ids.propertyId(), name: body.name, type, config: type === 'number' ? { format: 'number' } : {} };
    store.addProperty(ds, property, editor(store));
    return reply.code(201).send({ id: property.id, name: property.name, type });
  });
  app.get('/info', async () => {
    const store = parts.store();
    return {
      workspace_id: store.workspaceId,
      workspace_name: store.workspaceName,
      bot_id: store.botUserId,
      databases: [...store.databases.values()].map((db) => ({ id: db.id, title: db.title, data_source_ids: db.dataSourceIds })),
      data_sources: [...store.dataSources.values()].map((ds) => ({ id: ds.id, name: ds.name, object: ds.objectName, database_id: ds.databaseId })),
    };
  });
}
