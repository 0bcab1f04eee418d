import { describe, expect, it } from 'vitest';
import { bulkSummary } from './review-queue.tsx';

describe('bulkSummary', () => {
  it('counts conflicts failed by status and reviews failed by ok: false, naming each failure', () => {
    expect(bulkSummary([{ id: 'cfl_1', status: 'resolved' }, { id: 'cfl_2', status: 'failed', error: { code: 'CONFLICT', message: 'already decided' } }], 'conflicts', 'resolved')).toBe(
      '1 of 2 conflicts resolved. Failed: cfl_2 (already decided)',
    );
    expect(bulkSummary([{ id: 'rev_1', ok: true, status: 'merged' }, { id: 'rev_2', ok: false }], 'reviews', 'merged')).toBe('1 of 2 reviews merged. Failed: rev_2 (unknown)');
    expect(bulkSummary([{ id: 'rev_1', ok: true }], 'reviews', 'rejected')).toBe('1 of 1 reviews rejected.');
  });
});
