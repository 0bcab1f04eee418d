import { plainText, richText } from './rich-text.ts';
import type { NotionStore } from './store.ts';
import type {
  BlockRecord,
  DatabaseRecord,
  DataSourceRecord,
  NotionUser,
  PageRecord,
  PropertySchema,
  RichText,
  SelectOption,
} from './model.ts';

/** Notion shows created/edited times rounded down to the minute. */
export function minuteIso(ms: number): string {
  return new Date(Math.floor(ms / 60_000) * 60_000).toISOString();
}

/** From API version 2025-09-03 on, databases hold data sources and pages name theirs. */
export function isDataSourceEra(version: string): boolean {
  return version >= '2025-09-03';
}

export function userJson(user: NotionUser, workspaceName: string): Record<string, unknown> {
  if (user.type === 'bot') {
    return {
      object: 'user',
      id: user.id,
      name: user.name,
      avatar_url: user.avatarUrl,
      type: 'bot',
      bot: { owner: { type: 'workspace', workspace: true }, workspace_name: workspaceName },
    };
  }
  return { object: 'user', id: user.id, name: user.name, avatar_url: user.avatarUrl, type: 'person', person: { email: user.email } };
}

function partialUser(id: string): Record<string, unknown> {
  return { object: 'user', id };
}

function compact(id: string): string {
  return id.replace(/-/g, '');
}

function pageUrl(title: string, id: string): string {
  const slug = title.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '');
  return `https://www.notion.so/${slug ? `${slug}-` : ''}${compact(id)}`;
}

/** The title of a page (its `title` property's plain text). */
export function pageTitle(page: PageRecord): string {
  return plainText((page.values.get('title') as RichText[] | undefined) ?? []);
}

/** One property value in Notion's exact shape (`{id, type, <type>: value}`). */
export function propertyValueJson(store: NotionStore, ds: DataSourceRecord, page: PageRecord, schema: PropertySchema): Record<string, unknown> {
  const base = { id: schema.id, type: schema.type };
  const raw = page.values.get(schema.id);
  switch (schema.type) {
    case 'title':
    case 'rich_text':
      return { ...base, [schema.type]: raw ?? [] };
    case 'number':
    case 'url':
    case 'email':
    case 'phone_number':
    case 'select':
    case 'date':
      return { ...base, [schema.type]: raw ?? null };
    case 'status':
      return { ...base, status: raw ?? null };
    case 'multi_select':
    case 'files':
      return { ...base, [schema.type]: raw ?? [] };
    case 'checkbox':
      return { ...base, checkbox: raw ?? false };
    case 'people': {
      const ids = (raw as string[] | undefined) ?? [];
      return {
        ...base,
        people: ids.map((id) => {
          const user = store.users.get(id);
          return user ? userJson(user, store.workspaceName) : partialUser(id);
        }),
      };
    }
    case 'relation':
      return { ...base, relation: ((raw as string[] | undefined) ?? []).map((id) => ({ id })), has_more: false };
    case 'formula': {
      const company = ds.properties.find((p) => p.name === 'Company');
      const companyText = company ? plainText((page.values.get(company.id) as RichText[] | undefined) ?? []) : '';
      return { ...base, formula: { type: 'string', string: companyText ? `${pageTitle(page)} (${companyText})` : pageTitle(page) } };
    }
    case 'rollup': {
      const relationId = String(schema.config.relation_property_id ?? '');
      const related = ((page.values.get(relationId) as string[] | undefined) ?? []).filter((id) => {
        const other = store.pages.get(id);
        return other !== undefined && !other.inTrash;
      });
      return { ...base, rollup: { type: 'number', number: related.length, function: 'count' } };
    }
    case 'created_time':
      return { ...base, created_time: minuteIso(page.createdAt) };
    case 'last_edited_time':
      return { ...base, last_edited_time: minuteIso(page.editedAt) };
    case 'created_by':
      return { ...base, created_by: partialUser(page.createdBy) };
    case 'last_edited_by':
      return { ...base, last_edited_by: partialUser(page.editedBy) };
    case 'unique_id':
      return { ...base, unique_id: { prefix: schema.config.prefix ?? null, number: page.uniqueNumber } };
  }
}

