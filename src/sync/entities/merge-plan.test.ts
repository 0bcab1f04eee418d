import { describe, expect, it } from 'vitest';
import type { Entity, Relationship } from '../../domain/entity.ts';
import { asMergeSnapshot, chooseSurvivor, planLinkLineage, planLinkUndo, planMerge, planUndo } from './merge-plan.ts';

const entity = (id: string, createdAt: string, fields: Record<string, unknown>, type = 'person'): Entity => ({
  id, tenantId: 'ten_a', type, fields, version: 3, createdAt, updatedAt: createdAt, deletedAt: null, mergedInto: null,
});
const rel = (fromEntityId: string, kind: string, toEntityId: string, createdAt = '2026-01-01T00:00:00.000Z'): Relationship => ({ tenantId: 'ten_a', fromEntityId, kind, toEntityId, createdAt });
const link = (id: string, entityId: string) => ({
  id, tenantId: 'ten_a', entityId, connectionId: 'con_1', integrationId: null, object: 'Contact', externalId: id, remoteVersion: null, baseSnapshot: null, pushedHash: null,
  lastSyncedAt: null, tombstonedAt: null, createdAt: '2026-01-01T00:00:00.000Z',
});

describe('merge planning', () => {
  it('keeps the entity created first (then the smaller id) as the survivor', () => {
    const old = entity('ent_b', '2026-01-01T00:00:00.000Z', {});
    const young = entity('ent_a', '2026-02-01T00:00:00.000Z', {});
    expect(chooseSurvivor(young, old).survivor.id).toBe('ent_b');
    expect(chooseSurvivor(old, young).survivor.id).toBe('ent_b');
    const twin = entity('ent_c', '2026-01-01T00:00:00.000Z', {});
    expect(chooseSurvivor(twin, old).survivor.id).toBe('ent_b');
  });

  it("fills only the survivor's missing fields, moves every link and re-points edges without loops or duplicates", () => {
    const survivor = entity('ent_s', '2026-01-01T00:00:00.000Z', { email: 'a@x.org', city: '', phone: null, title: 'CEO' });
    const merged = entity('ent_m', '2026-01-02T00:00:00.000Z', { email: 'b@y.org', city: 'Paris', phone: '+33123456789', title: '', note: 'n' });
    const edges: Record<string, { outgoing: Relationship[]; incoming: Relationship[] }> = {
      ent_s: { outgoing: [rel('ent_s', 'works_at', 'ent_org')], incoming: [] },
      ent_m: {
        outgoing: [rel('ent_m', 'works_at', 'ent_org'), rel('ent_m', 'knows', 'ent_s'), rel('ent_m', 'owns', 'ent_deal', '2025-05-05T00:00:00.000Z')],
        incoming: [rel('ent_task', 'assigned_to', 'ent_m')],
      },
    };
    const plan = planMerge({ a: merged, b: survivor, linksOf: (id) => (id === 'ent_m' ? [link('l1', 'ent_m'), link('l2', 'ent_m')] : [link('l0', 'ent_s')]), edgesOf: (id) => edges[id]! });
    expect(plan.survivor.id).toBe('ent_s');
    expect(plan.survivorFields).toEqual({ email: 'a@x.org', city: 'Paris', phone: '+33123456789', title: 'CEO', note: 'n' });
    expect(plan.changedFields).toEqual({ city: 'Paris', phone: '+33123456789', note: 'n' });
    expect(plan.linkIds).toEqual(['l1', 'l2']);
    expect(plan.deleteEdges).toHaveLength(4);
    expect(plan.addEdges).toEqual([
      { fromEntityId: 'ent_s', kind: 'owns', toEntityId: 'ent_deal', createdAt: '2025-05-05T00:00:00.000Z' },
      { fromEntityId: 'ent_task', kind: 'assigned_to', toEntityId: 'ent_s', createdAt: '2026-01-01T00:00:00.000Z' },
    ]);
    expect(plan.addKeys.map((k) => k.key)).toEqual(['email:b@y.org', 'phone:+33123456789']);
    expect(asMergeSnapshot(JSON.parse(JSON.stringify(plan.snapshot)) as Record<string, unknown>)).toEqual(plan.snapshot);
  });

  it('undo removes what the merge added unless the survivor changed it since, and keeps keys its fields still produce', () => {
    const survivor = entity('ent_s', '2026-01-01T00:00:00.000Z', { email: 'a@x.org', city: '' });
    const merged = entity('ent_m', '2026-01-02T00:00:00.000Z', { email: 'b@y.org', city: 'Paris', phone: '+33123456789' });
    const none = { outgoing: [], incoming: [] };
    const plan = planMerge({ a: survivor, b: merged, linksOf: () => [], edgesOf: () => none });
    const untouched = planUndo(plan.snapshot, { ...survivor, fields: plan.survivorFields });
    expect(untouched.survivorFields).toEqual(survivor.fields);
    expect(untouched.changedFields).toEqual({ city: '', phone: null });
    expect(untouched.mergedFields).toEqual(merged.fields);
    expect(untouched.deleteKeys.map((k) => k.key)).toEqual(['email:b@y.org', 'phone:+33123456789']);
    // Since the merge the city changed (it stays); the phone still holds the merged value (it goes).
    const changed = planUndo(plan.snapshot, { ...survivor, fields: { ...plan.survivorFields, city: 'Lyon', phone: '+33123456789' } });
    expect(changed.survivorFields).toEqual({ email: 'a@x.org', city: 'Lyon' });
    const kept = planUndo(plan.snapshot, { ...survivor, fields: { ...plan.survivorFields, email: 'b@y.org' } });
    expect(kept.deleteKeys.map((k) => k.key)).toEqual(['phone:+33123456789']);
  });

  it('keeps what an automatic link set on the survivor, and its undo takes back only what still holds that value', () => {
    const prior = { email: 'ada@x.org', title: 'Countess' };
    const after = { email: 'ADA@X.org', title: 'Countess', city: 'London' };
    const snapshot = planLinkLineage({
      survivor: { type: 'person', prior, after }, recordFields: { email: 'ADA@X.org', city: 'London' },
      link: { id: 'lnk_g', connectionId: 'con_g', object: 'person', externalId: 'p1' }, edges: [],
    });
    expect(snapshot.filled).toEqual([{ field: 'email', value: 'ADA@X.org', prior: 'ada@x.org', absent: false }, { field: 'city', value: 'London', prior: null, absent: true }]);
    expect(asMergeSnapshot({ ...snapshot })).toMatchObject({ kind: 'link', linkIds: ['lnk_g'] });
    // Since the link, the survivor's city changed: it stays; the email goes back.
    const survivor = entity('ent_s', '2026-01-01T00:00:00.000Z', { ...after, city: 'Paris' });
    const g = { ...link('lnk_g', 'ent_s'), baseSnapshot: { email: 'ADA@X.org', city: 'Lyon' } };
    const undo = planLinkUndo(snapshot, survivor, g, '2026-03-01T00:00:00.000Z');
    expect(undo.survivorFields).toEqual({ email: 'ada@x.org', title: 'Countess', city: 'Paris' });
    expect(undo.detached).toMatchObject({ type: 'person', fields: { email: 'ADA@X.org', city: 'Lyon' }, deletedAt: null });
    expect(planLinkUndo(snapshot, survivor, { ...g, tombstonedAt: '2026-02-01T00:00:00.000Z' }, '2026-03-01T00:00:00.000Z').detached.deletedAt).toBe('2026-03-01T00:00:00.000Z');
  });

  it('refuses to undo from a snapshot it did not write', () => {
    expect(() => asMergeSnapshot({ merged: {} })).toThrow(expect.objectContaining({ code: 'CONFLICT' }));
  });
});
