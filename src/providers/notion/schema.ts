/**
 * Notion discovery: the data sources (API 2025-09-03; databases before it) the
 * integration can see, found with `POST /v1/search`, each as an object
 * `data_source:<id>` (`database:<id>`) whose fields are its properties, every property
 * type mapped to a FieldSchema type; plus `pages` (the container in the settings) and
 * `users`.
 */
import type { FieldSchema, ObjectSchema, ProviderContext } from '../provider.ts';
import { notionCall } from './client.ts';
import { pagesObject } from './objects/pages.ts';
import { usersObject } from './objects/users.ts';
import { notionSettings } from './settings.ts';

type Property = { id?: string; name?: string; type?: string } & Record<string, unknown>;
type Container = { object: string; id: string; title?: { plain_text?: string }[]; properties?: Record<string, Property>; in_trash?: boolean };

const SCALAR: Record<string, FieldSchema['type']> = {
  title: 'string',
  rich_text: 'string',
  number: 'number',
  checkbox: 'boolean',
  url: 'url',
  email: 'email',
  phone_number: 'phone',
  date: 'datetime',
  people: 'array',
  files: 'array',
  multi_select: 'array',
  relation: 'array',
  select: 'enum',
  status: 'enum',
  created_time: 'datetime',
  last_edited_time: 'datetime',
  created_by: 'reference',
  last_edited_by: 'reference',
  unique_id: 'string',
  formula: 'json',
  rollup: 'json',
  button: 'json',
  verification: 'json',
  place: 'json',
};
/** Computed by Notion: never written. */
const READ_ONLY = new Set(['formula', 'rollup', 'created_time', 'created_by', 'last_edited_time', 'last_edited_by', 'unique_id', 'button', 'verification']);

/** The FieldSchema of one Notion property (its name is the field name). */
export function propertyField(name: string, property: Property): FieldSchema {
  const kind = property.type ?? 'unknown';
  const field: FieldSchema = { name, label: name, type: SCALAR[kind] ?? 'json', custom: true };
  if (kind === 'title') field.required = true;
  if (READ_ONLY.has(kind)) field.readOnly = true;
  const config = property[kind] as { options?: { name?: string }[]; data_source_id?: string; database_id?: string } | undefined;
  if ((kind === 'select' || kind === 'status' || kind === 'multi_select') && Array.isArray(config?.options)) {
    field.enumValues = config.options.map((o) => String(o.name ?? ''));
  }
  if (kind === 'people' || kind === 'created_by' || kind === 'last_edited_by') field.references = 'users';
  if (kind === 'relation') {
    const target = config?.data_source_id ?? config?.database_id;
    if (target) field.references = config?.data_source_id ? `data_source:${target}` : `database:${target}`;
  }
  return field;
}

/** Fields every page has, whatever its container. */
export const PAGE_FIELDS: FieldSchema[] = [
  { name: 'id', type: 'string', readOnly: true },
  { name: 'created_time', type: 'datetime', readOnly: true },
  { name: 'last_edited_time', type: 'datetime', readOnly: true },
  { name: 'in_trash', type: 'boolean' },
  { name: 'url', type: 'url', readOnly: true },
];

const USER_FIELDS: FieldSchema[] = [
  { name: 'id', type: 'string', readOnly: true },
  { name: 'name', type: 'string', readOnly: true },
  { name: 'type', type: 'enum', enumValues: ['person', 'bot'], readOnly: true },
  { name: 'person.email', type: 'email', readOnly: true },
  { name: 'avatar_url', type: 'url', readOnly: true },
];

function titleOf(container: Container): string {
  return (container.title ?? []).map((t) => t.plain_text ?? '').join('') || container.id;
}

/** Every data source (database, legacy) the integration sees, through `POST /v1/search`. */
export async function searchContainers(ctx: ProviderContext): Promise<Container[]> {
  const kind = notionSettings(ctx).legacy ? 'database' : 'data_source';
  const out: Container[] = [];
  let startCursor: string | undefined;
  do {
    const body: Record<string, unknown> = { filter: { property: 'object', value: kind }, page_size: 100 };
    if (startCursor) body.start_cursor = startCursor;
    const answer = await notionCall<{ results?: Container[]; has_more?: boolean; next_cursor?: string | null }>(ctx, { method: 'POST', path: 'v1/search', body, operation: 'search' });
    out.push(...(answer.results ?? []).filter((c) => c.in_trash !== true));
    startCursor = answer.has_more && answer.next_cursor ? answer.next_cursor : undefined;
  } while (startCursor);
  return out;
}

export async function discoverNotion(ctx: ProviderContext): Promise<ObjectSchema[]> {
  const settings = notionSettings(ctx);
  const containers = await searchContainers(ctx);
  const schemas: ObjectSchema[] = [];
  let configured: FieldSchema[] = PAGE_FIELDS;
  for (const c of containers) {
    const fields = [...PAGE_FIELDS, ...Object.entries(c.properties ?? {}).map(([name, p]) => propertyField(name, p))];
    if (c.id === settings.dataSourceId || c.id === settings.databaseId) configured = fields;
    schemas.push({ name: `${c.object === 'database' ? 'database' : 'data_source'}:${c.id}`, label: titleOf(c), fields, capabilities: pagesObject.capabilities });
  }
  return [
    { name: pagesObject.name, label: pagesObject.label, fields: configured, capabilities: pagesObject.capabilities },
    { name: usersObject.name, label: usersObject.label, fields: USER_FIELDS, capabilities: usersObject.capabilities },
    ...schemas,
  ];
}
