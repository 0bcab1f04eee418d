/**
 * Compiles a validated mapping document once (paths parsed, transforms resolved with their
 * arguments) into a CompiledMapping whose `apply` is cheap per record. This is the ingest
 * hot path: no parsing, lookups or allocation beyond the output happen per record.
 */
import type {
  EntityRef,
  FieldMapping,
  MappingContext,
  MappingDocument,
  MappingIssue,
  MappedEntity,
  MappedRelationship,
  MappingResult,
  TransformCall,
  ValueSpec,
} from '../domain/mapping.ts';
import { compilePath, parsePath, setField } from './path.ts';
import type { ParsedPath, PathGetter, PathScope } from './path.ts';
import { getTransform } from './transforms/registry.ts';
import type { TransformContext, TransformFn } from './transforms/types.ts';
import { assertValidMapping } from './validate.ts';

export interface Step {
  readonly name: string;
  readonly fn: TransformFn;
  readonly acceptsNullish: boolean;
}

/** A value spec made runnable: where to read, then which steps to run. */
export interface CompiledValue {
  /** One parsed path per source (empty for a field without source). */
  readonly paths: readonly ParsedPath[];
  readonly multi: boolean;
  readonly read: (scope: PathScope) => unknown;
  readonly steps: readonly Step[];
  readonly calls: readonly TransformCall[];
}

export interface CompiledField {
  readonly spec: FieldMapping;
  readonly label: string;
  readonly value: CompiledValue;
  /** Writes the value into the entity's fields (a plain key, or nested for dotted targets). */
  readonly write: (fields: Record<string, unknown>, value: unknown) => void;
}

function fieldWriter(target: string): CompiledField['write'] {
  if (!target.includes('.')) return (fields, value) => {
    fields[target] = value;
  };
  return (fields, value) => setField(fields, target, value);
}

interface CompiledRelationship {
  readonly kind: string;
  readonly toEntityType: string;
  readonly toObject: string;
  readonly value: CompiledValue;
  /** `via` is a projection: the transforms run on each value found. */
  readonly perElement: boolean;
  readonly label: string;
}

export interface CompiledTarget {
  readonly name: string;
  readonly entityType: string;
  readonly object: string;
  readonly key: CompiledValue;
  readonly each: PathGetter | null;
  readonly optional: boolean;
  readonly version: PathGetter | null;
  readonly tombstone: { get: PathGetter; equals: unknown; truthy: boolean } | null;
  readonly fields: readonly CompiledField[];
  readonly relationships: readonly CompiledRelationship[];
  /** The record paths this target reads (CompiledMapping.recordPaths). */
  readonly recordPaths: readonly string[];
}

export interface CompiledMapping {
  readonly document: MappingDocument;
  readonly targets: readonly CompiledTarget[];
  /**
   * The paths the mapping reads from a record, as their leading keys (`Email`,
   * `Account.Name`, `emails` for `emails[0].value`), each once: what a read asks the
   * provider for (ReadOptions.paths).
   */
  readonly recordPaths: readonly string[];
  /** Maps one record; never throws for bad data. */
  apply(record: unknown, context?: MappingContext): MappingResult;
}

function compileSteps(calls: readonly TransformCall[] | undefined): Step[] {
  return (calls ?? []).map((call) => {
    const def = getTransform(call.name);
    if (!def) throw new Error(`unknown transform ${call.name}`); // unreachable after validation
    return { name: def.name, fn: def.make(call.args ?? []), acceptsNullish: def.acceptsNullish === true };
  });
}

export function compileValue(spec: ValueSpec): CompiledValue {
  const texts = spec.sources ?? (spec.source !== undefined ? [spec.source] : []);
  const paths = texts.map(parsePath);
  const getters = paths.map(compilePath);
  let read: (scope: PathScope) => unknown;
  if (spec.sources) {
    // All sources missing reads as missing (so the field is left out), not as [undefined, ...].
    read = (scope) => {
      const values = getters.map((g) => g(scope));
      return values.every((v) => v === undefined) ? undefined : values;
    };
  }
  else if (getters[0]) read = getters[0];
  else read = () => undefined;
  return { paths, multi: spec.sources !== undefined, read, steps: compileSteps(spec.transforms), calls: spec.transforms ?? [] };
}

