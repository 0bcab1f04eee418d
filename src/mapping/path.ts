/**
 * Source paths into nested JSON, parsed once and compiled into getter functions.
 *
 * Grammar (documented for mapping authors):
 * - `a.b.c`                      keys; any character but `.`, `[` and `]` (so `Custom__c`,
 *                                `Account.Name`, `Due date` all work)
 * - `a["x.y"]`, `a['x']`         quoted keys, for names holding `.` or brackets
 * - `a[0]`, `a[-1]`              array index, negative counts from the end
 * - `a[*]`, `a.*`                every element of an array, or every value of an object
 * - `a[?b.c]`                    elements whose `b.c` is truthy; `a[?!b]` falsy. On an
 *                                object (not an array) the filter tests the object itself:
 *                                `owner[?type=="User"].id` gives `[id]` or `[]`
 * - `a[?type=="title"]`          elements whose value equals (`==`) or differs (`!=`) from a
 *                                JSON literal (string, number, true, false, null)
 * - `$record.x`                  the whole record (inside an `each` target, whose plain
 *                                paths are relative to the element)
 * - `$vars.x`                    the mapping context's `vars`
 *
 * A path with `[*]`, `.*` or a filter is a projection: it yields an array of every value
 * found (missing ones dropped), possibly empty. Along a projection, keys and indexes apply
 * to each value, and a filter meeting arrays filters their elements (`a[*].b[?x]`). Any other path yields one value or
 * undefined. Getters never throw: a wrong shape is "missing".
 */

export type PathSegment =
  | { readonly kind: 'key'; readonly key: string }
  | { readonly kind: 'index'; readonly index: number }
  | { readonly kind: 'wildcard' }
  | { readonly kind: 'filter'; readonly path: ParsedPath; readonly op: 'truthy' | 'falsy' | 'eq' | 'ne'; readonly value?: unknown };

export type PathRoot = 'current' | 'record' | 'vars';

export interface ParsedPath {
  readonly text: string;
  readonly root: PathRoot;
  readonly segments: readonly PathSegment[];
  /** True when the path yields an array of every match (wildcard or filter). */
  readonly projection: boolean;
  /** True when a patch can be written through it (plain keys and indexes from the record). */
  readonly writable: boolean;
}

/** Where a getter looks: the record (or `each` element) and the context's vars. */
export interface PathScope {
  readonly current: unknown;
  readonly record: unknown;
  readonly vars: unknown;
}

export type PathGetter = (scope: PathScope) => unknown;

export class PathSyntaxError extends Error {
  constructor(
    readonly text: string,
    readonly position: number,
    reason: string,
  ) {
    super(`${reason} at position ${position} in path "${text}"`);
    this.name = 'PathSyntaxError';
  }
}

const IDENT_STOP = new Set(['.', '[', ']']);

/** Keys that would reach an object's prototype when written; refused in paths and targets. */
export const UNSAFE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'prototype', 'constructor']);

/** Sets an own property, even for a key such as `__proto__` coming from provider data. */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (UNSAFE_KEYS.has(key)) Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/** Parses a path; throws PathSyntaxError with the position of the problem. */
export function parsePath(text: string): ParsedPath {
  if (typeof text !== 'string' || text.length === 0) throw new PathSyntaxError(String(text), 0, 'empty path');
  let pos = 0;
  let root: PathRoot = 'current';
  for (const [prefix, r] of [['$record', 'record'], ['$vars', 'vars']] as const) {
    if (text.startsWith(prefix) && (text.length === prefix.length || text[prefix.length] === '.' || text[prefix.length] === '[')) {
      root = r;
      pos = prefix.length;
      if (text[pos] === '.') pos++;
      break;
    }
  }
  const segments: PathSegment[] = [];
  let expectKey = pos < text.length && text[pos] !== '[';
  while (pos < text.length) {
    const ch = text[pos];
    if (expectKey) {
      const start = pos;
      while (pos < text.length && !IDENT_STOP.has(text[pos] as string)) pos++;
      if (pos === start) throw new PathSyntaxError(text, pos, 'expected a key');
      const key = text.slice(start, pos);
      segments.push(key === '*' ? { kind: 'wildcard' } : { kind: 'key', key });
      expectKey = false;
    } else if (ch === '.') {
      pos++;
      if (pos >= text.length) throw new PathSyntaxError(text, pos, 'path ends with "."');
      expectKey = true;
    } else if (ch === '[') {
      const close = findClose(text, pos);
      segments.push(parseBracket(text, pos + 1, close));
      pos = close + 1;
    } else {
      throw new PathSyntaxError(text, pos, `unexpected "${ch}"`);
    }
  }
  if (root === 'current' && segments.length === 0) throw new PathSyntaxError(text, 0, 'empty path');
  const projection = segments.some((s) => s.kind === 'wildcard' || s.kind === 'filter');
  // Reads only see own properties, so any key is safe to read; writes through a key that
  // reaches a prototype are never allowed.
  const writable = root === 'current' && !projection && segments.length > 0 && !segments.some((s) => s.kind === 'key' && UNSAFE_KEYS.has(s.key));
  return { text, root, segments, projection, writable };
}

