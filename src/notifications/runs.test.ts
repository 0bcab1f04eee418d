import { describe, expect, it } from 'vitest';
import type { SyncRunDetail } from '../ports/store.ts';
import { entityHostEvent } from './host-events/entity-changes.ts';
import { runCompletedEvent, runNotificationEvents } from './runs.ts';

const run = (over: Partial<SyncRunDetail>): SyncRunDetail => ({
  id: 'run_2', tenantId: 'ten_a', integrationId: 'int_1', type: 'scheduled', status: 'succeeded', startedAt: '2026-01-01T00:00:00.000Z', finishedAt: '2026-01-01T00:01:00.000Z',
  recordsSoFar: 10, pages: 1, totalEstimate: 10, error: null, checkpoint: null, expiresAt: null,
  counts: { created: 10, updated: 0, unchanged: 0, deleted: 0, failed: 0 }, fullResync: false, ...over,
} as SyncRunDetail);
const types = (events: { type: string }[]) => events.map((e) => e.type);
const NONE = { opened: 0, waiting: 0 };

describe('what a finished run raises', () => {
  it('a failed run is sync.failed with its error; a partial one, or one with failed records, is run.partial', () => {
    const failed = runNotificationEvents(run({ status: 'failed', error: { code: 'PROVIDER_REJECTED', message: 'no' } }), null, NONE);
    expect(failed).toMatchObject([{ type: 'sync.failed', severity: 'critical', subject: { kind: 'integration', id: 'int_1' }, facts: { runId: 'run_2', error: 'PROVIDER_REJECTED' } }]);
    expect(types(runNotificationEvents(run({ status: 'partial' }), null, NONE))).toEqual(['run.partial']);
    expect(types(runNotificationEvents(run({ counts: { created: 9, updated: 0, unchanged: 0, deleted: 0, failed: 1 } }), null, NONE))).toEqual(['run.partial']);
    expect(runNotificationEvents(run({}), null, NONE)).toEqual([]);
  });

  it('a good run after a failed or partial one is sync.recovered; after a good one, nothing', () => {
    expect(types(runNotificationEvents(run({}), run({ id: 'run_1', status: 'failed' }), NONE))).toEqual(['sync.recovered']);
    expect(types(runNotificationEvents(run({}), run({ id: 'run_1', status: 'partial' }), NONE))).toEqual(['sync.recovered']);
    expect(runNotificationEvents(run({}), run({ id: 'run_1' }), NONE)).toEqual([]);
  });

  it('dedup reviews the run opened are dedup.reviews_waiting, with how many it opened and how many wait', () => {
    expect(runNotificationEvents(run({}), null, { opened: 4, waiting: 6 })).toMatchObject([{ type: 'dedup.reviews_waiting', severity: 'warning', facts: { newReviews: 4, reviewsWaiting: 6 } }]);
    expect(runNotificationEvents(run({}), null, { opened: 0, waiting: 6 })).toEqual([]);
  });

  it('the host hears run.completed with the summary, and entity feed entries as entity.* events', () => {
    expect(runCompletedEvent(run({ status: 'failed', error: { code: 'X', message: 'm' } }))).toMatchObject({ type: 'run.completed', tenantId: 'ten_a', data: { runId: 'run_2', status: 'failed', error: { code: 'X' } } });
    const change = (op: string) => entityHostEvent({ seq: 7, tenantId: 'ten_a', entityId: 'ent_1', at: '2026-01-01T00:00:00.000Z', change: { op, type: 'person', fields: { a: 1 } } });
    expect([change('create'), change('update'), change('delete'), change('merge')].map((e) => e.type)).toEqual(['entity.created', 'entity.updated', 'entity.deleted', 'entity.updated']);
    expect(change('create').data).toEqual({ seq: 7, entityId: 'ent_1', op: 'create', type: 'person', fields: { a: 1 } });
  });
});
