import { validation } from '../errors.ts';
import type { NotionIds } from '../ids.ts';
import { compareKeys, type SortKey } from './sort.ts';

const MAX_CURSORS = 200_000;

export interface PageRequest {
  startCursor?: unknown;
  pageSize?: unknown;
}

export interface ListPage<T> {
  results: T[];
  has_more: boolean;
  next_cursor: string | null;
}

/** Reads Notion's `page_size` (1..100, default 100). */
export function readPageSize(raw: unknown): number {
  if (raw === undefined || raw === null) return 100;
  const n = typeof raw === 'string' ? Number(raw) : raw;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) throw validation('body failed validation: body.page_size should be a number greater than or equal to 1.');
  if (n > 100) throw validation(`body failed validation: body.page_size should be ≤ \`100\`, instead was \`${n}\`.`);
  return n;
}

/**
 * Notion-style cursors (UUID-looking, opaque). A cursor remembers the sort key of the
 * first item of the next page, so a walk continues where it stopped even when records
 * before it change: keyset pagination, not offsets.
 */
export class CursorBook {
  private readonly keys = new Map<string, SortKey>();

  constructor(private ids: NotionIds) {}

  reset(ids: NotionIds): void {
    this.ids = ids;
    this.keys.clear();
  }

  page<T>(sorted: T[], keyOf: (item: T) => SortKey, directions: number[], request: PageRequest): ListPage<T> {
    const size = readPageSize(request.pageSize);
    let start = 0;
    if (request.startCursor !== undefined && request.startCursor !== null) {
      const key = typeof request.startCursor === 'string' ? this.keys.get(request.startCursor) : undefined;
      if (!key) throw validation(`start_cursor provided is invalid: ${String(request.startCursor)}`);
      // Lower bound: the first item at or after the remembered key.
      let lo = 0;
      let hi = sorted.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (compareKeys(keyOf(sorted[mid] as T), key, directions) < 0) lo = mid + 1;
        else hi = mid;
      }
      start = lo;
    }
    const results = sorted.slice(start, start + size);
    const next = sorted[start + size];
    if (next === undefined) return { results, has_more: false, next_cursor: null };
    const cursor = this.ids.uuid();
    this.keys.set(cursor, keyOf(next));
    if (this.keys.size > MAX_CURSORS) {
      const oldest = this.keys.keys().next().value;
      if (oldest !== undefined) this.keys.delete(oldest);
    }
    return { results, has_more: true, next_cursor: cursor };
  }
}
