// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import type { Change, EntityDetail, Merge } from '../api/types.ts';
import { fakeSession, renderWithSession } from '../test-api.ts';
import { button, click, settle } from '../test-dom.ts';
import type { Rendered } from '../test-dom.ts';
import { Entities, changesOf, describeReason, entityLabel } from './Entities.tsx';

const ENTITY: EntityDetail = {
  id: 'ent_1', type: 'person', fields: { name: 'Ada Lovelace', email: 'ada@example.com' }, version: 3, createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-02T00:00:00Z',
  deletedAt: null, mergedInto: null,
  links: [{ id: 'lnk_1', connectionId: 'con_sf', integrationId: 'int_1', object: 'Contact', externalId: '003A', remoteVersion: null, lastSyncedAt: null, tombstonedAt: null, createdAt: '2026-01-01T00:00:00Z' }],
  relationships: { outgoing: [{ fromEntityId: 'ent_1', kind: 'works_at', toEntityId: 'ent_org', createdAt: '2026-01-01T00:00:00Z' }], incoming: [] },
};
const MERGE: Merge = { id: 'mrg_1', survivorId: 'ent_1', mergedId: 'ent_2', reason: { reviewId: 'rev_1', score: 0.81, by: { kind: 'tenant', keyId: 'key_1' } }, mergedAt: '2026-01-02T00:00:00Z', undoneAt: null };

let view: Rendered | undefined;
afterEach(() => {
  view?.unmount();
  view = undefined;
});

describe('the entity page', () => {
  it('shows links, relationships, merge lineage and history, and undoes a merge', async () => {
    let undone: string | null = null;
    const { session, calls } = fakeSession((call) => {
      if (call.path === '/v1/entities/ent_1') return [200, ENTITY];
      if (call.path === '/v1/entities/ent_1/merges') return [200, { items: [{ ...MERGE, undoneAt: undone }], nextCursor: null }];
      if (call.path === '/v1/changes' && call.query.get('entityId') === 'ent_1') return [200, { items: [{ seq: 7, entityId: 'ent_1', change: { op: 'update', fields: { title: 'CTO' } }, at: '2026-01-02T00:00:00Z' }], nextSince: 7 }];
      if (call.method === 'POST' && call.path === '/v1/entities/ent_1/merges/mrg_1/undo') {
        undone = '2026-01-03T00:00:00Z';
        return [200, { ...MERGE, undoneAt: undone }];
      }
      return undefined;
    });
    view = await renderWithSession(session, <Entities path="/entities/ent_1" />);
    await settle();
    const { container } = view;
    expect(container.querySelector('h1')?.textContent).toBe('Ada Lovelace (person)');
    expect(container.textContent).toContain('003A');
    expect(container.textContent).toContain('works_at');
    expect(container.textContent).toContain('review rev_1, score 81 %, by tenant key key_1');
    expect(container.textContent).toContain('"title":"CTO"');
    expect(container.querySelectorAll('table')[4]?.querySelectorAll('tbody tr')).toHaveLength(1);

    await click(button(container, 'Undo merge mrg_1'));
    await settle();
    expect(calls.some((call) => call.method === 'POST' && call.path === '/v1/entities/ent_1/merges/mrg_1/undo')).toBe(true);
    expect(container.textContent).toContain('Merge mrg_1 undone: ent_2 is back');
    expect(() => button(container, 'Undo merge mrg_1')).toThrow();
  });

  it('asks the change feed for one entity’s entries and follows its pages', async () => {
    const pages: Record<string, { items: Change[]; nextSince: number }> = {
      '0': { items: Array.from({ length: 1000 }, (_, i) => ({ seq: 2 * i + 1, entityId: 'ent_1', change: {}, at: '' })), nextSince: 1999 },
      '1999': { items: [{ seq: 2500, entityId: 'ent_1', change: {}, at: '' }], nextSince: 2500 },
    };
    const { session, calls } = fakeSession((call) => (call.path === '/v1/changes' && call.query.get('entityId') === 'ent_1' ? [200, pages[call.query.get('since') ?? '0']] : undefined));
    const found = await changesOf(session.api, '/v1', 'ent_1');
    expect(found.complete).toBe(true);
    expect(found.items).toHaveLength(1001);
    expect(found.items.at(-1)?.seq).toBe(2500);
    expect(calls.map((call) => call.query.get('since'))).toEqual(['0', '1999']);
  });

  it('labels entities by their name-like field', () => {
    expect(entityLabel({ id: 'ent_1', fields: { givenName: 'Ada', familyName: 'King' } })).toBe('Ada King');
    expect(entityLabel({ id: 'ent_1', fields: { domain: 'example.com' } })).toBe('example.com');
    expect(entityLabel({ id: 'ent_1', fields: {} })).toBe('ent_1');
    expect(describeReason({})).toBe('{}');
  });
});
