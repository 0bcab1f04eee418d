/**
 * One page of a cursor-paginated list. `nextCursor` is null on the last page; passing
 * it back returns the next page. Cursors are opaque (they encode the sort key of the
 * last item, so rows inserted meanwhile never shift a page), stable across processes,
 * and a malformed one fails with VALIDATION_FAILED (field `cursor`).
 */
export interface Page<T> {
  readonly items: T[];
  readonly nextCursor: string | null;
}

export interface PageRequest {
  /** Items per page: 50 when absent, at most 1000 (larger values are clamped); must be a positive integer. */
  limit?: number;
  cursor?: string | null;
}
