/**
 * Slack's cursors: opaque base64 strings (`dXNlcjpVMEc5V0ZYTlo=` is `user:U0G9WFXNZ`,
 * history's `bmV4dF90czox...` is `next_ts:1...`) passed back as `cursor`, with
 * `response_metadata.next_cursor` empty ("") once the collection is exhausted.
 */
import { SlackApiError } from './errors.ts';

export function encodeCursor(kind: string, value: string): string {
  return Buffer.from(`${kind}:${value}`).toString('base64');
}

/** The value of a cursor of `kind`, null when none was given; `invalid_cursor` when malformed. */
export function decodeCursor(kind: string, cursor: unknown): string | null {
  if (cursor === undefined || cursor === null || cursor === '') return null;
  const text = Buffer.from(String(cursor), 'base64').toString('utf8');
  if (!text.startsWith(`${kind}:`)) throw new SlackApiError('invalid_cursor');
  return text.slice(kind.length + 1);
}

/** `limit` within [1, max], `fallback` when absent or 0. */
export function limitArg(value: unknown, fallback: number, max: number): number {
  const parsed = Number.parseInt(String(value ?? ''), 10);
  if (!Number.isFinite(parsed) || parsed <= 0) return fallback;
  return Math.min(max, parsed);
}

/** Items after the cursor's id (list order), the page, and the next cursor. */
export function pageById<T extends { id: string }>(items: T[], kind: string, cursor: unknown, limit: number): { page: T[]; nextCursor: string } {
  const after = decodeCursor(kind, cursor);
  let start = 0;
  if (after !== null) {
    start = items.findIndex((item) => item.id === after);
    if (start === -1) throw new SlackApiError('invalid_cursor');
  }
  const page = items.slice(start, start + limit);
  const next = items[start + limit];
  return { page, nextCursor: next ? encodeCursor(kind, next.id) : '' };
}
