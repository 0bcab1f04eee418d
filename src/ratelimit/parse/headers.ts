/**
 * Shared pieces of the provider answer parsers: header lookup that does not care about
 * case or the header container, Retry-After, and body decoding. Pure functions.
 */

/** Headers as fetch (`Headers`), Node (`IncomingHttpHeaders`) or a plain record give them. */
export type HeaderSource = { get(name: string): string | null } | Readonly<Record<string, string | readonly string[] | number | undefined>>;

/** The first value of a header, case-insensitive; undefined when absent or empty. */
export function header(headers: HeaderSource, name: string): string | undefined {
  if (typeof (headers as { get?: unknown }).get === 'function') {
    const value = (headers as { get(name: string): string | null }).get(name);
    return value === null || value.trim() === '' ? undefined : value.trim();
  }
  const record = headers as Readonly<Record<string, string | readonly string[] | number | undefined>>;
  const lower = name.toLowerCase();
  let value = record[lower];
  if (value === undefined) {
    // for...in, not Object.entries: no array per lookup of an absent header (every answer has some).
    for (const key in record) {
      if (Object.hasOwn(record, key) && key.toLowerCase() === lower) {
        value = record[key];
        break;
      }
    }
  }
  if (value === undefined) return undefined;
  const first = typeof value === 'number' ? String(value) : typeof value === 'string' ? value : value[0];
  return first === undefined || first.trim() === '' ? undefined : first.trim();
}

/** A header as a finite non-negative number, or undefined. */
export function numericHeader(headers: HeaderSource, name: string): number | undefined {
  const value = header(headers, name);
  if (value === undefined || !/^\d+(\.\d+)?$/.test(value)) return undefined;
  return Number(value);
}

/**
 * `Retry-After`: delta seconds (`120`) or an HTTP date. Seconds become `retryAfterMs`;
 * a date becomes `retryAt` (epoch ms), which the limiter turns into a wait by its clock.
 */
export function retryAfter(headers: HeaderSource): { retryAfterMs?: number; retryAt?: number } {
  const value = header(headers, 'retry-after');
  if (value === undefined) return {};
  if (/^\d+(\.\d+)?$/.test(value)) return { retryAfterMs: Math.round(Number(value) * 1000) };
  const at = Date.parse(value);
  return Number.isFinite(at) ? { retryAt: at } : {};
}

/** A body as an object: parsed JSON text, the object itself, or null. */
export function jsonBody(body: unknown): unknown {
  if (typeof body === 'string') {
    try {
      return JSON.parse(body);
    } catch {
      return null;
    }
  }
  if (body instanceof Uint8Array) return jsonBody(new TextDecoder().decode(body));
  return body ?? null;
}

/** A nested property by path, when every step is an object. */
export function pick(value: unknown, ...path: (string | number)[]): unknown {
  let current = value;
  for (const step of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[step];
  }
  return current;
}

/** Drops undefined members, so observations compare and print cleanly. */
export function defined<T extends object>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const key in value) {
    if (Object.hasOwn(value, key) && value[key] !== undefined) out[key] = value[key];
  }
  return out as T;
}
