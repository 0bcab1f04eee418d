import { validation } from '../errors.ts';
import { minuteIso, propertyPlainValue } from '../data/serialize.ts';
import type { NotionStore } from '../data/store.ts';
import type { DataSourceRecord, PageRecord, PropertySchema } from '../data/model.ts';

type Obj = Record<string, unknown>;
type Plain = string | number | boolean | string[] | null;

/** A compiled filter: true when the page matches. */
export type PagePredicate = (page: PageRecord) => boolean;

function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function conditionOf(body: Obj, key: string): [string, unknown] {
  const inner = body[key];
  if (!isObj(inner)) throw validation(`body failed validation: body.filter.${key} should be an object.`);
  const entries = Object.entries(inner);
  if (entries.length !== 1 || !entries[0]) throw validation(`body failed validation: body.filter.${key} should have exactly one condition.`);
  return entries[0];
}

function textCondition(op: string, arg: unknown, value: string | null): boolean {
  const v = value ?? '';
  const a = String(arg ?? '');
  switch (op) {
    case 'equals':
      return v === a;
    case 'does_not_equal':
      return v !== a;
    case 'contains':
      return v.toLowerCase().includes(a.toLowerCase());
    case 'does_not_contain':
      return !v.toLowerCase().includes(a.toLowerCase());
    case 'starts_with':
      return v.toLowerCase().startsWith(a.toLowerCase());
    case 'ends_with':
      return v.toLowerCase().endsWith(a.toLowerCase());
    case 'is_empty':
      return v === '';
    case 'is_not_empty':
      return v !== '';
    default:
      throw validation(`Invalid filter condition: ${op}.`);
  }
}

function numberCondition(op: string, arg: unknown, value: number | null): boolean {
  if (op === 'is_empty') return value === null;
  if (op === 'is_not_empty') return value !== null;
  if (typeof arg !== 'number') throw validation(`body failed validation: number filter ${op} should be a number.`);
  if (value === null) return op === 'does_not_equal';
  switch (op) {
    case 'equals':
      return value === arg;
    case 'does_not_equal':
      return value !== arg;
    case 'greater_than':
      return value > arg;
    case 'less_than':
      return value < arg;
    case 'greater_than_or_equal_to':
      return value >= arg;
    case 'less_than_or_equal_to':
      return value <= arg;
    default:
      throw validation(`Invalid filter condition: ${op}.`);
  }
}

/**
 * Date comparison as Notion does it: a date-only argument compares by day, a date-time
 * argument by instant. `value` is an ISO string (or null when empty).
 */
function dateCondition(op: string, arg: unknown, value: string | null): boolean {
  if (op === 'is_empty') return value === null;
  if (op === 'is_not_empty') return value !== null;
  if (typeof arg !== 'string' || Number.isNaN(Date.parse(arg))) throw validation(`body failed validation: date filter ${op} should be an ISO 8601 date.`);
  if (value === null) return false;
  const dayOnly = /^\d{4}-\d{2}-\d{2}$/.test(arg);
  const v = dayOnly ? Date.parse(value.slice(0, 10)) : Date.parse(value);
  const a = Date.parse(arg);
  switch (op) {
    case 'equals':
      return v === a;
    case 'before':
      return v < a;
    case 'after':
      return v > a;
    case 'on_or_before':
      return v <= a;
    case 'on_or_after':
      return v >= a;
    default:
      throw validation(`Invalid filter condition: ${op}.`);
  }
}

function listCondition(op: string, arg: unknown, values: string[]): boolean {
  switch (op) {
    case 'contains':
      return values.includes(String(arg));
    case 'does_not_contain':
      return !values.includes(String(arg));
    case 'is_empty':
      return values.length === 0;
    case 'is_not_empty':
      return values.length > 0;
    default:
      throw validation(`Invalid filter condition: ${op}.`);
  }
}

function propertyPredicate(store: NotionStore, ds: DataSourceRecord, schema: PropertySchema, body: Obj): PagePredicate {
  const filterType = Object.keys(body).find((k) => k !== 'property') ?? '';
  const [op, arg] = conditionOf(body, filterType);
  const value = (page: PageRecord): Plain => propertyPlainValue(store, ds, page, schema);
  switch (filterType) {
    case 'title':
    case 'rich_text':
    case 'url':
    case 'email':
    case 'phone_number':
      return (page) => textCondition(op, arg, value(page) as string | null);
    case 'number':
    case 'unique_id':
      return (page) => numberCondition(op, arg, value(page) as number | null);
    case 'checkbox':
      return (page) => (op === 'equals' ? value(page) === arg : value(page) !== arg);
    case 'select':
    case 'status':
      return (page) => {
        const v = value(page) as string | null;
        if (op === 'is_empty') return v === null;
        if (op === 'is_not_empty') return v !== null;
        return op === 'equals' ? v === arg : v !== arg;
      };
    case 'multi_select':
    case 'people':
    case 'relation':
    case 'files':
    case 'created_by':
    case 'last_edited_by':
      return (page) => listCondition(op, arg, value(page) as string[]);
    case 'date':
    case 'created_time':
    case 'last_edited_time':
      return (page) => dateCondition(op, arg, value(page) as string | null);
    case 'formula':
    case 'rollup':
      return (page) => {
        const [innerOp, innerArg] = isObj(arg) ? (Object.entries(arg)[0] ?? ['', null]) : ['', null];
        const v = value(page);
        return typeof v === 'number' ? numberCondition(innerOp, innerArg, v) : textCondition(innerOp, innerArg, v as string);
      };
    default:
      throw validation(`body failed validation: body.filter.${filterType} is not a supported filter type for property "${schema.name}".`);
  }
}

/**
 * Compiles a Notion query filter: property filters, timestamp filters
 * (`{"timestamp":"last_edited_time","last_edited_time":{"on_or_after":…}}`, compared with
 * the minute-rounded times Notion shows) and `and`/`or` compounds.
 */
export function compileFilter(store: NotionStore, ds: DataSourceRecord, filter: unknown): PagePredicate {
  if (filter === undefined || filter === null) return () => true;
  if (!isObj(filter)) throw validation('body failed validation: body.filter should be an object.');
  if (Array.isArray(filter.and)) {
    const parts = filter.and.map((f) => compileFilter(store, ds, f));
    return (page) => parts.every((p) => p(page));
  }
  if (Array.isArray(filter.or)) {
    const parts = filter.or.map((f) => compileFilter(store, ds, f));
    return (page) => parts.some((p) => p(page));
  }
  if (typeof filter.timestamp === 'string') {
    const which = filter.timestamp;
    if (which !== 'created_time' && which !== 'last_edited_time') throw validation(`body failed validation: body.filter.timestamp should be "created_time" or "last_edited_time".`);
    const [op, arg] = conditionOf(filter, which);
    return (page) => dateCondition(op, arg, minuteIso(which === 'created_time' ? page.createdAt : page.editedAt));
  }
  if (typeof filter.property === 'string') {
    const schema = store.propertyOf(ds, filter.property);
    if (!schema) throw validation(`Could not find property with name or id: ${filter.property}`);
    return propertyPredicate(store, ds, schema, filter);
  }
  throw validation('body failed validation: body.filter should define property, timestamp, and or or.');
}
