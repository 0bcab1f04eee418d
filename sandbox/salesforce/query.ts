import { idKey, KEY_PREFIXES, makeId } from './ids.ts';
import { OBJECTS, objectDef, type FieldDef, type ObjectDef } from './schema.ts';
import { parseSoql, SoqlError, type Cond, type Op, type Value } from './soql.ts';
import type { ObjectStore, SfRecord } from './store.ts';

/** Salesforce's datetime format: `2024-01-15T10:30:00.000+0000`. */
export function sfDate(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

const DAY = 86_400_000;

/** A selected field path, resolved: a field of the record or of a related record. */
interface Column {
  /** As Salesforce spells it (canonical case). */
  name: string;
  field: FieldDef;
  relationship: { name: string; via: FieldDef; target: ObjectDef } | null;
}

export interface QueryPage {
  totalSize: number;
  done: boolean;
  nextRecordsUrl?: string;
  records: Record<string, unknown>[];
}

interface Cursor {
  locator: string;
  version: string;
  type: string;
  columns: Column[];
  records: readonly SfRecord[];
  batchSize: number;
  lastUsed: number;
}

const MAX_OPEN_CURSORS = 10;
const CURSOR_IDLE_MS = 15 * 60 * 1000;

/**
 * Runs SOQL over the object stores and keeps server-side cursors: a query's matching
 * records are collected once (binary search on SystemModstamp for incremental filters),
 * and every `nextRecordsUrl` page is a slice of that snapshot, so a walk returns each
 * record exactly once even while records change. At most 10 cursors stay open (the
 * oldest is closed, as Salesforce does); idle ones expire after 15 minutes.
 */
export class QueryEngine {
  private cursors = new Map<string, Cursor>();
  private seq = 1;

  constructor(
    private readonly stores: Map<string, ObjectStore>,
    private readonly now: () => number,
  ) {}

  reset(): void {
    this.cursors.clear();
  }

  run(soql: string, options: { all: boolean; batchSize: number; version: string }): QueryPage {
    const q = parseSoql(soql);
    const def = objectDef(q.from);
    if (!def) throw new SoqlError('INVALID_TYPE', `sObject type '${q.from}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name.`);
    const store = this.stores.get(def.name) as ObjectStore;
    const columns = q.count ? [] : q.select.map((path) => this.column(def, path));
    const where = q.where ? this.compile(def, q.where) : null;

    let matched: SfRecord[] = [];
    const idSet = q.where ? directIds(q.where) : null;
    if (idSet) {
      for (const key of idSet) {
        const r = store.get(key);
        if (r && (options.all || r.deletedAt === null) && (!where || where(r))) matched.push(r);
      }
      matched.sort((a, b) => a.modstamp - b.modstamp || (a.id < b.id ? -1 : 1));
    } else {
      const start = q.where ? modstampStart(q.where) : null;
      const { records, start: from } = store.orderedFrom(start?.ms ?? null, start?.inclusive ?? false);
      for (let i = from; i < records.length; i++) {
        const r = records[i] as SfRecord;
        if (!options.all && r.deletedAt !== null) continue;
        if (where && !where(r)) continue;
        matched.push(r);
      }
    }
    if (q.orderBy.length > 0 && !isNaturalOrder(q.orderBy)) {
      const keys = q.orderBy.map((o) => ({ col: this.column(def, o.field), desc: o.desc, nullsLast: o.nullsLast }));
      matched.sort((a, b) => {
        for (const k of keys) {
          const va = this.value(a, k.col);
          const vb = this.value(b, k.col);
          if (va === vb) continue;
          if (va === null) return k.nullsLast ? 1 : -1;
          if (vb === null) return k.nullsLast ? -1 : 1;
          const c = compareValues(va, vb);
          if (c !== 0) return k.desc ? -c : c;
        }
        return 0;
      });
    } else if (q.orderBy[0]?.desc) matched.reverse();
    if (q.offset !== null) matched = matched.slice(q.offset);
    if (q.limit !== null) matched = matched.slice(0, q.limit);
    if (q.count) return { totalSize: matched.length, done: true, records: [] };

    const cursor: Cursor = {
      locator: makeId(KEY_PREFIXES.QueryLocator, this.seq++ * 7919),
      version: options.version,
      type: def.name,
      columns,
      records: matched,
      batchSize: options.batchSize,
      lastUsed: this.now(),
    };
    return this.page(cursor, 0);
  }

  /** The page of an open cursor at `offset` (from `/query/01g…-2000`). */
  more(locatorAndOffset: string): QueryPage | null {
    const m = /^([a-zA-Z0-9]{15,18})-(\d+)$/.exec(locatorAndOffset);
    if (!m) return null;
    this.expire();
    const cursor = this.cursors.get(m[1] as string);
    const offset = Number(m[2]);
    if (!cursor || offset > cursor.records.length) return null;
    cursor.lastUsed = this.now();
    // Most recently used last: eviction takes the least recently used cursor.
    this.cursors.delete(cursor.locator);
    this.cursors.set(cursor.locator, cursor);
    return this.page(cursor, offset);
  }

  private page(cursor: Cursor, offset: number): QueryPage {
    const end = Math.min(cursor.records.length, offset + cursor.batchSize);
    const records = new Array<Record<string, unknown>>(end - offset);
    for (let i = offset; i < end; i++) records[i - offset] = this.project(cursor.records[i] as SfRecord, cursor.columns, cursor.version);
    const done = end >= cursor.records.length;
    const out: QueryPage = { totalSize: cursor.records.length, done, records };
    // A multi-page cursor stays open after its last page (until idle expiry or eviction),
    // so a client may re-read any page after a network fault.
    if (!done) out.nextRecordsUrl = `/services/data/${cursor.version}/query/${cursor.locator}-${end}`;
    if (!this.cursors.has(cursor.locator) && !done) {
      this.cursors.set(cursor.locator, cursor);
      if (this.cursors.size > MAX_OPEN_CURSORS) this.cursors.delete(this.cursors.keys().next().value as string);
    }
    return out;
  }

  private expire(): void {
    const now = this.now();
    for (const [k, c] of this.cursors) if (now - c.lastUsed > CURSOR_IDLE_MS) this.cursors.delete(k);
  }

  /** One record as the REST API returns it, with the given columns (all fields when omitted). */
  project(record: SfRecord, columns: Column[] | null, version: string): Record<string, unknown> {
    const def = OBJECTS[record.type] as ObjectDef;
    const out: Record<string, unknown> = { attributes: { type: record.type, url: `/services/data/${version}/sobjects/${record.type}/${record.id}` } };
    const cols = columns ?? def.fields.map((field) => ({ name: field.name, field, relationship: null }));
    for (const col of cols) {
      if (!col.relationship) {
        out[col.field.name] = render(this.raw(record, col.field), col.field);
        continue;
      }
      const rel = col.relationship;
      const refKey = record.fields[rel.via.name];
      const target = typeof refKey === 'string' ? this.stores.get(rel.target.name)?.get(idKey(refKey) ?? '') : undefined;
      if (!target || target.deletedAt !== null) {
        if (!(rel.name in out)) out[rel.name] = null;
        continue;
      }
      let nested = out[rel.name] as Record<string, unknown> | null | undefined;
      if (!nested) {
        nested = { attributes: { type: target.type, url: `/services/data/${version}/sobjects/${target.type}/${target.id}` } };
        out[rel.name] = nested;
      }
      nested[col.field.name] = render(this.raw(target, col.field), col.field);
    }
    return out;
  }

  private column(def: ObjectDef, path: string): Column {
    const parts = path.split('.');
    if (parts.length === 1) {
      const field = def.byLowerName.get(path.toLowerCase());
      if (!field) throw noSuchColumn(path, def.name);
      return { name: field.name, field, relationship: null };
    }
    if (parts.length === 2) {
      const via = def.relationships.get((parts[0] as string).toLowerCase());
      const target = via?.referenceTo ? OBJECTS[via.referenceTo] : undefined;
      if (!via || !target) {
        throw new SoqlError('INVALID_FIELD', `Didn't understand relationship '${parts[0]}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name.`);
      }
      const field = target.byLowerName.get((parts[1] as string).toLowerCase());
      if (!field) throw noSuchColumn(path, def.name);
      return { name: `${via.relationshipName}.${field.name}`, field, relationship: { name: via.relationshipName as string, via, target } };
    }
    throw noSuchColumn(path, def.name);
  }

  /** The stored value of a field (datetimes as epoch ms). */
  private raw(record: SfRecord, field: FieldDef): unknown {
    switch (field.name) {
      case 'Id':
        return record.id;
      case 'IsDeleted':
        return record.deletedAt !== null;
      case 'CreatedDate':
        return record.created;
      case 'LastModifiedDate':
      case 'SystemModstamp':
        return record.modstamp;
      default: {
        const v = record.fields[field.name];
        return v === undefined || v === '' ? null : v;
      }
    }
  }

  private value(record: SfRecord, col: Column): string | number | boolean | null {
    if (!col.relationship) return this.raw(record, col.field) as string | number | boolean | null;
    const refKey = record.fields[col.relationship.via.name];
    const target = typeof refKey === 'string' ? this.stores.get(col.relationship.target.name)?.get(idKey(refKey) ?? '') : undefined;
    return target ? (this.raw(target, col.field) as string | number | boolean | null) : null;
  }

  private compile(def: ObjectDef, cond: Cond): (r: SfRecord) => boolean {
    switch (cond.kind) {
      case 'and': {
        const parts = cond.items.map((c) => this.compile(def, c));
        return (r) => parts.every((f) => f(r));
      }
      case 'or': {
        const parts = cond.items.map((c) => this.compile(def, c));
        return (r) => parts.some((f) => f(r));
      }
      case 'not': {
        const inner = this.compile(def, cond.item);
        return (r) => !inner(r);
      }
      case 'in': {
        const col = this.column(def, cond.field);
        const tests = cond.values.map((v) => this.predicate(col, '=', v));
        return (r) => {
          const v = this.value(r, col);
          const hit = tests.some((t) => t(v));
          return cond.not ? !hit : hit;
        };
      }
      case 'cmp': {
        const col = this.column(def, cond.field);
        const test = this.predicate(col, cond.op, cond.value);
        return (r) => test(this.value(r, col));
      }
    }
  }

  private predicate(col: Column, op: Op, value: Value): (v: string | number | boolean | null) => boolean {
    const type = col.field.type;
    if (value.kind === 'null') {
      if (op === '=') return (v) => v === null;
      if (op === '!=') return (v) => v !== null;
      throw new SoqlError('MALFORMED_QUERY', `invalid operator on null: ${op}`);
    }
    if (type === 'datetime') {
      if (value.kind === 'string') {
        throw new SoqlError('INVALID_FIELD', `value of filter criterion for field '${col.name}' must be of type dateTime and should not be enclosed in quotes`);
      }
      let lo: number;
      let hi: number;
      if (value.kind === 'datetime') lo = hi = value.ms;
      else if (value.kind === 'date') {
        lo = Date.parse(`${value.text}T00:00:00Z`);
        hi = lo + DAY;
        if (op === '=' || op === '!=') return rangeTest(op, lo, hi);
        return cmpTest(op, op === '>' || op === '<=' ? hi - 1 : lo);
      } else if (value.kind === 'relative') {
        const today = Math.floor(this.now() / DAY) * DAY;
        if (value.name === 'TODAY') [lo, hi] = [today, today + DAY];
        else if (value.name === 'YESTERDAY') [lo, hi] = [today - DAY, today];
        else [lo, hi] = [today - value.n * DAY, this.now() + 1];
        if (op === '=' || op === '!=') return rangeTest(op, lo, hi);
        return cmpTest(op, op === '>' || op === '<=' ? hi - 1 : lo);
      } else throw new SoqlError('INVALID_FIELD', `value of filter criterion for field '${col.name}' must be of type dateTime`);
      return cmpTest(op, lo);
    }
    if (type === 'date') {
      if (value.kind !== 'date') throw new SoqlError('INVALID_FIELD', `value of filter criterion for field '${col.name}' must be of type date and should not be enclosed in quotes`);
      return cmpTest(op, value.text);
    }
    if (type === 'boolean') {
      if (value.kind !== 'boolean') throw new SoqlError('INVALID_FIELD', `value of filter criterion for field '${col.name}' must be of type boolean and should not be enclosed in quotes`);
      return cmpTest(op, value.value);
    }
    if (type === 'int' || type === 'currency' || type === 'percent') {
      if (value.kind !== 'number') throw new SoqlError('INVALID_FIELD', `value of filter criterion for field '${col.name}' must be of type double and should not be enclosed in quotes`);
      return cmpTest(op, value.value);
    }
    if (value.kind !== 'string') throw new SoqlError('INVALID_FIELD', `value of filter criterion for field '${col.name}' must be of type string and should be enclosed in quotes`);
    if (type === 'id' || type === 'reference') {
      const key = idKey(value.value) ?? value.value;
      if (op === '=') return (v) => typeof v === 'string' && v.slice(0, 15) === key;
      if (op === '!=') return (v) => typeof v !== 'string' || v.slice(0, 15) !== key;
      return cmpTest(op, value.value);
    }
    const needle = value.value.toLowerCase();
    if (op === 'like') {
      const re = new RegExp(`^${needle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%/g, '.*').replace(/_/g, '.')}$`, 's');
      return (v) => typeof v === 'string' && re.test(v.toLowerCase());
    }
    const lower = (v: string | number | boolean | null) => (typeof v === 'string' ? v.toLowerCase() : v);
    const test = cmpTest(op, needle);
    return (v) => test(lower(v));
  }
}

function rangeTest(op: '=' | '!=', lo: number, hi: number) {
  return (v: string | number | boolean | null) => {
    const inside = typeof v === 'number' && v >= lo && v < hi;
    return op === '=' ? inside : !inside;
  };
}

function cmpTest(op: Op, target: string | number | boolean) {
  return (v: string | number | boolean | null): boolean => {
    if (op === '=') return v === target;
    if (op === '!=') return v !== target;
    if (v === null || typeof v !== typeof target) return false;
    const c = compareValues(v, target);
    switch (op) {
      case '<':
        return c < 0;
      case '<=':
        return c <= 0;
      case '>':
        return c > 0;
      case '>=':
        return c >= 0;
      default:
        return false;
    }
  };
}

function compareValues(a: string | number | boolean, b: string | number | boolean): number {
  if (typeof a === 'string' && typeof b === 'string') return a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0;
  return a < b ? -1 : a > b ? 1 : 0;
}

function render(value: unknown, field: FieldDef): unknown {
  if (value === null || value === undefined) return null;
  if (field.type === 'datetime' && typeof value === 'number') return sfDate(value);
  return value;
}

function noSuchColumn(path: string, type: string): SoqlError {
  return new SoqlError('INVALID_FIELD', `\n${path}\n^\nERROR at Row:1:Column:8\nNo such column '${path}' on entity '${type}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`);
}

const isModstampField = (f: string) => /^(systemmodstamp|lastmodifieddate)$/i.test(f);

function isNaturalOrder(orderBy: { field: string; desc: boolean }[]): boolean {
  return orderBy.length === 1 && isModstampField((orderBy[0] as { field: string }).field);
}

/** A lower bound on SystemModstamp implied by the WHERE clause (top level or top-level AND). */
function modstampStart(where: Cond): { ms: number; inclusive: boolean } | null {
  const conds = where.kind === 'and' ? where.items : [where];
  let best: { ms: number; inclusive: boolean } | null = null;
  for (const c of conds) {
    if (c.kind !== 'cmp' || !isModstampField(c.field) || c.value.kind !== 'datetime') continue;
    if (c.op !== '>' && c.op !== '>=') continue;
    if (!best || c.value.ms > best.ms) best = { ms: c.value.ms, inclusive: c.op === '>=' };
  }
  return best;
}

/** The record keys named by `Id = '…'` / `Id IN (…)` at the top level, if any. */
function directIds(where: Cond): string[] | null {
  const conds = where.kind === 'and' ? where.items : [where];
  for (const c of conds) {
    if (c.kind === 'cmp' && c.op === '=' && c.field.toLowerCase() === 'id' && c.value.kind === 'string') return [idKey(c.value.value) ?? ''];
    if (c.kind === 'in' && !c.not && c.field.toLowerCase() === 'id') {
      return c.values.map((v) => (v.kind === 'string' ? (idKey(v.value) ?? '') : ''));
    }
  }
  return null;
}
