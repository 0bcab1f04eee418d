import { describe, expect, it } from 'vitest';
import type { EntityWriteBatch } from '../../ports/store.ts';
import { withPropagation } from './propagate.ts';

const batch = (changes: EntityWriteBatch['changes']): EntityWriteBatch => ({
  tenantId: 'ten_a', at: '2026-01-01T00:00:00.000Z', entityInserts: [], entityUpdates: [], linkInserts: [], linkUpdates: [], relationships: [], changes, matchKeys: [], reviews: [],
});

describe('propagation of pulled changes', () => {
  it('adds one outbox row per entity update, carrying the feed entry\'s change, and none for creates and deletes', () => {
    const update = { op: 'update', fields: { phone: '+1' }, version: 2, source: { connectionId: 'con_sf' } };
    const out = withPropagation(batch([
      { entityId: 'ent_new', change: { op: 'create', fields: {}, version: 1 } },
      { entityId: 'ent_1', change: update },
      { entityId: 'ent_gone', change: { op: 'delete', fields: {}, version: 3 } },
    ]));
    expect(out.outbox).toEqual([{ id: expect.stringMatching(/^obx_[0-9a-f]{32}$/), entityId: 'ent_1', change: update }]);
    expect(out.changes).toHaveLength(3);
  });

  it('leaves a batch without updates as it is', () => {
    const plain = batch([{ entityId: 'ent_new', change: { op: 'create', fields: {}, version: 1 } }]);
    expect(withPropagation(plain)).toBe(plain);
  });
});