/** The plain comparable value of a property, for filters and sorts. */
export function propertyPlainValue(
  store: NotionStore,
  ds: DataSourceRecord,
  page: PageRecord,
  schema: PropertySchema,
): string | number | boolean | string[] | null {
  const json = propertyValueJson(store, ds, page, schema)[schema.type];
  switch (schema.type) {
    case 'title':
    case 'rich_text':
      return plainText(json as RichText[]);
    case 'select':
    case 'status':
      return (json as SelectOption | null)?.name ?? null;
    case 'multi_select':
      return (json as SelectOption[]).map((o) => o.name);
    case 'people':
    case 'relation':
      return (json as { id: string }[]).map((o) => o.id);
    case 'files':
      return (json as { name: string }[]).map((o) => o.name);
    case 'date':
      return (json as { start: string } | null)?.start ?? null;
    case 'formula':
      return (json as { string: string }).string;
    case 'rollup':
      return (json as { number: number }).number;
    case 'unique_id':
      return (json as { number: number }).number;
    case 'created_by':
    case 'last_edited_by':
      return [(json as { id: string }).id];
    default:
      return json as string | number | boolean | null;
  }
}

export function pageJson(store: NotionStore, page: PageRecord, version: string): Record<string, unknown> {
  const ds = store.dataSources.get(page.dataSourceId);
  const properties: Record<string, unknown> = {};
  if (ds) for (const schema of ds.properties) properties[schema.name] = propertyValueJson(store, ds, page, schema);
  const parent = isDataSourceEra(version)
    ? { type: 'data_source_id', data_source_id: page.dataSourceId, database_id: page.databaseId }
    : { type: 'database_id', database_id: page.databaseId };
  return {
    object: 'page',
    id: page.id,
    created_time: minuteIso(page.createdAt),
    last_edited_time: minuteIso(page.editedAt),
    created_by: partialUser(page.createdBy),
    last_edited_by: partialUser(page.editedBy),
    cover: null,
    icon: null,
    parent,
    archived: page.inTrash,
    in_trash: page.inTrash,
    is_locked: false,
    properties,
    url: pageUrl(pageTitle(page), page.id),
    public_url: null,
  };
}

function schemaJson(properties: PropertySchema[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of properties) {
    out[p.name] = { id: p.id, name: p.name, description: p.description ?? null, type: p.type, [p.type]: p.config };
  }
  return out;
}

export function dataSourceJson(store: NotionStore, ds: DataSourceRecord): Record<string, unknown> {
  return {
    object: 'data_source',
    id: ds.id,
    created_time: minuteIso(ds.createdAt),
    last_edited_time: minuteIso(ds.editedAt),
    created_by: partialUser(ds.createdBy),
    last_edited_by: partialUser(ds.editedBy),
    title: [richText(ds.name)],
    description: [],
    icon: null,
    cover: null,
    properties: schemaJson(ds.properties),
    parent: { type: 'database_id', database_id: ds.databaseId },
    database_parent: { type: 'workspace', workspace: true },
    url: `https://www.notion.so/${compact(ds.databaseId)}`,
    public_url: null,
    archived: ds.inTrash,
    in_trash: ds.inTrash,
    is_inline: false,
  };
}

/**
 * A database. Before 2025-09-03 it carries the properties of its (single) data source;
 * from 2025-09-03 it lists `data_sources` and the schema lives on each data source.
 */
export function databaseJson(store: NotionStore, db: DatabaseRecord, version: string): Record<string, unknown> {
  const base: Record<string, unknown> = {
    object: 'database',
    id: db.id,
    created_time: minuteIso(db.createdAt),
    last_edited_time: minuteIso(db.editedAt),
    created_by: partialUser(db.createdBy),
    last_edited_by: partialUser(db.editedBy),
    title: [richText(db.title)],
    description: [],
    icon: null,
    cover: null,
    parent: { type: 'workspace', workspace: true },
    url: `https://www.notion.so/${compact(db.id)}`,
    public_url: null,
    archived: db.inTrash,
    in_trash: db.inTrash,
    is_inline: false,
    is_locked: false,
  };
  const sources = db.dataSourceIds.map((id) => store.dataSources.get(id)).filter((ds): ds is DataSourceRecord => ds !== undefined);
  if (isDataSourceEra(version)) {
    base.data_sources = sources.map((ds) => ({ id: ds.id, name: ds.name }));
  } else {
    base.properties = schemaJson(sources[0]?.properties ?? []);
  }
  return base;
}

export function blockJson(block: BlockRecord): Record<string, unknown> {
  return {
    object: 'block',
    id: block.id,
    parent: { type: 'page_id', page_id: block.pageId },
    created_time: minuteIso(block.createdAt),
    last_edited_time: minuteIso(block.editedAt),
    created_by: partialUser(block.createdBy),
    last_edited_by: partialUser(block.editedBy),
    has_children: false,
    archived: block.inTrash,
    in_trash: block.inTrash,
    type: block.type,
    [block.type]: block.content,
  };
}
