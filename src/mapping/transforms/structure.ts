/** Values and arrays: defaults, coalesce, enums by value map, array helpers, JSON. */
import type { TransformDef } from './types.ts';
import { TransformError, arg, describe, expectArray, expectString, normalizingInverse } from './types.ts';
import { compilePath, parsePath, setOwn, setPath } from '../path.ts';

function isBlank(v: unknown): boolean {
  return v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0);
}

function mapKey(v: unknown): string {
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new TransformError(`map_values expects a scalar, got ${describe(v)}`);
}

function uniqueValues(map: Record<string, unknown>): boolean {
  const seen = new Set<string>();
  for (const v of Object.values(map)) {
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') return false;
    const k = String(v);
    if (seen.has(k)) return false;
    seen.add(k);
  }
  return true;
}

const unwrapFirst = { kind: 'exact', make: () => (v: unknown) => (isBlank(v) ? [] : [v]) } as const;

export const STRUCTURE_TRANSFORMS: readonly TransformDef[] = [
  {
    name: 'default',
    doc: 'Replaces null, undefined and "" by `value`. Inverse: the value as it is.',
    input: 'any',
    output: 'any',
    args: [{ name: 'value', type: 'any', required: true, doc: 'The fallback value.' }],
    acceptsNullish: true,
    make: (args) => (v) => (v === null || v === undefined || v === '' ? args[0] : v),
    inverse: normalizingInverse,
  },
  {
    name: 'constant',
    doc: 'Always `value`, whatever the input (a fixed entity field). Not invertible.',
    input: 'any',
    output: 'any',
    args: [{ name: 'value', type: 'any', required: true, doc: 'The value.' }],
    acceptsNullish: true,
    make: (args) => () => args[0],
  },
  {
    name: 'coalesce',
    doc: 'The first value of an array (or of a field\'s sources) that is not null, "" or an empty array. Not invertible (which source would it go to?).',
    input: 'array',
    output: 'any',
    args: [],
    multiSource: true,
    make: () => (v) => {
      for (const x of expectArray(v, 'coalesce')) if (!isBlank(x)) return x;
      return null;
    },
  },
  {
    name: 'exists',
    doc: 'true when the value is present (not null/undefined); GitHub tells pull requests apart this way. Not invertible.',
    input: 'any',
    output: 'boolean',
    args: [],
    acceptsNullish: true,
    make: () => (v) => v !== null && v !== undefined,
  },
  {
    name: 'equals',
    doc: 'true when the value equals `value` (Calendar status "cancelled"). Not invertible.',
    input: 'any',
    output: 'boolean',
    args: [{ name: 'value', type: 'any', required: true, doc: 'Compared with ===.' }],
    acceptsNullish: true,
    make: (args) => (v) => v === args[0],
  },
  {
    name: 'map_values',
    doc: 'Enum by value map: `map[value]`; a value not in the map takes `fallback`, or fails when there is none. Inverse: the reversed map (when its values are unique).',
    input: 'any',
    output: 'any',
    args: [
      { name: 'map', type: 'object', required: true, doc: 'Provider value -> entity value.' },
      { name: 'fallback', type: 'any', required: false, doc: 'For values not in the map.' },
    ],
    make: (args) => {
      const map = arg<Record<string, unknown>>(args, 0, {});
      const hasFallback = args.length > 1;
      return (v) => {
        const k = mapKey(v);
        if (Object.hasOwn(map, k)) return map[k];
        if (hasFallback) return args[1];
        throw new TransformError(`value ${describe(v)} is not in the map`);
      };
    },
    inverse: {
      kind: 'exact',
      available: (args) => uniqueValues(arg<Record<string, unknown>>(args, 0, {})),
      make: (args) => {
        const reversed = new Map<string, string>();
        for (const [k, v] of Object.entries(arg<Record<string, unknown>>(args, 0, {}))) reversed.set(String(v), k);
        return (v) => {
          const k = reversed.get(mapKey(v));
          if (k === undefined) throw new TransformError(`value ${describe(v)} has no provider value in the map`);
          return k;
        };
      },
    },
  },
  {
    name: 'first',
    doc: 'The first element of an array (a non-array passes as it is); an empty array gives nothing (the field is left out). Inverse: a one-element array.',
    input: 'any',
    output: 'any',
    args: [],
    make: () => (v) => (Array.isArray(v) ? v[0] : v),
    inverse: unwrapFirst,
  },
  {
    name: 'last',
    doc: 'The last element of an array (a non-array passes as it is); an empty array gives nothing. Inverse: a one-element array.',
    input: 'any',
    output: 'any',
    args: [],
    make: () => (v) => (Array.isArray(v) ? v[v.length - 1] : v),
    inverse: unwrapFirst,
  },
  {
    name: 'join',
    doc: 'Joins array elements with `separator` (default ", "), skipping empty ones. Inverse: split.',
    input: 'array',
    output: 'string',
    args: [{ name: 'separator', type: 'string', required: false, doc: 'Default ", ".' }],
    make: (args) => {
      const sep = arg(args, 0, ', ');
      return (v) => expectArray(v, 'join').filter((x) => !isBlank(x)).map(String).join(sep);
    },
    inverse: {
      kind: 'exact',
      make: (args) => {
        const sep = arg(args, 0, ', ');
        return (v) => (v === '' ? [] : expectString(v, 'join').split(sep));
      },
    },
  },
  {
    name: 'split',
    doc: 'Splits text on `separator` (default ","), trimming parts and dropping empty ones. Inverse: join.',
    input: 'string',
    output: 'array',
    args: [{ name: 'separator', type: 'string', required: false, doc: 'Default ",".' }],
    make: (args) => {
      const sep = arg(args, 0, ',');
      return (v) => expectString(v, 'split').split(sep).map((p) => p.trim()).filter((p) => p !== '');
    },
    inverse: {
      kind: 'normalizing',
      make: (args) => {
        const sep = arg(args, 0, ',');
        return (v) => expectArray(v, 'split').map(String).join(sep === ',' ? ', ' : sep);
      },
    },
  },
  {
    name: 'flatten',
    doc: 'Flattens nested arrays one level (or `depth` levels). Not invertible.',
    input: 'array',
    output: 'array',
    args: [{ name: 'depth', type: 'integer', required: false, doc: 'Default 1.' }],
    make: (args) => {
      const depth = arg(args, 0, 1);
      return (v) => expectArray(v, 'flatten').flat(depth);
    },
  },
  {
    name: 'unique',
    doc: 'Drops repeated elements (compared by value for scalars, by JSON for objects). Inverse: the array as it is.',
    input: 'array',
    output: 'array',
    args: [],
    make: () => (v) => {
      const seen = new Set<string>();
      return expectArray(v, 'unique').filter((x) => {
        const k = typeof x === 'object' && x !== null ? `o:${JSON.stringify(x)}` : `${typeof x}:${String(x)}`;
        if (seen.has(k)) return false;
        seen.add(k);
        return true;
      });
    },
    inverse: normalizingInverse,
  },
  {
    name: 'compact',
    doc: 'Drops null, undefined and "" elements. Inverse: the array as it is.',
    input: 'array',
    output: 'array',
    args: [],
    make: () => (v) => expectArray(v, 'compact').filter((x) => x !== null && x !== undefined && x !== ''),
    inverse: normalizingInverse,
  },
  {
    name: 'pluck',
    doc: 'The `key` of every element of an array of objects. Inverse: an array of { key: value }.',
    input: 'array',
    output: 'array',
    args: [{ name: 'key', type: 'string', required: true, doc: 'Property name.' }],
    make: (args) => {
      const key = arg(args, 0, '');
      return (v) =>
        expectArray(v, 'pluck')
          .map((x) => (typeof x === 'object' && x !== null ? (x as Record<string, unknown>)[key] : undefined))
          .filter((x) => x !== undefined);
    },
    inverse: {
      kind: 'exact',
      make: (args) => {
        const key = arg(args, 0, '');
        return (v) =>
          expectArray(v, 'pluck').map((x) => {
            const o: Record<string, unknown> = {};
            setOwn(o, key, x);
            return o;
          });
      },
    },
  },
  {
    name: 'count',
    doc: 'The length of an array or text. Not invertible.',
    input: 'any',
    output: 'integer',
    args: [],
    make: () => (v) => {
      if (Array.isArray(v) || typeof v === 'string') return v.length;
      throw new TransformError(`count expects an array or text, got ${describe(v)}`);
    },
  },
  {
    name: 'wrap',
    doc: 'Puts a single value in an array (arrays pass as they are). Inverse: first.',
    input: 'any',
    output: 'array',
    args: [],
    make: () => (v) => (Array.isArray(v) ? v : [v]),
    inverse: { kind: 'exact', make: () => (v) => (Array.isArray(v) ? (v[0] ?? null) : v) },
  },
  {
    name: 'get',
    doc: 'Reads a path (same syntax as sources) inside the value. Inverse, for plain paths: an object holding the value at that path.',
    input: 'any',
    output: 'any',
    args: [{ name: 'path', type: 'path', required: true, doc: 'A source path, such as "address.city".' }],
    make: (args) => {
      const getter = compilePath(parsePath(arg(args, 0, '')));
      return (v) => getter({ current: v, record: v, vars: undefined }) ?? null;
    },
    inverse: {
      kind: 'exact',
      available: (args) => {
        try {
          return parsePath(String(args[0])).writable;
        } catch {
          return false;
        }
      },
      make: (args) => {
        const path = parsePath(arg(args, 0, ''));
        return (v) => {
          const out: Record<string, unknown> = {};
          setPath(out, path, v);
          return out;
        };
      },
    },
  },
  {
    name: 'json_parse',
    doc: 'Parses JSON text. Inverse: json_stringify.',
    input: 'string',
    output: 'any',
    args: [],
    make: () => (v) => {
      try {
        return JSON.parse(expectString(v, 'json_parse')) as unknown;
      } catch {
        throw new TransformError(`not JSON: ${describe(v)}`);
      }
    },
    inverse: { kind: 'exact', make: () => (v) => JSON.stringify(v) },
  },
  {
    name: 'json_stringify',
    doc: 'Writes the value as JSON text. Inverse: json_parse.',
    input: 'any',
    output: 'string',
    args: [],
    make: () => (v) => JSON.stringify(v),
    inverse: {
      kind: 'exact',
      make: () => (v) => {
        try {
          return JSON.parse(expectString(v, 'json_stringify')) as unknown;
        } catch {
          throw new TransformError(`not JSON: ${describe(v)}`);
        }
      },
    },
  },
];

