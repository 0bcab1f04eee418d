import { invalidParameter } from './errors.ts';

/** A parsed `fields` selector: `true` keeps the whole value, a map keeps those keys. */
export type FieldMask = true | Map<string, FieldMask>;

/**
 * Parses Google's partial-response syntax (`kind,nextPageToken,files(id,name),a/b`,
 * `*`). Throws the classic 400 `invalid` on a syntax error.
 */
export function parseFields(spec: string): FieldMask {
  let i = 0;
  const parseList = (): Map<string, FieldMask> => {
    const out = new Map<string, FieldMask>();
    for (;;) {
      let name = '';
      while (i < spec.length && !',()/'.includes(spec[i] as string)) name += spec[i++];
      name = name.trim();
      if (name === '') throw invalidParameter('fields', `Invalid field selection ${spec}`);
      let child: FieldMask = true;
      if (spec[i] === '(') {
        i++;
        child = parseList();
        if (spec[i] !== ')') throw invalidParameter('fields', `Invalid field selection ${spec}`);
        i++;
      } else if (spec[i] === '/') {
        i++;
        child = parseList();
        merge(out, name, child);
        return out;
      }
      merge(out, name, child);
      if (spec[i] === ',') {
        i++;
        continue;
      }
      return out;
    }
  };
  const mask = parseList();
  if (i !== spec.length) throw invalidParameter('fields', `Invalid field selection ${spec}`);
  return mask.get('*') === true ? true : mask;
}

function merge(into: Map<string, FieldMask>, name: string, child: FieldMask): void {
  const existing = into.get(name);
  if (existing === true || child === true || existing === undefined) into.set(name, existing === true || child === true ? true : child);
  else for (const [k, v] of child) merge(existing, k, v);
}

/** Applies a mask to a JSON value (arrays mask each element). */
export function applyFields(value: unknown, mask: FieldMask): unknown {
  if (mask === true) return value;
  if (Array.isArray(value)) return value.map((v) => applyFields(v, mask));
  if (typeof value !== 'object' || value === null) return value;
  if (mask.get('*') === true) return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of mask) {
    const v = (value as Record<string, unknown>)[key];
    if (v !== undefined) out[key] = applyFields(v, child);
  }
  return out;
}