function findClose(text: string, open: number): number {
  let depth = 0;
  let quote: string | null = null;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[') depth++;
    else if (c === ']' && --depth === 0) return i;
  }
  throw new PathSyntaxError(text, open, 'unclosed "["');
}

function parseBracket(text: string, start: number, end: number): PathSegment {
  const inner = text.slice(start, end).trim();
  if (inner === '*') return { kind: 'wildcard' };
  if (/^-?\d+$/.test(inner)) return { kind: 'index', index: Number(inner) };
  if (/^(".*"|'.*')$/s.test(inner)) return { kind: 'key', key: parseLiteral(text, start, inner) as string };
  if (inner.startsWith('?')) return parseFilter(text, start + 1, inner.slice(1).trim());
  throw new PathSyntaxError(text, start, `bad bracket "[${inner}]"`);
}

function parseFilter(text: string, position: number, body: string): PathSegment {
  const m = /^(.*?)\s*(==|!=)\s*(.+)$/s.exec(body);
  if (m) {
    const path = parsePath(m[1] as string);
    return { kind: 'filter', path, op: m[2] === '==' ? 'eq' : 'ne', value: parseLiteral(text, position, (m[3] as string).trim()) };
  }
  if (body.startsWith('!')) return { kind: 'filter', path: parsePath(body.slice(1).trim()), op: 'falsy' };
  if (body.length === 0) throw new PathSyntaxError(text, position, 'empty filter');
  return { kind: 'filter', path: parsePath(body), op: 'truthy' };
}

