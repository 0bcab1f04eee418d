import { TributaryError } from '../../domain/errors.ts';
import type { Page, PageRequest } from '../../ports/store.ts';

/**
 * Cursor pagination shared by the SQLite and PostgreSQL repositories: one cursor format
 * (base64url of the JSON sort key [time, id]) and one set of limits, so a cursor means
 * the same thing on either backend.
 */
export const DEFAULT_PAGE_LIMIT = 50;
export const MAX_PAGE_LIMIT = 1000;

/** The sort key of the last row of a page: (time, id), which is unique and stable. */
export type SortKey = readonly [string, string];

/** Opaque to callers: base64url of the JSON sort key. */
export function encodeCursor(key: SortKey): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/** Throws VALIDATION_FAILED (field `cursor`) for anything `encodeCursor` did not make. */
export function decodeCursor(cursor: string): SortKey {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    decoded = undefined;
  }
  if (!Array.isArray(decoded) || decoded.length !== 2 || typeof decoded[0] !== 'string' || typeof decoded[1] !== 'string') {
    throw new TributaryError('VALIDATION_FAILED', 'Invalid pagination cursor', { field: 'cursor' });
  }
  return [decoded[0], decoded[1]];
}

/** Defaults to DEFAULT_PAGE_LIMIT, clamps to MAX_PAGE_LIMIT, rejects non-positive or fractional limits. */
export function resolveLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_PAGE_LIMIT;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new TributaryError('VALIDATION_FAILED', 'Page limit must be a positive integer', { field: 'limit' });
  }
  return Math.min(limit, MAX_PAGE_LIMIT);
}

/** The parsed form of a PageRequest. */
export interface ResolvedPage {
  readonly limit: number;
  readonly after: SortKey | null;
}

export function resolvePage(page: PageRequest | undefined): ResolvedPage {
  const cursor = page?.cursor;
  return { limit: resolveLimit(page?.limit), after: cursor ? decodeCursor(cursor) : null };
}

/**
 * Builds a page from up to `limit + 1` rows fetched in order: the extra row only tells
 * that another page exists, and the cursor is the key of the last row returned.
 */
export function toPage<Row, T>(rows: Row[], limit: number, keyOf: (row: Row) => SortKey, map: (row: Row) => T): Page<T> {
  const hasMore = rows.length > limit;
  const kept = hasMore ? rows.slice(0, limit) : rows;
  const last = kept[kept.length - 1];
  return { items: kept.map(map), nextCursor: hasMore && last !== undefined ? encodeCursor(keyOf(last)) : null };
}
