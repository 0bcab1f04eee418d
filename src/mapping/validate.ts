/**
 * Validation of a mapping document: the TypeBox schema first (shape), then meaning:
 * paths parse, transforms exist with the right number and types of arguments and fit
 * together, target fields are unique. Every problem comes with the JSON path of the
 * offending part (`/targets/0/fields/2/transforms/1/args/0`), ready for a 400 that names it.
 */
import { Value } from 'typebox/value';
import { isSupportedCountry } from 'libphonenumber-js';
import { TributaryError } from '../domain/errors.ts';
import type { MappingDocument, MappingValidationError, TransformCall, ValueSpec } from '../domain/mapping.ts';
import { PathSyntaxError, UNSAFE_KEYS, parsePath } from './path.ts';
import { MappingDocumentSchema } from './schema.ts';
import { getTransform } from './transforms/registry.ts';
import type { ArgSpec, ValueType } from './transforms/types.ts';
import { isTimeZone } from './transforms/dates.ts';

type Errors = MappingValidationError[];

const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

function checkPath(text: string | undefined, at: string, errors: Errors): void {
  if (text === undefined) return;
  try {
    parsePath(text);
  } catch (e) {
    errors.push({ path: at, reason: e instanceof PathSyntaxError ? e.message : `bad path "${text}"` });
  }
}

function argProblem(spec: ArgSpec, value: unknown): string | null {
  const is = (ok: boolean, what: string) => (ok ? null : `must be ${what}`);
  switch (spec.type) {
    case 'any':
      return null;
    case 'string':
      if (typeof value !== 'string') return 'must be a string';
      return spec.oneOf && !spec.oneOf.includes(value) ? `must be one of ${spec.oneOf.map((x) => JSON.stringify(x)).join(', ')}` : null;
    case 'number':
      return is(typeof value === 'number' && Number.isFinite(value), 'a number');
    case 'integer':
      return is(Number.isInteger(value), 'an integer');
    case 'boolean':
      return is(typeof value === 'boolean', 'a boolean');
    case 'object':
      return is(typeof value === 'object' && value !== null && !Array.isArray(value), 'an object');
    case 'array':
      return is(Array.isArray(value), 'an array');
    case 'timezone':
      return is(typeof value === 'string' && isTimeZone(value), 'an IANA time zone such as "Europe/Paris"');
    case 'region':
      return is(typeof value === 'string' && isSupportedCountry(value), 'an ISO 3166-1 alpha-2 region such as "GB"');
    case 'currency':
      return is(typeof value === 'string' && CURRENCIES.has(value), 'an ISO 4217 currency code such as "EUR"');
    case 'path':
      if (typeof value !== 'string') return 'must be a path string';
      try {
        parsePath(value);
        return null;
      } catch (e) {
        return `is not a valid path (${(e as Error).message})`;
      }
    case 'regex':
      if (typeof value !== 'string') return 'must be a regular expression source string';
      try {
        new RegExp(value);
        return null;
      } catch (e) {
        return `is not a valid regular expression (${(e as Error).message})`;
      }
  }
}

function fits(out: ValueType, input: ValueType): boolean {
  return out === 'any' || input === 'any' || out === input || (out === 'integer' && input === 'number');
}

/** Checks a transform chain; `initial` is what the source gives (`array` for `sources`). */
function checkTransforms(calls: readonly TransformCall[] | undefined, at: string, initial: ValueType, errors: Errors): void {
  let current = initial;
  let previous = initial === 'array' ? 'the sources' : 'the source';
  (calls ?? []).forEach((call, i) => {
    const here = `${at}/${i}`;
    const def = getTransform(call.name);
    if (!def) {
      errors.push({ path: `${here}/name`, reason: `unknown transform "${call.name}"` });
      current = 'any';
      return;
    }
    const args = call.args ?? [];
    const min = def.args.filter((a) => a.required).length;
    if (args.length < min || args.length > def.args.length) {
      const expected = min === def.args.length ? `${min}` : `${min} to ${def.args.length}`;
      errors.push({ path: `${here}/args`, reason: `${def.name} takes ${expected} argument(s), got ${args.length}` });
    } else {
      let argsOk = true;
      args.forEach((value, j) => {
        const spec = def.args[j] as ArgSpec;
        if ((value === null || value === undefined) && !spec.required) return;
        const problem = argProblem(spec, value);
        if (problem) {
          argsOk = false;
          errors.push({ path: `${here}/args/${j}`, reason: `${def.name} argument "${spec.name}" ${problem}` });
        }
      });
      if (argsOk) {
        // The last word: building it must work (regular expression flags, ...).
        try {
          def.make(args);
        } catch (e) {
          errors.push({ path: `${here}/args`, reason: `${def.name} cannot be built with these arguments: ${(e as Error).message}` });
        }
      }
    }
    if (!fits(current, def.input)) {
      errors.push({ path: here, reason: `${def.name} expects ${def.input} but ${previous} gives ${current}` });
    }
    current = def.output;
    previous = def.name;
  });
}