function parseLiteral(text: string, position: number, literal: string): unknown {
  const normalised = literal.startsWith("'") && literal.endsWith("'") ? JSON.stringify(literal.slice(1, -1)) : literal;
  try {
    return JSON.parse(normalised) as unknown;
  } catch {
    throw new PathSyntaxError(text, position, `bad literal ${literal}`);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function step(value: unknown, segment: PathSegment): unknown {
  if (segment.kind === 'key') return isObject(value) && Object.hasOwn(value, segment.key) ? value[segment.key] : undefined;
  if (segment.kind === 'index') {
    if (!Array.isArray(value)) return undefined;
    return value[segment.index < 0 ? value.length + segment.index : segment.index];
  }
  return undefined;
}

function children(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (isObject(value)) return Object.values(value);
  return [];
}

function matches(element: unknown, segment: Extract<PathSegment, { kind: 'filter' }>, getter: PathGetter): boolean {
  const v = getter({ current: element, record: element, vars: undefined });
  switch (segment.op) {
    case 'truthy':
      return Boolean(v);
    case 'falsy':
      return !v;
    case 'eq':
      return v === segment.value;
    case 'ne':
      return v !== segment.value;
  }
}

/** Compiles a parsed path into a getter; simple paths get a loop with no allocation. */
export function compilePath(path: ParsedPath): PathGetter {
  const { segments, root } = path;
  const pick = root === 'current' ? (s: PathScope) => s.current : root === 'record' ? (s: PathScope) => s.record : (s: PathScope) => s.vars;
  if (!path.projection) {
    if (segments.length === 1 && segments[0]?.kind === 'key') {
      const key = segments[0].key;
      return (scope) => {
        const v = pick(scope);
        return isObject(v) && Object.hasOwn(v, key) ? v[key] : undefined;
      };
    }
    return (scope) => {
      let v = pick(scope);
      for (const segment of segments) {
        if (v === undefined || v === null) return undefined;
        v = step(v, segment);
      }
      return v;
    };
  }
  const filters = new Map<PathSegment, PathGetter>();
  for (const s of segments) if (s.kind === 'filter') filters.set(s, compilePath(s.path));
  return (scope) => {
    let single: unknown = pick(scope);
    let many: unknown[] | null = null;
    for (const segment of segments) {
      if (many === null) {
        if (segment.kind === 'key' || segment.kind === 'index') {
          single = single === undefined || single === null ? undefined : step(single, segment);
          continue;
        }
        many = segment.kind === 'filter' && isObject(single) ? [single] : children(single);
      } else if (segment.kind === 'key' || segment.kind === 'index') {
        const next: unknown[] = [];
        for (const v of many) {
          const r = step(v, segment);
          if (r !== undefined) next.push(r);
        }
        many = next;
        continue;
      } else if (segment.kind === 'wildcard') {
        many = many.flatMap(children);
        continue;
      }
      if (segment.kind === 'filter') {
        const getter = filters.get(segment) as PathGetter;
        // Arrays met along a projection are filtered element by element (`a[*].b[?x]`).
        many = many.flatMap((e) => (Array.isArray(e) ? e : [e])).filter((e) => matches(e, segment, getter));
      }
    }
    return many ?? [];
  };
}

/**
 * Writes `value` into `target` at a writable path, creating objects and arrays on the way.
 * Only for paths whose `writable` is true.
 */
export function setPath(target: Record<string, unknown>, path: ParsedPath, value: unknown): void {
  if (!path.writable) throw new Error(`path "${path.text}" is not writable`);
  let node: Record<string, unknown> | unknown[] = target;
  const segs = path.segments;
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i] as PathSegment;
    const last = i === segs.length - 1;
    const nextSeg = segs[i + 1];
    const make = (): Record<string, unknown> | unknown[] => (nextSeg?.kind === 'index' ? [] : {});
    if (seg.kind === 'key') {
      const obj = node as Record<string, unknown>;
      if (last) obj[seg.key] = value;
      else {
        const existing = obj[seg.key];
        if (typeof existing !== 'object' || existing === null) obj[seg.key] = make();
        node = obj[seg.key] as Record<string, unknown> | unknown[];
      }
    } else if (seg.kind === 'index') {
      const arr = node as unknown[];
      const index = seg.index < 0 ? Math.max(0, arr.length + seg.index) : seg.index;
      if (last) arr[index] = value;
      else {
        const existing = arr[index];
        if (typeof existing !== 'object' || existing === null) arr[index] = make();
        node = arr[index] as Record<string, unknown> | unknown[];
      }
    } else {
      throw new Error(`path "${path.text}" is not writable`);
    }
  }
}

/** Reads an entity field by a dotted target name (`address.city`). */
export function getField(fields: Record<string, unknown>, target: string): { found: boolean; value: unknown } {
  let node: unknown = fields;
  for (const part of target.split('.')) {
    if (!isObject(node) || !Object.hasOwn(node, part)) return { found: false, value: undefined };
    node = node[part];
  }
  return { found: true, value: node };
}

/** Writes an entity field by a dotted target name, creating objects on the way. */
export function setField(fields: Record<string, unknown>, target: string, value: unknown): void {
  const parts = target.split('.');
  if (parts.some((p) => UNSAFE_KEYS.has(p))) throw new Error(`entity field "${target}" is not allowed`);
  let node = fields;
  for (let i = 0; i < parts.length - 1; i++) {
    const part = parts[i] as string;
    const next = node[part];
    if (!isObject(next)) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1] as string] = value;
}
