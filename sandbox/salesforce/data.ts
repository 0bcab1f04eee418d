import { SandboxHttpError } from '../core/errors.ts';
import type { SandboxContext } from '../core/types.ts';
import { idKey, makeId } from './ids.ts';
import { sfError } from './errors.ts';
import { OBJECTS, objectDef, type FieldDef, type ObjectDef } from './schema.ts';
import { ObjectStore, type SfRecord } from './store.ts';

export type ChangeKind = 'created' | 'updated' | 'deleted';
export type ChangeListener = (record: SfRecord, kind: ChangeKind) => void;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * The org's records: one ObjectStore per sObject, id allocation, and the validation that
 * REST writes and control-API edits share (a user editing in the UI meets the same rules).
 * Every change moves SystemModstamp to the clock's now and notifies the listeners
 * (outbound messages).
 */
export class SalesforceData {
  readonly stores = new Map<string, ObjectStore>(Object.values(OBJECTS).map((def) => [def.name, new ObjectStore(def)]));
  private counters = new Map<string, number>();
  private listeners: ChangeListener[] = [];
  /** Per type: lower-cased External_Id__c value -> record (live records only). */
  private externalIds = new Map<string, Map<string, SfRecord>>();
  orgId = makeId('00D', 1);
  userId = makeId('005', 1);

  constructor(private readonly ctx: () => SandboxContext) {}

  onChange(listener: ChangeListener): void {
    this.listeners.push(listener);
  }

  store(type: string): ObjectStore {
    const def = objectDef(type);
    if (!def) throw sfError(404, 'NOT_FOUND', `The requested resource does not exist`);
    return this.stores.get(def.name) as ObjectStore;
  }

  /** Next id for a type: counters start at a seeded offset so ids look like a real org's. */
  nextId(def: ObjectDef): string {
    const n = (this.counters.get(def.name) ?? 0) + 1;
    this.counters.set(def.name, n);
    return makeId(def.keyPrefix, 1_000_000 + n * 13);
  }

  /** Forgets id counters and external-id indexes (seeding starts over). */
  resetCounters(): void {
    this.counters.clear();
    this.externalIds.clear();
  }

  /** The live record whose external id field has this value (case-insensitive), if any. */
  findByExternalId(def: ObjectDef, field: string, value: string): SfRecord | undefined {
    const f = def.byLowerName.get(field.toLowerCase());
    if (!f?.externalId) {
      throw sfError(404, 'NOT_FOUND', `Provided external ID field does not exist or is not accessible: ${field}`);
    }
    return this.externalIds.get(def.name)?.get(value.toLowerCase());
  }

  /**
   * Upsert by external id (`PATCH /sobjects/{Type}/{Field}/{value}`): updates the matching
   * record or creates one with the field set.
   */
  upsert(type: string, field: string, value: string, input: Record<string, unknown>): { record: SfRecord; created: boolean } {
    const def = this.store(type).def;
    const existing = this.findByExternalId(def, field, value);
    const fieldName = def.byLowerName.get(field.toLowerCase())?.name as string;
    if (existing) return { record: this.update(def.name, existing.id, input), created: false };
    return { record: this.create(def.name, { ...input, [fieldName]: value }), created: true };
  }

  private indexExternalIds(record: SfRecord, previous: Record<string, unknown> | null): void {
    const def = OBJECTS[record.type] as ObjectDef;
    for (const f of def.fields) {
      if (!f.externalId) continue;
      let index = this.externalIds.get(def.name);
      if (!index) {
        index = new Map();
        this.externalIds.set(def.name, index);
      }
      const old = previous?.[f.name];
      if (typeof old === 'string' && index.get(old.toLowerCase()) === record) index.delete(old.toLowerCase());
      const now = record.fields[f.name];
      if (typeof now === 'string' && record.deletedAt === null) index.set(now.toLowerCase(), record);
    }
  }

  private checkUnique(def: ObjectDef, fields: Record<string, unknown>, self: SfRecord | null): void {
    for (const f of def.fields) {
      const v = fields[f.name];
      if (!f.externalId || typeof v !== 'string') continue;
      const other = this.externalIds.get(def.name)?.get(v.toLowerCase());
      if (other && other !== self) {
        throw sfError(400, 'DUPLICATE_VALUE', `duplicate value found: ${f.name} duplicates value on record with id: ${other.id}`, []);
      }
    }
  }

  /** A record by id (15 or 18), live or deleted; 400 MALFORMED_ID / 404 NOT_FOUND otherwise. */
  find(def: ObjectDef, id: string): SfRecord {
    const key = idKey(id);
    if (!key || !key.startsWith(def.keyPrefix)) throw sfError(400, 'MALFORMED_ID', `${def.label} ID: id value of incorrect type: ${id}`, ['Id']);
    const r = this.stores.get(def.name)?.get(key);
    if (!r) throw sfError(404, 'NOT_FOUND', 'The requested resource does not exist');
    return r;
  }

  create(type: string, input: Record<string, unknown>): SfRecord {
    const store = this.store(type);
    const def = store.def;
    const fields = this.validate(def, input, 'create');
    this.checkUnique(def, fields, null);
    const now = this.ctx().clock.now();
    const id = this.nextId(def);
    const record: SfRecord = {
      id,
      key: id.slice(0, 15),
      type: def.name,
      fields: { OwnerId: this.userId, CreatedById: this.userId, LastModifiedById: this.userId, IsDeleted: false, ...fields },
      created: now,
      modstamp: now,
      deletedAt: null,
      truthId: null,
    };
    computeDerived(record);
    store.insert(record);
    this.indexExternalIds(record, null);
    this.emit(record, 'created');
    return record;
  }

