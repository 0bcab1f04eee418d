import { validation, type NotionApiError } from '../errors.ts';
import { COMPUTED_TYPES } from './model.ts';
import { richText } from './rich-text.ts';
import type { NotionStore } from './store.ts';
import type { DataSourceRecord, DateValue, FileValue, PropertySchema, RichText, SelectOption, StoredValue } from './model.ts';

/** Notion's request size limits (developers.notion.com/reference/request-limits). */
export const LIMITS = { textContent: 2000, url: 2000, email: 200, phone: 200, arrayItems: 100 } as const;

type Obj = Record<string, unknown>;

function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function tooLong(path: string, limit: number, actual: number): NotionApiError {
  return validation(`body failed validation: ${path}.length should be ≤ \`${limit}\`, instead was \`${actual}\`.`);
}

function expected(schema: PropertySchema): NotionApiError {
  return validation(`${schema.name} is expected to be ${schema.type}.`);
}

function parseRichText(path: string, value: unknown): RichText[] {
  if (!Array.isArray(value)) throw validation(`body failed validation: ${path} should be an array, instead was \`${JSON.stringify(value)}\`.`);
  if (value.length > LIMITS.arrayItems) throw tooLong(path, LIMITS.arrayItems, value.length);
  return value.map((item, i) => {
    const text = isObj(item) && isObj(item.text) ? item.text : null;
    if (!text || typeof text.content !== 'string') {
      throw validation(`body failed validation: ${path}[${i}].text.content should be defined, instead was \`undefined\`.`);
    }
    if (text.content.length > LIMITS.textContent) throw tooLong(`${path}[${i}].text.content`, LIMITS.textContent, text.content.length);
    const link = isObj(text.link) && typeof text.link.url === 'string' ? text.link.url : null;
    return richText(text.content, link);
  });
}

function options(schema: PropertySchema): SelectOption[] {
  const list = schema.config.options;
  return Array.isArray(list) ? (list as SelectOption[]) : [];
}

function parseOption(store: NotionStore, schema: PropertySchema, value: unknown, createMissing: boolean): SelectOption {
  if (!isObj(value)) throw expected(schema);
  const all = options(schema);
  if (typeof value.id === 'string') {
    const found = all.find((o) => o.id === value.id);
    if (!found) throw validation(`Invalid ${schema.type} option id: ${value.id}.`);
    return found;
  }
  if (typeof value.name !== 'string') throw expected(schema);
  const name = value.name;
  const found = all.find((o) => o.name === name);
  if (found) return found;
  if (!createMissing) throw validation(`Invalid status option. Status option "${name}" does not exist.`);
  if (name.includes(',')) throw validation(`Invalid select option, commas not allowed: ${name}`);
  const created: SelectOption = { id: store.ids.propertyId(), name, color: 'default', description: null };
  all.push(created);
  schema.config.options = all;
  return created;
}

function parseDate(schema: PropertySchema, value: unknown): DateValue | null {
  if (value === null) return null;
  if (!isObj(value) || typeof value.start !== 'string' || Number.isNaN(Date.parse(value.start))) throw expected(schema);
  const end = typeof value.end === 'string' ? value.end : null;
  if (end !== null && Number.isNaN(Date.parse(end))) throw expected(schema);
  return { start: value.start, end, time_zone: typeof value.time_zone === 'string' ? value.time_zone : null };
}

function parseIdList(path: string, schema: PropertySchema, value: unknown): string[] {
  if (!Array.isArray(value)) throw expected(schema);
  if (value.length > LIMITS.arrayItems) throw tooLong(path, LIMITS.arrayItems, value.length);
  return value.map((item) => {
    if (!isObj(item) || typeof item.id !== 'string') throw expected(schema);
    return item.id;
  });
}

function parseString(path: string, schema: PropertySchema, value: unknown, limit: number): string | null {
  if (value === null) return null;
  if (typeof value !== 'string') throw expected(schema);
  if (value.length > limit) throw tooLong(path, limit, value.length);
  return value;
}