function checkValueSpec(spec: ValueSpec, at: string, errors: Errors, needsSource: boolean): void {
  if (spec.source !== undefined && spec.sources !== undefined) {
    errors.push({ path: `${at}/sources`, reason: 'give either source or sources, not both' });
  }
  const first = spec.transforms?.[0] ? getTransform(spec.transforms[0].name) : undefined;
  if (needsSource && spec.source === undefined && spec.sources === undefined && !first?.acceptsNullish) {
    errors.push({ path: `${at}/source`, reason: 'a source or sources is required (or a first transform such as constant)' });
  }
  checkPath(spec.source, `${at}/source`, errors);
  spec.sources?.forEach((p, i) => checkPath(p, `${at}/sources/${i}`, errors));
  checkTransforms(spec.transforms, `${at}/transforms`, spec.sources ? 'array' : 'any', errors);
}

/** Every problem in a mapping document, each with its JSON path; empty when valid. */
export function validateMapping(doc: unknown): MappingValidationError[] {
  if (!Value.Check(MappingDocumentSchema, doc)) {
    const seen = new Set<string>();
    const errors: Errors = [];
    for (const e of Value.Errors(MappingDocumentSchema, doc)) {
      if (e.keyword === 'boolean') continue; // duplicated by the additionalProperties entry
      const path = e.keyword === 'additionalProperties' ? `${e.instancePath}/${String((e.params as { additionalProperties?: string[] }).additionalProperties?.[0] ?? '')}` : e.instancePath;
      const reason = e.keyword === 'additionalProperties' ? 'unknown property' : e.message;
      const key = `${path}|${reason}`;
      if (!seen.has(key)) {
        seen.add(key);
        errors.push({ path: path === '' ? '/' : path, reason });
      }
    }
    return errors;
  }
  const document = doc as MappingDocument;
  const errors: Errors = [];
  const targetNames = new Map<string, number>();
  document.targets.forEach((target, t) => {
    const at = `/targets/${t}`;
    const name = target.name ?? target.entityType;
    const previous = targetNames.get(name);
    if (previous !== undefined) errors.push({ path: `${at}/name`, reason: `duplicate target name "${name}" (also /targets/${previous}); give each a distinct name` });
    else targetNames.set(name, t);
    if (t === 0) {
      if (target.each !== undefined) errors.push({ path: `${at}/each`, reason: 'the first target is the record itself and cannot use each' });
      if (target.object !== undefined && target.object !== document.source.object) {
        errors.push({ path: `${at}/object`, reason: 'the first target is the record itself: its object is the source object' });
      }
    }
    checkPath(target.each, `${at}/each`, errors);
    checkPath(target.version, `${at}/version`, errors);
    checkPath(target.tombstone?.source, `${at}/tombstone/source`, errors);
    if (typeof target.key === 'string') checkPath(target.key, `${at}/key`, errors);
    else if (target.key) checkValueSpec(target.key, `${at}/key`, errors, true);
    const fieldAt = new Map<string, number>();
    target.fields.forEach((field, f) => {
      const here = `${at}/fields/${f}`;
      if (field.target.split('.').some((part) => UNSAFE_KEYS.has(part))) {
        errors.push({ path: `${here}/target`, reason: `target field "${field.target}" uses a reserved name` });
        return;
      }
      const clash = fieldAt.get(field.target);
      if (clash !== undefined) errors.push({ path: `${here}/target`, reason: `duplicate target field "${field.target}" (also ${at}/fields/${clash})` });
      else {
        for (const [other, index] of fieldAt) {
          if (other.startsWith(`${field.target}.`) || field.target.startsWith(`${other}.`)) {
            errors.push({ path: `${here}/target`, reason: `target field "${field.target}" overlaps "${other}" (${at}/fields/${index})` });
          }
        }
        fieldAt.set(field.target, f);
      }
      checkValueSpec(field, here, errors, true);
    });
    target.relationships?.forEach((rel, r) => {
      const here = `${at}/relationships/${r}`;
      checkPath(rel.via, `${here}/via`, errors);
      checkTransforms(rel.transforms, `${here}/transforms`, 'any', errors);
    });
  });
  return errors;
}

/** Returns the document typed when valid; throws VALIDATION_FAILED naming the first problem's path. */
export function assertValidMapping(doc: unknown): MappingDocument {
  const errors = validateMapping(doc);
  const first = errors[0];
  if (first) {
    throw new TributaryError('VALIDATION_FAILED', `invalid mapping: ${first.path}: ${first.reason}`, {
      field: first.path,
      details: { errors },
    });
  }
  return doc as MappingDocument;
}
