/**
 * Inverse mapping, for push: which entity fields can be written back to the provider
 * record, and the provider-side patch for a set of entity field values. Only the first
 * target (the record itself) is pushed; other targets are other records. A field is
 * writable when it is not marked `writable: false`, reads plain paths (no projection,
 * no `$vars`/`$record`), and every transform it uses has an inverse with its arguments;
 * anything else is reported as not writable with the reason — never guessed.
 */
import type { InverseResult, MappingContext, MappingIssue, NotWritableField } from '../domain/mapping.ts';
import type { CompiledField, CompiledMapping, Step } from './compile.ts';
import { runSteps, transformContext } from './compile.ts';
import { getField, setPath } from './path.ts';
import { getTransform } from './transforms/registry.ts';

/** How one entity field goes back to the provider. */
export interface WritableField {
  /** The entity field (`email`, `address.city`). */
  readonly field: string;
  /** The provider paths written, one per source. */
  readonly sources: readonly string[];
  /** How faithful the inverse is: `exact` unless some step only normalises. */
  readonly kind: 'exact' | 'normalizing';
}

export interface InverseMapping {
  readonly writable: WritableField[];
  readonly notWritable: NotWritableField[];
}

interface InversePlan {
  readonly info: InverseMapping;
  readonly steps: ReadonlyMap<string, { field: CompiledField; steps: Step[] }>;
}

const plans = new WeakMap<CompiledMapping, InversePlan>();

function planFor(compiled: CompiledMapping): InversePlan {
  const cached = plans.get(compiled);
  if (cached) return cached;
  const primary = compiled.targets[0];
  const writable: WritableField[] = [];
  const notWritable: NotWritableField[] = [];
  const steps = new Map<string, { field: CompiledField; steps: Step[] }>();
  const writtenBy = new Map<string, string>();
  for (const field of primary?.fields ?? []) {
    const name = field.spec.target;
    const reason = whyNotWritable(field, writtenBy);
    if (reason) {
      notWritable.push({ field: name, reason });
      continue;
    }
    const inverse: Step[] = [];
    let kind: 'exact' | 'normalizing' = 'exact';
    for (let i = field.value.calls.length - 1; i >= 0; i--) {
      const call = field.value.calls[i] as { name: string; args?: readonly unknown[] };
      const def = getTransform(call.name);
      if (!def?.inverse) continue; // unreachable: checked by whyNotWritable
      if (def.inverse.kind === 'normalizing') kind = 'normalizing';
      inverse.push({ name: def.name, fn: def.inverse.make(call.args ?? [], field.value.paths.length), acceptsNullish: def.acceptsNullish === true });
    }
    for (const p of field.value.paths) writtenBy.set(p.text, name);
    writable.push({ field: name, sources: field.value.paths.map((p) => p.text), kind });
    steps.set(name, { field, steps: inverse });
  }
  const plan = { info: { writable, notWritable }, steps };
  plans.set(compiled, plan);
  return plan;
}

function whyNotWritable(field: CompiledField, writtenBy: ReadonlyMap<string, string>): string | null {
  if (field.spec.writable === false) return 'marked writable: false in the mapping';
  if (field.value.paths.length === 0) return 'has no source to write to';
  for (const p of field.value.paths) {
    if (!p.writable) return `source path "${p.text}" is not a writable path (projection, filter, context value or reserved key)`;
    const other = writtenBy.get(p.text);
    if (other !== undefined) return `source path "${p.text}" is already written by field "${other}"`;
  }
  for (const call of field.value.calls) {
    const def = getTransform(call.name);
    if (!def?.inverse) return `transform ${call.name} has no inverse`;
    if (def.inverse.available && !def.inverse.available(call.args ?? [])) return `transform ${call.name} has no inverse with these arguments`;
  }
  if (field.value.multi && field.value.calls.length === 0) return 'several sources and no transform to split the value between them';
  return null;
}

/** Which fields of the first target can be pushed back, and why the others cannot. */
export function inverseOf(compiled: CompiledMapping): InverseMapping {
  return planFor(compiled).info;
}

/**
 * The provider-side patch for the given entity fields (all or only the changed ones).
 * Fields absent from `entityFields` are left out; present but unwritable ones are listed
 * in `notWritable`; a null value is written as null (clearing the provider field).
 */
export function inverseApply(compiled: CompiledMapping, entityFields: Record<string, unknown>, context?: MappingContext): InverseResult {
  const plan = planFor(compiled);
  const ctx = transformContext(context);
  const patch: Record<string, unknown> = {};
  const notWritable: NotWritableField[] = [];
  const errors: MappingIssue[] = [];
  for (const entry of plan.info.notWritable) {
    if (getField(entityFields, entry.field).found) notWritable.push(entry);
  }
  for (const [name, { field, steps }] of plan.steps) {
    const { found, value } = getField(entityFields, name);
    if (!found) continue;
    let out: unknown;
    try {
      out = runSteps(value, steps, ctx);
    } catch (e) {
      errors.push({ field: name, reason: e instanceof Error ? e.message : String(e) });
      continue;
    }
    const paths = field.value.paths;
    if (field.value.multi) {
      if (out === null || out === undefined) {
        for (const p of paths) setPath(patch, p, null);
        continue;
      }
      if (!Array.isArray(out) || out.length !== paths.length) {
        errors.push({ field: name, reason: `the inverse does not give one value per source (${paths.length})` });
        continue;
      }
      paths.forEach((p, i) => setPath(patch, p, out[i] ?? null));
    } else {
      setPath(patch, paths[0] as NonNullable<(typeof paths)[0]>, out === undefined ? null : out);
    }
  }
  return { patch, notWritable, errors };
}
