/**
 * Three-way merge of one field's value, for `field_merge` when both sides changed it:
 * nested objects merge key by key (each key three-way, recursively), arrays merge as
 * sets (additions and removals of both sides kept, local order first). Anything else,
 * or a nested key changed differently on both sides, cannot be merged.
 */
import { canonicalJson, deepEqual, isEmpty, isPlainObject } from './values.ts';

export type MergeOutcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false };

const FAIL: MergeOutcome = { ok: false };

/** Merges `local` and `remote`, both changed from `base`. Pure; never throws. */
export function mergeValues(base: unknown, local: unknown, remote: unknown): MergeOutcome {
  if (deepEqual(local, remote)) return { ok: true, value: local };
  if (deepEqual(base, local)) return { ok: true, value: remote };
  if (deepEqual(base, remote)) return { ok: true, value: local };
  if (isPlainObject(local) && isPlainObject(remote) && (isEmpty(base) || isPlainObject(base))) {
    return mergeObjects(isPlainObject(base) ? base : {}, local, remote);
  }
  if (Array.isArray(local) && Array.isArray(remote) && (isEmpty(base) || Array.isArray(base))) {
    return { ok: true, value: mergeSets(Array.isArray(base) ? base : [], local, remote) };
  }
  return FAIL;
}

function mergeObjects(base: Record<string, unknown>, local: Record<string, unknown>, remote: Record<string, unknown>): MergeOutcome {
  const out: Record<string, unknown> = {};
  const keys = new Set([...Object.keys(local), ...Object.keys(remote), ...Object.keys(base)]);
  for (const key of keys) {
    const merged = mergeValues(base[key], local[key], remote[key]);
    if (!merged.ok) return FAIL;
    if (!isEmpty(merged.value)) out[key] = merged.value;
  }
  return { ok: true, value: out };
}

/** Items kept: local ones the remote did not remove, then remote additions. */
function mergeSets(base: readonly unknown[], local: readonly unknown[], remote: readonly unknown[]): unknown[] {
  const keyed = (items: readonly unknown[]): Set<string> => new Set(items.map((item) => canonicalJson(item)));
  const inBase = keyed(base);
  const inLocal = keyed(local);
  const inRemote = keyed(remote);
  const kept = local.filter((item) => {
    const key = canonicalJson(item);
    return inRemote.has(key) || !inBase.has(key);
  });
  const added = remote.filter((item) => {
    const key = canonicalJson(item);
    return !inLocal.has(key) && !inBase.has(key);
  });
  return [...kept, ...added];
}
