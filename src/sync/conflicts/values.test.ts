import { describe, expect, it } from 'vitest';
import { mergeValues } from './merge-values.ts';
import { canonicalJson, deepEqual, fieldEqual } from './values.ts';

/** A small seeded PRNG (mulberry32) so generated cases are the same on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function genValue(rand: () => number, depth = 0): unknown {
  const k = Math.floor(rand() * (depth > 2 ? 4 : 6));
  switch (k) {
    case 0: return null;
    case 1: return Math.floor(rand() * 5);
    case 2: return ['a', 'b', 'c', 'Ada'][Math.floor(rand() * 4)];
    case 3: return rand() < 0.5;
    case 4: return Array.from({ length: Math.floor(rand() * 3) }, () => genValue(rand, depth + 1));
    default: {
      const out: Record<string, unknown> = {};
      for (const key of ['x', 'y', 'z']) if (rand() < 0.6) out[key] = genValue(rand, depth + 1);
      return out;
    }
  }
}

/** The same value with object keys in another order. */
function shuffleKeys(value: unknown, rand: () => number): unknown {
  if (Array.isArray(value)) return value.map((v) => shuffleKeys(v, rand));
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).sort(() => rand() - 0.5);
    return Object.fromEntries(entries.map(([k, v]) => [k, shuffleKeys(v, rand)]));
  }
  return value;
}

describe('deepEqual and canonicalJson', () => {
  it('treat absent, undefined and null as the same empty value', () => {
    expect(deepEqual(undefined, null)).toBe(true);
    expect(deepEqual({ a: 1, b: null }, { a: 1 })).toBe(true);
    expect(deepEqual([null], [])).toBe(false);
    expect(canonicalJson({ b: 1, a: null, c: undefined })).toBe('{"b":1}');
  });

  it('compare arrays in order and Dates by instant', () => {
    expect(deepEqual([1, 2], [2, 1])).toBe(false);
    expect(deepEqual(new Date('2026-01-01T00:00:00Z'), new Date('2026-01-01T00:00:00.000Z'))).toBe(true);
    expect(deepEqual('1', 1)).toBe(false);
  });

  it('property: equal values serialise identically whatever the key order, and unequal ones differently', () => {
    const rand = prng(42);
    for (let i = 0; i < 500; i++) {
      const a = genValue(rand);
      const b = rand() < 0.5 ? shuffleKeys(a, rand) : genValue(rand);
      expect(deepEqual(a, b)).toBe(canonicalJson(a) === canonicalJson(b));
      expect(deepEqual(a, shuffleKeys(a, rand))).toBe(true);
    }
  });

  it('the field hook only adds equalities, and never makes a value equal to empty', () => {
    const always = (): boolean => true;
    expect(fieldEqual('phone', 'a', 'b', always)).toBe(true);
    expect(fieldEqual('phone', 'a', null, always)).toBe(false);
    expect(fieldEqual('phone', 'a', 'a', () => false)).toBe(true);
  });
});

describe('mergeValues', () => {
  it('merges disjoint nested edits and set additions/removals', () => {
    expect(mergeValues({ a: 1, b: 2 }, { a: 9, b: 2 }, { a: 1, b: 8 })).toEqual({ ok: true, value: { a: 9, b: 8 } });
    expect(mergeValues(['x', 'y'], ['x', 'y', 'l'], ['y', 'r'])).toEqual({ ok: true, value: ['y', 'l', 'r'] });
    expect(mergeValues('a', 'b', 'c')).toEqual({ ok: false });
    expect(mergeValues({ a: 1 }, { a: 2 }, { a: 3 })).toEqual({ ok: false });
  });

  it('property: a merge keeps each one-sided edit, and is symmetric for objects up to key order', () => {
    const rand = prng(7);
    for (let i = 0; i < 300; i++) {
      const base = { x: genValue(rand), y: genValue(rand), z: genValue(rand) };
      const local = { ...base, x: genValue(rand) };
      const remote = { ...base, y: genValue(rand) };
      const merged = mergeValues(base, local, remote);
      expect(merged.ok).toBe(true);
      if (!merged.ok) continue;
      const value = merged.value as Record<string, unknown>;
      expect(deepEqual(value.x, local.x)).toBe(true);
      expect(deepEqual(value.y, remote.y)).toBe(true);
      expect(deepEqual(value.z, base.z)).toBe(true);
      const mirrored = mergeValues(base, remote, local);
      expect(mirrored.ok && deepEqual(mirrored.value, merged.value)).toBe(true);
    }
  });
});