/** Converts one property value from a request (`{"email": "a@b"}`) into its stored value. */
export function parsePropertyValue(store: NotionStore, schema: PropertySchema, input: unknown): StoredValue {
  if (COMPUTED_TYPES.has(schema.type)) {
    throw validation(`${schema.name} is a ${schema.type} property and cannot be set: Notion computes it.`);
  }
  if (!isObj(input) || !(schema.type in input)) throw expected(schema);
  const value = input[schema.type];
  const path = `body.properties.${schema.name}.${schema.type}`;
  switch (schema.type) {
    case 'title':
    case 'rich_text':
      return parseRichText(path, value);
    case 'number':
      if (value !== null && (typeof value !== 'number' || !Number.isFinite(value))) throw expected(schema);
      return value as number | null;
    case 'select':
      return value === null ? null : parseOption(store, schema, value, true);
    case 'status':
      return value === null ? null : parseOption(store, schema, value, false);
    case 'multi_select': {
      if (!Array.isArray(value)) throw expected(schema);
      if (value.length > LIMITS.arrayItems) throw tooLong(path, LIMITS.arrayItems, value.length);
      return value.map((v) => parseOption(store, schema, v, true));
    }
    case 'date':
      return parseDate(schema, value);
    case 'people': {
      const ids = parseIdList(path, schema, value);
      for (const id of ids) if (!store.users.has(id)) throw validation(`Could not find user with ID: ${id}.`);
      return ids;
    }
    case 'relation': {
      const ids = parseIdList(path, schema, value);
      for (const id of ids) {
        const target = store.pages.get(id);
        if (!target || target.dataSourceId !== schema.config.data_source_id) {
          throw validation(`Could not find page with ID: ${id}. Make sure the relevant pages and databases are shared with your integration.`);
        }
      }
      return ids;
    }
    case 'files': {
      if (!Array.isArray(value)) throw expected(schema);
      return value.map((f): FileValue => {
        if (!isObj(f) || typeof f.name !== 'string' || !isObj(f.external) || typeof f.external.url !== 'string') throw expected(schema);
        return { name: f.name, type: 'external', external: { url: f.external.url } };
      });
    }
    case 'checkbox':
      if (typeof value !== 'boolean') throw expected(schema);
      return value;
    case 'url':
      return parseString(path, schema, value, LIMITS.url);
    case 'email':
      return parseString(path, schema, value, LIMITS.email);
    case 'phone_number':
      return parseString(path, schema, value, LIMITS.phone);
    default:
      throw expected(schema);
  }
}

/** Parses a request's `properties` object into stored values by property id. */
export function parseProperties(store: NotionStore, ds: DataSourceRecord, input: unknown): Map<string, StoredValue> {
  const out = new Map<string, StoredValue>();
  if (input === undefined) return out;
  if (!isObj(input)) throw validation('body failed validation: body.properties should be an object, instead was `' + JSON.stringify(input) + '`.');
  for (const [key, value] of Object.entries(input)) {
    const schema = store.propertyOf(ds, key);
    if (!schema) throw validation(`${key} is not a property that exists.`);
    out.set(schema.id, parsePropertyValue(store, schema, value));
  }
  return out;
}

/**
 * Turns the control API's plain values (`{Name: "Ada", Stage: "Lead", Tags: ["VIP"]}`)
 * into request-shaped values; values already in Notion's shape pass through.
 */
export function plainToInput(schema: PropertySchema, value: unknown): unknown {
  if (isObj(value) && schema.type in value) return value;
  const wrap = (inner: unknown): Obj => ({ [schema.type]: inner });
  switch (schema.type) {
    case 'title':
    case 'rich_text':
      return wrap(value === null ? [] : [{ text: { content: String(value) } }]);
    case 'select':
    case 'status':
      return wrap(value === null ? null : { name: String(value) });
    case 'multi_select':
      return wrap((Array.isArray(value) ? value : [value]).map((name) => ({ name: String(name) })));
    case 'date':
      return wrap(value === null ? null : { start: String(value) });
    case 'people':
    case 'relation':
      return wrap((Array.isArray(value) ? value : [value]).map((id) => ({ id: String(id) })));
    case 'files':
      return wrap((Array.isArray(value) ? value : [value]).map((url) => ({ name: String(url).split('/').pop(), external: { url: String(url) } })));
    default:
      return wrap(value);
  }
}
