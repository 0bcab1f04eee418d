/**
 * Input checks of host writes (pure). Every failure is VALIDATION_FAILED naming the
 * field at fault (`body.type`, `body.items[3].fields.email`), so the API answers a 400
 * the caller can act on, and a bulk call reports each bad item on its own.
 */
import { TributaryError } from '../../domain/errors.ts';

export type BulkItem =
  | { readonly op: 'create'; readonly type: string; readonly fields: Record<string, unknown> }
  | { readonly op: 'update'; readonly id: string; readonly fields: Record<string, unknown>; readonly expectedVersion?: number }
  | { readonly op: 'delete'; readonly id: string; readonly expectedVersion?: number };

const TYPE = /^[a-z][a-z0-9_]{0,63}$/;
const ENTITY_ID = /^ent_[0-9A-Za-z_-]{1,64}$/;
/** Field names are the mapping's entity-side names: no empty names, no path syntax. */
const FIELD = /^[A-Za-z_$][\w$-]{0,127}$/;
const MAX_FIELDS = 500;
const MAX_DEPTH = 8;

const invalid = (field: string, message: string): TributaryError => new TributaryError('VALIDATION_FAILED', `${field}: ${message}`, { field });

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export function checkType(value: unknown, field: string): string {
  if (typeof value !== 'string' || !TYPE.test(value)) throw invalid(field, 'expected an entity type: lower-case letters, digits and _ (person, organization, deal)');
  return value;
}

/** Entity fields: an object of at most 500 named JSON values, nested at most 8 deep. */
export function checkFields(value: unknown, field: string): Record<string, unknown> {
  if (!isObject(value)) throw invalid(field, 'expected an object of field values');
  const names = Object.keys(value);
  if (names.length > MAX_FIELDS) throw invalid(field, `at most ${MAX_FIELDS} fields`);
  for (const name of names) {
    if (!FIELD.test(name)) throw invalid(`${field}.${name}`, 'not a valid field name (letters, digits, _ and -, starting with a letter or _)');
    checkJson(value[name], `${field}.${name}`, 0);
  }
  return value;
}

function checkJson(value: unknown, field: string, depth: number): void {
  if (depth > MAX_DEPTH) throw invalid(field, `nested deeper than ${MAX_DEPTH} levels`);
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw invalid(field, 'expected a finite number');
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => checkJson(item, `${field}[${i}]`, depth + 1));
    return;
  }
  if (isObject(value)) {
    for (const [key, item] of Object.entries(value)) checkJson(item, `${field}.${key}`, depth + 1);
    return;
  }
  throw invalid(field, 'expected a JSON value');
}

function checkId(value: unknown, field: string): string {
  if (typeof value !== 'string' || !ENTITY_ID.test(value)) throw invalid(field, 'expected an entity id (ent_...)');
  return value;
}

function checkVersion(value: unknown, field: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) throw invalid(field, 'expected a version: an integer from 1');
  return value;
}

/** One bulk item: `{op: create, type, fields}`, `{op: update, id, fields, expectedVersion?}` or `{op: delete, id, expectedVersion?}`. */
export function checkBulkItem(item: unknown, field: string): BulkItem {
  if (!isObject(item)) throw invalid(field, 'expected an object');
  const allowed: Record<string, readonly string[]> = { create: ['op', 'type', 'fields'], update: ['op', 'id', 'fields', 'expectedVersion'], delete: ['op', 'id', 'expectedVersion'] };
  const op = item.op;
  if (op !== 'create' && op !== 'update' && op !== 'delete') throw invalid(`${field}.op`, 'expected create, update or delete');
  for (const key of Object.keys(item)) if (!allowed[op]!.includes(key)) throw invalid(`${field}.${key}`, `not allowed in a ${op} item`);
  if (op === 'create') return { op, type: checkType(item.type, `${field}.type`), fields: checkFields(item.fields, `${field}.fields`) };
  const id = checkId(item.id, `${field}.id`);
  const expectedVersion = checkVersion(item.expectedVersion, `${field}.expectedVersion`);
  const version = expectedVersion === undefined ? {} : { expectedVersion };
  if (op === 'update') return { op, id, fields: checkFields(item.fields, `${field}.fields`), ...version };
  return { op, id, ...version };
}