  update(type: string, id: string, input: Record<string, unknown>): SfRecord {
    const store = this.store(type);
    const record = this.find(store.def, id);
    if (record.deletedAt !== null) throw sfError(404, 'ENTITY_IS_DELETED', 'entity is deleted');
    const fields = this.validate(store.def, input, 'update');
    this.checkUnique(store.def, fields, record);
    const previous = { ...record.fields };
    Object.assign(record.fields, fields);
    record.fields.LastModifiedById = this.userId;
    computeDerived(record);
    store.touch(record, this.ctx().clock.now());
    this.indexExternalIds(record, previous);
    this.emit(record, 'updated');
    return record;
  }

  remove(type: string, id: string): SfRecord {
    const store = this.store(type);
    const record = this.find(store.def, id);
    if (record.deletedAt !== null) throw sfError(404, 'ENTITY_IS_DELETED', 'entity is deleted');
    store.markDeleted(record, this.ctx().clock.now());
    this.indexExternalIds(record, { ...record.fields });
    if (record.truthId) this.ctx().truth.forget('salesforce', record.type, record.id);
    this.emit(record, 'deleted');
    return record;
  }

  /** Salesforce's field validation: unknown or read-only fields, required, email, picklists, references, lengths. */
  validate(def: ObjectDef, input: Record<string, unknown>, mode: 'create' | 'update'): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const readOnly: string[] = [];
    for (const [name, raw] of Object.entries(input)) {
      if (name === 'attributes') continue;
      const field = def.byLowerName.get(name.toLowerCase());
      if (!field) throw sfError(400, 'INVALID_FIELD', `No such column '${name}' on sobject of type ${def.name}`);
      if (mode === 'create' ? !field.createable : !field.updateable) {
        readOnly.push(field.name);
        continue;
      }
      out[field.name] = this.coerce(field, raw);
    }
    if (readOnly.length > 0) {
      throw sfError(
        400,
        'INVALID_FIELD_FOR_INSERT_UPDATE',
        `Unable to create/update fields: ${readOnly.join(', ')}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
        readOnly,
      );
    }
    const missing = def.fields.filter((f) => f.required && (mode === 'create' ? isBlank(out[f.name]) : f.name in out && isBlank(out[f.name]))).map((f) => f.name);
    if (missing.length > 0) throw sfError(400, 'REQUIRED_FIELD_MISSING', `Required fields are missing: [${missing.join(', ')}]`, missing);
    return out;
  }

  private coerce(field: FieldDef, raw: unknown): unknown {
    if (raw === null || raw === undefined || raw === '') return null;
    switch (field.type) {
      case 'int':
      case 'currency':
      case 'percent': {
        const n = typeof raw === 'number' ? raw : Number(raw);
        if (!Number.isFinite(n)) throw sfError(400, 'JSON_PARSER_ERROR', `Cannot deserialize instance of ${field.type === 'int' ? 'int' : 'double'} from VALUE_STRING value ${String(raw)}`);
        return field.type === 'int' ? Math.trunc(n) : n;
      }
      case 'boolean':
        return raw === true || raw === 'true';
      case 'date': {
        const s = String(raw);
        if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) throw sfError(400, 'JSON_PARSER_ERROR', `Cannot deserialize instance of date from VALUE_STRING value ${s}`);
        return s;
      }
      case 'email': {
        const s = String(raw);
        if (!EMAIL.test(s)) throw sfError(400, 'INVALID_EMAIL_ADDRESS', `${field.label}: invalid email address: ${s}`, [field.name]);
        return lengthChecked(field, s);
      }
      case 'reference': {
        const s = String(raw);
        const target = field.referenceTo ? OBJECTS[field.referenceTo] : undefined;
        const key = idKey(s);
        if (target) {
          const r = key ? this.stores.get(target.name)?.get(key) : undefined;
          if (!r || r.deletedAt !== null) {
            throw sfError(400, 'INVALID_CROSS_REFERENCE_KEY', `invalid cross reference id`, [field.name]);
          }
          return r.id;
        }
        if (!key) throw sfError(400, 'MALFORMED_ID', `${field.label}: id value of incorrect type: ${s}`, [field.name]);
        return s;
      }
      case 'picklist': {
        const s = String(raw);
        if (field.restricted && !(field.picklist ?? []).includes(s)) {
          throw sfError(400, 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', `${field.label}: bad value for restricted picklist field: ${s}`, [field.name]);
        }
        return s;
      }
      default:
        return lengthChecked(field, String(raw));
    }
  }

  private emit(record: SfRecord, kind: ChangeKind): void {
    for (const l of this.listeners) l(record, kind);
  }
}

function lengthChecked(field: FieldDef, s: string): string {
  if (field.length && s.length > field.length) {
    throw sfError(400, 'STRING_TOO_LONG', `${field.label}: data value too large: ${s.slice(0, 40)} (max length=${field.length})`, [field.name]);
  }
  return s;
}

function isBlank(v: unknown): boolean {
  return v === undefined || v === null || v === '';
}

/** Fields Salesforce computes: Contact.Name from FirstName and LastName. */
export function computeDerived(record: SfRecord): void {
  if (record.type === 'Contact') {
    const first = record.fields.FirstName;
    const last = record.fields.LastName;
    record.fields.Name = [first, last].filter((x) => typeof x === 'string' && x !== '').join(' ');
  }
}

/** A control-API error from a Salesforce error: same status, the Salesforce message. */
export function toControlError(error: unknown): unknown {
  const e = error as { statusCode?: number; message?: string; errors?: { errorCode: string }[] };
  if (typeof e?.statusCode === 'number' && e.errors) return new SandboxHttpError(e.statusCode, `${e.errors[0]?.errorCode}: ${e.message}`);
  return error;
}
