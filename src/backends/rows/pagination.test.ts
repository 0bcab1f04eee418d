import { describe, expect, it } from 'vitest';
import { isTributaryError } from '../../domain/errors.ts';
import { DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT, decodeCursor, encodeCursor, resolvePage, toPage } from './pagination.ts';

function fieldOfFailure(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (isTributaryError(error) && error.code === 'VALIDATION_FAILED') return error.field;
    throw error;
  }
  return undefined;
}

describe('row pagination', () => {
  it('decodes the cursor it encoded', () => {
    expect(decodeCursor(encodeCursor(['2026-01-01T00:00:00.000Z', 'id_1']))).toEqual(['2026-01-01T00:00:00.000Z', 'id_1']);
  });

  it('rejects a cursor it did not make, naming the field', () => {
    expect(fieldOfFailure(() => decodeCursor('not-a-cursor'))).toBe('cursor');
    expect(fieldOfFailure(() => decodeCursor(Buffer.from('["a",1]').toString('base64url')))).toBe('cursor');
  });

  it('defaults, clamps and validates the limit', () => {
    expect(resolvePage(undefined)).toEqual({ limit: DEFAULT_PAGE_LIMIT, after: null });
    expect(resolvePage({ limit: MAX_PAGE_LIMIT + 5 }).limit).toBe(MAX_PAGE_LIMIT);
    expect(fieldOfFailure(() => resolvePage({ limit: 0 }))).toBe('limit');
    expect(fieldOfFailure(() => resolvePage({ limit: 1.5 }))).toBe('limit');
  });

  it('keeps limit rows and points the cursor at the last one kept when another page exists', () => {
    const rows = [
      { at: 't1', id: 'a' },
      { at: 't2', id: 'b' },
      { at: 't3', id: 'c' },
    ];
    const page = toPage(rows, 2, (row) => [row.at, row.id], (row) => row.id);
    expect(page.items).toEqual(['a', 'b']);
    expect(page.nextCursor).not.toBeNull();
    expect(resolvePage({ cursor: page.nextCursor ?? '' }).after).toEqual(['t2', 'b']);
    expect(toPage(rows.slice(0, 2), 2, (row) => [row.at, row.id], (row) => row.id).nextCursor).toBeNull();
  });
});
