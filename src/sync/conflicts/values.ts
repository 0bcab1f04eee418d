/**
 * Value comparison for conflict detection: deep equality that treats an absent field and
 * `null` as the same "empty" value, a canonical JSON form (sorted keys) for hashing, and
 * the per-field normalised comparison hook.
 *
 * Why absent == null: providers disagree on how they say "no value" (Salesforce sends
 * `null`, Google omits the key, the host product may do either); counting that as a
 * change would make every first round trip look like an edit.
 */

/**
 * An optional normalised comparison, e.g. an E.164 phone equal to its national format.
 * It can only make values equal that deep equality finds different, never the reverse,
 * so a hook that knows nothing of a field can simply return false.
 */
export type FieldEquals = (field: string, a: unknown, b: unknown) => boolean;

/** True for `undefined` and `null`: the field holds no value. */
export function isEmpty(value: unknown): boolean {
  return value === undefined || value === null;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/**
 * Deep structural equality of JSON-like values. Arrays compare in order; object keys
 * whose value is empty are ignored; Dates compare by instant.
 */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (isEmpty(a) || isEmpty(b)) return isEmpty(a) && isEmpty(b);
  if (a === b) return true;
  if (typeof a === 'number' && typeof b === 'number') return Number.isNaN(a) && Number.isNaN(b);
  if (a instanceof Date || b instanceof Date) {
    return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => deepEqual(item, b[i]));
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const key of keys) if (!deepEqual(a[key], b[key])) return false;
    return true;
  }
  return false;
}

/** The comparison detection uses: deep equality, then the caller's hook for the field. */
export function fieldEqual(field: string, a: unknown, b: unknown, equals: FieldEquals | undefined): boolean {
  if (deepEqual(a, b)) return true;
  return equals !== undefined && !isEmpty(a) && !isEmpty(b) && equals(field, a, b);
}

/**
 * Canonical JSON: object keys sorted, keys with empty values dropped (as `deepEqual`
 * ignores them), Dates as ISO strings. Two values `deepEqual` holds equal serialise
 * identically (NaN aside), which is what a stable content hash needs.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(canonicalise(value)) ?? 'null';
}

function canonicalise(value: unknown): unknown {
  if (isEmpty(value)) return null;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(canonicalise);
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      if (!isEmpty(value[key])) out[key] = canonicalise(value[key]);
    }
    return out;
  }
  return value;
}

/** True when the value is a plain object (a nested record that `field_merge` can merge). */
export { isPlainObject };
