/**
 * How the push sees a provider record through the integration's mapping (pure): the
 * mapped view of its first target, the fields a push may write, the provider-side patch
 * for entity values, and the base snapshot a push leaves on the link.
 *
 * The base a push stores must be exactly what the next pull maps from the same record
 * (same keys, same order: the pull compares base and mapped fields as JSON), or the
 * pull would see a change where there is none and the write would echo.
 */
import { TributaryError } from '../../domain/errors.ts';
import type { MappingDocument } from '../../domain/mapping.ts';
import { applyInverse, applyMapping, getCompiledMapping, invertMapping, type CompiledMapping } from '../../mapping/index.ts';
import type { ExternalRecord } from '../../providers/provider.ts';

/** A provider record mapped to entity field names. */
export interface RecordView {
  readonly externalId: string;
  readonly fields: Record<string, unknown>;
  readonly version: string | null;
  readonly modifiedAt: string | null;
}

/** The push side of a mapping, compiled once per mapping document. */
export interface PushMapping {
  readonly compiled: CompiledMapping;
  /** The entity type and link object of the first target (the record itself). */
  readonly entityType: string;
  readonly object: string;
  /** Entity fields of the first target, in the mapping's order (the pull's key order). */
  readonly fieldOrder: readonly string[];
  /** Entity fields that can be written back, with the top-level provider keys each writes. */
  readonly writable: ReadonlyMap<string, readonly string[]>;
}

const cache = new WeakMap<object, PushMapping>();

/** The first segment of a mapping path: what a provider replaces as a whole (`names[0].givenName` -> `names`). */
function topKey(path: string): string {
  const match = /^[^.[]+/.exec(path);
  return match ? match[0] : path;
}

export function pushMappingOf(mapping: MappingDocument): PushMapping {
  let push = cache.get(mapping);
  if (push) return push;
  const compiled = getCompiledMapping(mapping);
  const first = mapping.targets[0];
  if (first === undefined) throw new TributaryError('VALIDATION_FAILED', 'The mapping has no target', { field: 'mapping.targets' });
  const writable = new Map<string, readonly string[]>();
  for (const field of invertMapping(compiled).writable) writable.set(field.field, [...new Set(field.sources.map(topKey))]);
  push = { compiled, entityType: first.entityType, object: first.object ?? mapping.source.object, fieldOrder: first.fields.map((f) => f.target), writable };
  cache.set(mapping, push);
  return push;
}

/** The record as the pull would map it; PROVIDER_BAD_DATA when it does not map. */
export function viewOf(push: PushMapping, record: ExternalRecord): RecordView {
  const result = applyMapping(push.compiled, record.data);
  const entity = result.entities[0];
  if (result.failed || entity === undefined) {
    const reason = result.errors.map((e) => `${e.field}: ${e.reason}`).join('; ') || 'no entity';
    throw new TributaryError('PROVIDER_BAD_DATA', `The provider's record ${record.id} does not map: ${reason}`, { details: { externalId: record.id } });
  }
  return { externalId: entity.externalId, fields: entity.fields, version: entity.remoteVersion ?? record.version, modifiedAt: record.modifiedAt };
}

/**
 * The provider-side patch that writes `changed` fields, taking their values from
 * `values`. Fields sharing a top-level provider key with a changed field go along (a
 * provider replaces `names` or `phoneNumbers` whole: sending only givenName would erase
 * familyName). VALIDATION_FAILED names a field whose value has no provider form.
 */
export function patchFor(push: PushMapping, changed: readonly string[], values: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const keys = new Set(changed.flatMap((field) => push.writable.get(field) ?? []));
  const picked: Record<string, unknown> = {};
  for (const [field, tops] of push.writable) {
    if (tops.some((key) => keys.has(key))) picked[field] = values[field] ?? null;
  }
  const inverse = applyInverse(push.compiled, picked);
  const error = inverse.errors[0];
  if (error) throw new TributaryError('VALIDATION_FAILED', `fields.${error.field} cannot be written to the provider: ${error.reason}`, { field: `fields.${error.field}` });
  return inverse.patch;
}

/**
 * The base snapshot after a push: the provider's view `after`, in the mapping's key
 * order. Read-only fields the write response leaves out keep their old base (a relation's
 * name that only the query returns); `keepOld` fields (conflicts waiting for a person)
 * keep their old base so they stay conflicts.
 */
export function baseAfterPush(push: PushMapping, after: Readonly<Record<string, unknown>>, oldBase: Readonly<Record<string, unknown>> | null, keepOld: ReadonlySet<string> = new Set()): Record<string, unknown> {
  const base: Record<string, unknown> = {};
  for (const field of push.fieldOrder) {
    if (keepOld.has(field)) {
      if (oldBase && field in oldBase) base[field] = oldBase[field];
    } else if (field in after) {
      base[field] = after[field];
    } else if (!push.writable.has(field) && oldBase && field in oldBase) {
      base[field] = oldBase[field];
    }
  }
  return base;
}