/** Runs the steps; a nullish value skips steps that do not take one (defaults still run). */
export function runSteps(value: unknown, steps: readonly Step[], ctx: TransformContext): unknown {
  let v = value;
  for (const step of steps) {
    if ((v === null || v === undefined) && !step.acceptsNullish) continue;
    v = step.fn(v, ctx);
  }
  return v;
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function isBlankKey(v: unknown): boolean {
  return v === null || v === undefined || v === '' || (typeof v !== 'string' && typeof v !== 'number');
}

const DEFAULT_CONTEXT: TransformContext = Object.freeze({ defaultRegion: 'US', timeZone: 'UTC' });

/** Resolves the context's defaults once per call (no context, the usual case: one shared object). */
export function transformContext(context: MappingContext | undefined): TransformContext {
  if (context === undefined) return DEFAULT_CONTEXT;
  return { defaultRegion: context.defaultRegion ?? 'US', timeZone: context.timeZone ?? 'UTC' };
}

/**
 * A path's leading keys when it reads the record: `Account.Name`, `emails` of
 * `emails[0].value`. Null for vars, for a path that starts with an index, and for a
 * `current` path under `each` (it reads the element, which the `each` path named).
 */
function recordPathOf(path: ParsedPath, underEach: boolean): string | null {
  if (path.root === 'vars' || (path.root === 'current' && underEach)) return null;
  const keys: string[] = [];
  for (const segment of path.segments) {
    if (segment.kind !== 'key') break;
    keys.push(segment.key);
  }
  return keys.length === 0 ? null : keys.join('.');
}

function compileTarget(doc: MappingDocument, index: number): CompiledTarget {
  const t = doc.targets[index] as MappingDocument['targets'][number];
  const name = t.name ?? t.entityType;
  const keySpec: ValueSpec = typeof t.key === 'string' ? { source: t.key } : (t.key ?? { source: 'id' });
  const each = t.each ? parsePath(t.each) : null;
  const version = t.version ? parsePath(t.version) : null;
  const tombstone = t.tombstone ? parsePath(t.tombstone.source) : null;
  const key = compileValue(keySpec);
  const fields = t.fields.map((spec) => ({ spec, label: `${name}.${spec.target}`, value: compileValue(spec), write: fieldWriter(spec.target) }));
  const relationships = (t.relationships ?? []).map((r) => {
    const value = compileValue({ source: r.via, ...(r.transforms ? { transforms: r.transforms } : {}) });
    return {
      kind: r.kind,
      toEntityType: r.toEntityType,
      toObject: r.toObject ?? r.toEntityType,
      value,
      perElement: value.paths[0]?.projection === true,
      label: `${name}.$relationships.${r.kind}`,
    };
  });
  const read = [each, version, tombstone, ...key.paths, ...fields.flatMap((f) => f.value.paths), ...relationships.flatMap((r) => r.value.paths)];
  return {
    name,
    entityType: t.entityType,
    object: t.object ?? doc.source.object,
    key,
    each: each && compilePath(each),
    optional: t.optional === true,
    version: version && compilePath(version),
    tombstone: tombstone && t.tombstone ? { get: compilePath(tombstone), equals: t.tombstone.equals, truthy: t.tombstone.equals === undefined } : null,
    fields,
    relationships,
    // The `each` path itself reads the record; the paths inside the target read its elements.
    recordPaths: read.flatMap((path) => {
      const keys = path && recordPathOf(path, each !== null && path !== each);
      return keys ? [keys] : [];
    }),
  };
}

/**
 * Validates and compiles a mapping document. Throws TributaryError VALIDATION_FAILED
 * (field = JSON path of the first problem, details.errors = all of them) when invalid.
 */
export function compileMapping(doc: unknown): CompiledMapping {
  const document = assertValidMapping(doc);
  const targets = document.targets.map((_t, i) => compileTarget(document, i));
  const recordPaths = [...new Set(targets.flatMap((t) => t.recordPaths))];
  return { document, targets, recordPaths, apply: (record, context) => applyCompiled(targets, record, context) };
}

function applyCompiled(targets: readonly CompiledTarget[], record: unknown, context: MappingContext | undefined): MappingResult {
  const ctx = transformContext(context);
  const vars = context?.vars;
  const entities: MappedEntity[] = [];
  const relationships: MappedRelationship[] = [];
  const errors: MappingIssue[] = [];
  let failed = false;
  const seenEntities = new SeenRefs<MappedEntity, EntityRef>(entities, sameRef, entityKey);
  const seenRelationships = new SeenRefs<MappedRelationship, MappedRelationship>(relationships, sameRelationship, relationshipKey);

  for (const target of targets) {
    let elements: unknown[];
    if (target.each) {
      const found = target.each({ current: record, record, vars });
      elements = Array.isArray(found) ? found : found === undefined || found === null ? [] : [found];
    } else elements = [record];

    for (const element of elements) {
      const scope: PathScope = { current: element, record, vars };
      let key: unknown;
      let keyError: string | null = null;
      try {
        key = runSteps(target.key.read(scope), target.key.steps, ctx);
      } catch (e) {
        keyError = reasonOf(e);
      }
      if (keyError !== null || isBlankKey(key)) {
        if (keyError !== null) errors.push({ field: `${target.name}.$key`, reason: keyError });
        if (!target.optional) {
          failed = true;
          if (keyError === null) errors.push({ field: `${target.name}.$key`, reason: 'the record has no external id for this entity' });
        }
        continue;
      }
      const externalId = String(key);
      const ref = { entityType: target.entityType, object: target.object, externalId };

      if (!seenEntities.has(ref)) {
        let deleted = false;
        if (target.tombstone) {
          const v = target.tombstone.get(scope);
          deleted = target.tombstone.truthy ? Boolean(v) : v === target.tombstone.equals;
        }
        const fields: Record<string, unknown> = {};
        for (const field of target.fields) {
          let value: unknown;
          let broke = false;
          try {
            value = runSteps(field.value.read(scope), field.value.steps, ctx);
          } catch (e) {
            broke = true;
            errors.push({ field: field.label, reason: reasonOf(e) });
          }
          if ((value === null || value === undefined) && field.spec.default !== undefined && !broke) value = field.spec.default;
          if (value === null || value === undefined) {
            // A deleted record often carries little more than its id: only its key is required.
            if (field.spec.required && !deleted) {
              failed = true;
              if (!broke) errors.push({ field: field.label, reason: 'required field is missing' });
            }
            if (value === null && !broke) field.write(fields, null);
            continue;
          }
          field.write(fields, value);
        }
        let remoteVersion: string | null = null;
        if (target.version) {
          const v = target.version(scope);
          if (v !== null && v !== undefined && v !== '') remoteVersion = String(v);
        }
        seenEntities.add({ entityType: ref.entityType, object: ref.object, externalId, target: target.name, fields, remoteVersion, deleted });
      }

      for (const rel of target.relationships) {
        const raw = rel.value.read(scope);
        const inputs = rel.perElement && Array.isArray(raw) ? raw : [raw];
        for (const input of inputs) {
          let v: unknown;
          try {
            v = runSteps(input, rel.value.steps, ctx);
          } catch (e) {
            errors.push({ field: rel.label, reason: reasonOf(e) });
            continue;
          }
          if (Array.isArray(v) && v.length <= 1) v = v[0];
          if (Array.isArray(v)) {
            errors.push({ field: rel.label, reason: 'gives several values; use a [*] path so that each becomes a relationship' });
            continue;
          }
          if (isBlankKey(v)) continue;
          const relationship = { kind: rel.kind, from: ref, to: { entityType: rel.toEntityType, object: rel.toObject, externalId: String(v) } };
          if (!seenRelationships.has(relationship)) seenRelationships.add(relationship);
        }
      }
    }
  }
  if (failed) return { entities: [], relationships: [], errors, failed: true };
  return { entities, relationships, errors, failed: false };
}

const sameRef = (a: EntityRef, b: EntityRef): boolean => a.externalId === b.externalId && a.object === b.object && a.entityType === b.entityType;
const sameRelationship = (a: MappedRelationship, b: MappedRelationship): boolean => a.kind === b.kind && sameRef(a.to, b.to) && sameRef(a.from, b.from);
const entityKey = (r: EntityRef): string => `${r.entityType}\u0000${r.object}\u0000${r.externalId}`;
const relationshipKey = (r: MappedRelationship): string => `${entityKey(r.from)}\u0000${r.kind}\u0000${entityKey(r.to)}`;

/** Past this many, a record's produced entities (or relationships) are found by key instead of by a scan. */
const SCAN_LIMIT = 16;

/**
 * What one record's targets produced so far, so that each entity and relationship is kept
 * once. A record yields a few, so its list is scanned; a Set of keys takes over only past
 * SCAN_LIMIT (two Sets and their key strings per record were about 50 MB of garbage per
 * 100,000 Salesforce contacts, sampled).
 */
class SeenRefs<T extends P, P> {
  readonly #list: T[];
  readonly #same: (a: P, b: P) => boolean;
  readonly #key: (item: P) => string;
  #keys: Set<string> | null = null;

  constructor(list: T[], same: (a: P, b: P) => boolean, key: (item: P) => string) {
    this.#list = list;
    this.#same = same;
    this.#key = key;
  }

  /** Whether an item the same as `probe` was added. */
  has(probe: P): boolean {
    if (this.#keys !== null) return this.#keys.has(this.#key(probe));
    for (const item of this.#list) if (this.#same(item, probe)) return true;
    return false;
  }

  /** Appends an item `has` said is new to the list. */
  add(item: T): void {
    this.#list.push(item);
    if (this.#keys !== null) this.#keys.add(this.#key(item));
    else if (this.#list.length > SCAN_LIMIT) this.#keys = new Set(this.#list.map(this.#key));
  }
}
