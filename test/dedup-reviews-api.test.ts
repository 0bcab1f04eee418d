/**
 * The dedup review queue and merge undo through the real API (buildApi over the composed
 * services, SQLite store): reviews listed with both candidates side by side, accept merges
 * them (the older entity keeps every link, edge and the fields it lacked), the change feed
 * and the audit log record it, undo restores exactly what was there, reject and undo
 * remember the pair so it is never proposed again, bulk decisions report each outcome,
 * bad input is answered 400 naming the field, and another tenant sees and decides none of it.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../src/domain/ids.ts';
import type { DedupReview } from '../src/domain/review.ts';
import type { EntityWriteBatch, Store } from '../src/ports/store.ts';
import { startTempPlatform, type TempPlatform } from '../src/runtime/testing/temp-platform.ts';
import type { Json } from './sync-fixture.ts';

let temp: TempPlatform;
let store: Store;
let keyA: string;
let keyB: string;
let adminTenantA: string;
const ADMIN_KEY = 'dedup-test-admin-key-abcdefghijkl';
const revId = (): string => `rev_${randomUUID().replaceAll('-', '')}`;
const ctx = { actor: { kind: 'system' as const, keyId: null, tenantId: null }, requestId: 'req_test' };
const ids = {
  ada1: newId('ent'), ada2: newId('ent'), org: newId('ent'), task: newId('ent'), bob1: newId('ent'), bob2: newId('ent'), cy1: newId('ent'), cy2: newId('ent'), b1: newId('ent'),
};
const rev = { ada: revId(), bob: revId(), cy: revId(), other: revId(), b: revId() };

function batch(tenantId: string, at: string, extra: Partial<EntityWriteBatch>): EntityWriteBatch {
  return { tenantId, at, entityInserts: [], entityUpdates: [], linkInserts: [], linkUpdates: [], relationships: [], changes: [], matchKeys: [], reviews: [], ...extra };
}
const link = (entityId: string, connectionId: string, object: string, externalId: string) => ({
  id: `lnk_${randomUUID().replaceAll('-', '')}`, entityId, connectionId, integrationId: null, object, externalId, recordId: externalId, remoteVersion: 'v1', baseSnapshot: {}, tombstonedAt: null,
});
const review = (id: string, tenantId: string, entityIds: [string, string], score: number, at: string): DedupReview => ({
  id, tenantId, status: 'open', payload: { entityType: 'person', entityIds, score, source: { connectionId: 'con_a2' } }, resolution: null, createdAt: at, resolvedAt: null,
});

function call(method: 'GET' | 'POST', url: string, payload?: unknown, key = keyA) {
  return temp.app.inject({ method, url, headers: { authorization: `Bearer ${key}` }, ...(payload === undefined ? {} : { payload: payload as object }) });
}

/** An entity as GET /v1/entities/:id shows it, without what every write bumps (version, updatedAt). */
async function stateOf(id: string): Promise<Json> {
  const { version: _v, updatedAt: _u, ...rest } = (await call('GET', `/v1/entities/${id}`)).json();
  const sort = (list: Json[]) => [...list].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  return { ...rest, links: sort(rest.links), relationships: { outgoing: sort(rest.relationships.outgoing), incoming: sort(rest.relationships.incoming) } };
}

beforeAll(async () => {
  temp = await startTempPlatform({ adminKey: ADMIN_KEY });
  const s = temp.platform.services;
  store = s.store;
  const a = await s.tenants.create(ctx, { name: 'A' });
  const b = await s.tenants.create(ctx, { name: 'B' });
  adminTenantA = a.id;
  keyA = (await s.apiKeys.create(ctx, { tenantId: a.id, name: 'k' })).plaintext;
  keyB = (await s.apiKeys.create(ctx, { tenantId: b.id, name: 'k' })).plaintext;
  const now = '2026-01-01T00:00:00.000Z';
  for (const [id, tenantId, provider] of [['con_a1', a.id, 'salesforce'], ['con_a2', a.id, 'google'], ['con_b1', b.id, 'salesforce']] as const) {
    await store.connections.insert({ id, tenantId, provider, name: id, status: 'active', baseUrl: null, account: {}, credentialId: null, createdAt: now, updatedAt: now });
  }
  // The Salesforce side first (older), then Google's copies of the same people.
  await store.entities.applyBatch(batch(a.id, '2026-01-01T00:00:01.000Z', {
    entityInserts: [
      { id: ids.ada1, type: 'person', fields: { givenName: 'Ada', familyName: 'Lovelace', email: 'ada@x.org', city: '' } },
      { id: ids.org, type: 'organization', fields: { name: 'Analytical Engines' } },
      { id: ids.bob1, type: 'person', fields: { givenName: 'Bob', familyName: 'Stone' } },
      { id: ids.cy1, type: 'person', fields: { givenName: 'Cy', familyName: 'Young' } },
    ],
    linkInserts: [link(ids.ada1, 'con_a1', 'Contact', 'c1'), link(ids.org, 'con_a1', 'Account', 'a1'), link(ids.bob1, 'con_a1', 'Contact', 'c2'), link(ids.cy1, 'con_a1', 'Contact', 'c3')],
    relationships: [{ fromEntityId: ids.ada1, kind: 'works_at', toEntityId: ids.org }],
    matchKeys: [{ entityType: 'person', key: 'email:ada@x.org', connectionId: 'con_a1', object: 'Contact', entityId: ids.ada1 }],
  }));
  await store.entities.applyBatch(batch(a.id, '2026-01-01T00:00:02.000Z', {
    entityInserts: [
      { id: ids.ada2, type: 'person', fields: { givenName: 'Ada', familyName: 'Lovelace', email: 'ada.lovelace@y.org', phone: '+442071234567', city: 'London' } },
      { id: ids.task, type: 'task', fields: { title: 'Notes on the engine' } },
      { id: ids.bob2, type: 'person', fields: { givenName: 'Rob', familyName: 'Stone' } },
      { id: ids.cy2, type: 'person', fields: { givenName: 'Cyrus', familyName: 'Young' } },
    ],
    linkInserts: [link(ids.ada2, 'con_a2', 'contacts', 'g1'), link(ids.task, 'con_a2', 'tasks', 't1'), link(ids.bob2, 'con_a2', 'contacts', 'g2'), link(ids.cy2, 'con_a2', 'contacts', 'g3')],
    relationships: [{ fromEntityId: ids.ada2, kind: 'works_at', toEntityId: ids.org }, { fromEntityId: ids.task, kind: 'assigned_to', toEntityId: ids.ada2 }],
    matchKeys: [{ entityType: 'person', key: 'email:ada.lovelace@y.org', connectionId: 'con_a2', object: 'contacts', entityId: ids.ada2 }],
    reviews: [
      review(rev.ada, a.id, [ids.ada2, ids.ada1], 0.74, '2026-01-01T00:00:02.000Z'),
      review(rev.bob, a.id, [ids.bob2, ids.bob1], 0.61, '2026-01-01T00:00:03.000Z'),
      review(rev.cy, a.id, [ids.cy2, ids.cy1], 0.58, '2026-01-01T00:00:04.000Z'),
      review(rev.other, a.id, [ids.cy2, ids.bob1], 0.51, '2026-01-01T00:00:05.000Z'),
    ],
  }));
  await store.entities.applyBatch(batch(b.id, '2026-01-01T00:00:02.000Z', {
    entityInserts: [{ id: ids.b1, type: 'person', fields: { givenName: 'Bea' } }],
    linkInserts: [link(ids.b1, 'con_b1', 'Contact', 'c1')],
    reviews: [review(rev.b, b.id, [ids.b1, ids.b1.replace(/.$/, '0')], 0.6, '2026-01-01T00:00:02.000Z')],
  }));
}, 30_000);

afterAll(async () => {
  await temp?.close();
});

describe('the dedup review queue API', () => {
  it('lists open reviews oldest first in cursor pages, each with both candidates side by side and the score', async () => {
    const first = (await call('GET', '/v1/dedup/reviews?status=open&limit=3')).json();
    const second = (await call('GET', `/v1/dedup/reviews?status=open&limit=3&cursor=${first.nextCursor}`)).json();
    expect([...first.items, ...second.items].map((r: Json) => r.id)).toEqual([rev.ada, rev.bob, rev.cy, rev.other]);
    expect(second.nextCursor).toBeNull();
    const ada = first.items[0];
    expect(ada).toMatchObject({ status: 'open', entityType: 'person', score: 0.74, candidates: [{ id: ids.ada2, exists: true, type: 'person' }, { id: ids.ada1, exists: true }] });
    expect(ada.candidates[1].fields).toEqual({ givenName: 'Ada', familyName: 'Lovelace', email: 'ada@x.org', city: '' });
    const byField = Object.fromEntries(ada.comparison.map((c: Json) => [c.field, c]));
    expect(ada.comparison.map((c: Json) => c.field).slice(0, 3)).toEqual(['email', 'phone', 'givenName']);
    expect(byField.email).toMatchObject({ values: ['ada.lovelace@y.org', 'ada@x.org'], same: false, kind: 'email' });
    expect(byField.email.similarity).toBeGreaterThan(0);
    expect(byField.email.similarity).toBeLessThan(1);
    expect(byField.familyName).toMatchObject({ values: ['Lovelace', 'Lovelace'], same: true, similarity: 1, kind: 'surname' });
    expect(byField.phone).toMatchObject({ values: ['+442071234567', null], similarity: null });
    expect((await call('GET', `/v1/dedup/reviews/${rev.bob}`)).json()).toMatchObject({ id: rev.bob, score: 0.61 });
  });

  it('answers bad input with 400 naming the field', async () => {
    const cases: [string, string, unknown, string][] = [
      ['GET', '/v1/dedup/reviews?status=maybe', undefined, 'querystring.status'],
      ['GET', '/v1/dedup/reviews?limit=0', undefined, 'querystring.limit'],
      ['GET', '/v1/dedup/reviews?cursor=nonsense', undefined, 'cursor'],
      ['POST', `/v1/dedup/reviews/${rev.bob}`, { decision: 'maybe' }, 'body.decision'],
      ['POST', `/v1/dedup/reviews/${rev.bob}`, {}, 'body.decision'],
      ['POST', '/v1/dedup/reviews/not-a-review', { decision: 'accept' }, 'params.reviewId'],
      ['POST', '/v1/dedup/reviews/bulk', { ids: [], decision: 'reject' }, 'body.ids'],
      ['POST', '/v1/dedup/reviews/bulk', { ids: ['x'], decision: 'reject' }, 'body.ids.0'],
      ['POST', '/v1/dedup/reviews/bulk', { ids: [rev.bob] }, 'body.decision'],
      ['GET', `/v1/entities/${ids.ada1}/merges?limit=-1`, undefined, 'querystring.limit'],
      ['POST', `/v1/entities/${ids.ada1}/merges/nope/undo`, undefined, 'params.mergeId'],
    ];
    for (const [method, url, payload, field] of cases) {
      const res = await call(method as 'GET' | 'POST', url, payload);
      expect(res.statusCode, `${method} ${url}`).toBe(400);
      expect(res.json().error, `${method} ${url}`).toMatchObject({ code: 'VALIDATION_FAILED', field });
    }
    expect((await call('GET', `/v1/dedup/reviews/${rev.bob}`)).json().status).toBe('open');
  });

  it('keeps tenants apart: another tenant neither sees nor decides the reviews, nor reads or undoes the merges', async () => {
    expect((await call('GET', '/v1/dedup/reviews', undefined, keyB)).json().items.map((r: Json) => r.id)).toEqual([rev.b]);
    expect((await call('GET', `/v1/dedup/reviews/${rev.bob}`, undefined, keyB)).statusCode).toBe(404);
    expect((await call('POST', `/v1/dedup/reviews/${rev.bob}`, { decision: 'accept' }, keyB)).statusCode).toBe(404);
    const bulk = (await call('POST', '/v1/dedup/reviews/bulk', { ids: [rev.bob], decision: 'reject' }, keyB)).json();
    expect(bulk.results).toEqual([{ id: rev.bob, ok: false, error: { code: 'NOT_FOUND', message: expect.any(String) } }]);
    expect((await call('GET', `/v1/tenants/${adminTenantA}/dedup/reviews`, undefined, keyB)).statusCode).toBe(404);
    expect((await call('GET', `/v1/entities/${ids.ada1}/merges`, undefined, keyB)).statusCode).toBe(404);
    expect((await call('GET', `/v1/dedup/reviews/${rev.bob}`)).json().status).toBe('open');

    const accepted = (await call('POST', `/v1/dedup/reviews/${rev.cy}`, { decision: 'accept' })).json();
    const mergeId = accepted.merge.id as string;
    expect((await call('POST', `/v1/entities/${ids.cy1}/merges/${mergeId}/undo`, undefined, keyB)).statusCode).toBe(404);
    expect((await call('GET', `/v1/entities/${ids.cy1}/merges`)).json().items.map((m: Json) => m.undoneAt)).toEqual([null]);
    // An admin key reaches tenant A by path.
    expect((await temp.app.inject({ method: 'GET', url: `/v1/tenants/${adminTenantA}/entities/${ids.cy1}/merges`, headers: { authorization: `Bearer ${ADMIN_KEY}` } })).json().items).toHaveLength(1);
    expect((await call('POST', `/v1/entities/${ids.cy1}/merges/${mergeId}/undo`)).statusCode).toBe(200);
  });

  it('accepts a review: the older entity survives with every link and edge and the fields it lacked; feed and audit record it; undo restores the exact prior state', async () => {
    const before = { ada1: await stateOf(ids.ada1), ada2: await stateOf(ids.ada2), org: await stateOf(ids.org), task: await stateOf(ids.task) };
    const since = (await call('GET', '/v1/changes?since=0&limit=1000')).json().nextSince as number;

    const res = await call('POST', `/v1/dedup/reviews/${rev.ada}`, { decision: 'accept' });
    expect(res.statusCode).toBe(200);
    const { review: decided, merge } = res.json();
    expect(decided).toMatchObject({ id: rev.ada, status: 'merged', resolution: { decision: 'accept', mergeId: merge.id } });
    expect(merge).toMatchObject({ survivorId: ids.ada1, mergedId: ids.ada2, reason: { reviewId: rev.ada, score: 0.74 }, undoneAt: null });
    expect(merge.snapshot).toBeUndefined();

    const survivor = (await call('GET', `/v1/entities/${ids.ada1}`)).json();
    expect(survivor.fields).toEqual({ givenName: 'Ada', familyName: 'Lovelace', email: 'ada@x.org', city: 'London', phone: '+442071234567' });
    expect(survivor.links.map((l: Json) => l.externalId).sort()).toEqual(['c1', 'g1']);
    expect(survivor.relationships.outgoing.map((r: Json) => [r.kind, r.toEntityId])).toEqual([['works_at', ids.org]]);
    expect(survivor.relationships.incoming.map((r: Json) => [r.kind, r.fromEntityId])).toEqual([['assigned_to', ids.task]]);
    const merged = (await call('GET', `/v1/entities/${ids.ada2}`)).json();
    expect(merged).toMatchObject({ mergedInto: ids.ada1, deletedAt: expect.any(String), links: [], relationships: { outgoing: [], incoming: [] } });
    expect((await call('GET', '/v1/entities?type=person')).json().items.map((e: Json) => e.id)).not.toContain(ids.ada2);
    // A later record with the merged entity's email now finds the survivor.
    expect(await store.entities.findByMatchKeys(adminTenantA, 'person', ['email:ada.lovelace@y.org'], 'con_other', 'Lead')).toEqual([{ key: 'email:ada.lovelace@y.org', entityId: ids.ada1 }]);

    const feed = (await call('GET', `/v1/changes?since=${since}`)).json().items;
    expect(feed.map((c: Json) => [c.entityId, c.change.op])).toEqual([[ids.ada1, 'update'], [ids.ada2, 'delete']]);
    expect(feed[0].change).toMatchObject({ fields: { city: 'London', phone: '+442071234567' }, merge: { mergeId: merge.id, mergedId: ids.ada2 } });
    expect(feed[1].change).toMatchObject({ mergedInto: ids.ada1 });
    const audit = await store.audit.list({ tenantId: adminTenantA, action: 'dedup.review.accept' });
    expect(audit.items.find((e) => e.target === rev.ada)).toMatchObject({ actor: { kind: 'tenant' }, details: { mergeId: merge.id, survivorId: ids.ada1 } });

    expect((await call('POST', `/v1/dedup/reviews/${rev.ada}`, { decision: 'reject' })).json().error.code).toBe('CONFLICT');
    const lineage = (await call('GET', `/v1/entities/${ids.ada2}/merges`)).json();
    expect(lineage.items.map((m: Json) => m.id)).toEqual([merge.id]);
    expect((await call('GET', `/v1/entities/${ids.ada1}/merges`)).json().items.map((m: Json) => m.id)).toEqual([merge.id]);

    const undone = await call('POST', `/v1/entities/${ids.ada1}/merges/${merge.id}/undo`);
    expect(undone.statusCode).toBe(200);
    expect(undone.json()).toMatchObject({ id: merge.id, undoneAt: expect.any(String) });
    expect(await stateOf(ids.ada1)).toEqual(before.ada1);
    expect(await stateOf(ids.ada2)).toEqual(before.ada2);
    expect(await stateOf(ids.org)).toEqual(before.org);
    expect(await stateOf(ids.task)).toEqual(before.task);
    expect(await store.entities.findByMatchKeys(adminTenantA, 'person', ['email:ada.lovelace@y.org'], 'con_other', 'Lead')).toEqual([{ key: 'email:ada.lovelace@y.org', entityId: ids.ada2 }]);
    const undoFeed = (await call('GET', `/v1/changes?since=${since}`)).json().items.slice(2);
    expect(undoFeed.map((c: Json) => [c.entityId, c.change.op])).toEqual([[ids.ada1, 'update'], [ids.ada2, 'update']]);
    expect(undoFeed[0].change.fields).toEqual({ city: '', phone: null });
    expect(undoFeed[1].change).toMatchObject({ fields: before.ada2.fields, unmerge: { mergeId: merge.id, from: ids.ada1 } });
    expect((await store.audit.list({ tenantId: adminTenantA, action: 'entity.merge.undo', target: merge.id })).items).toHaveLength(1);
    expect((await call('POST', `/v1/entities/${ids.ada1}/merges/${merge.id}/undo`)).json().error.code).toBe('CONFLICT');

    // The pair was judged distinct by the undo: it is not proposed again.
    await store.entities.applyBatch(batch(adminTenantA, '2026-01-01T00:01:00.000Z', { reviews: [review(revId(), adminTenantA, [ids.ada1, ids.ada2], 0.8, '2026-01-01T00:01:00.000Z')] }));
    expect((await call('GET', '/v1/dedup/reviews?status=open')).json().items.some((r: Json) => r.candidates.some((c: Json) => c.id === ids.ada2))).toBe(false);
  });

  it('rejects a review, remembering the pair, and decides in bulk reporting each outcome', async () => {
    const rejected = (await call('POST', `/v1/dedup/reviews/${rev.bob}`, { decision: 'reject' })).json();
    expect(rejected).toMatchObject({ review: { id: rev.bob, status: 'dismissed', resolution: { decision: 'reject' } }, merge: null });
    expect((await call('GET', `/v1/entities/${ids.bob2}`)).json()).toMatchObject({ mergedInto: null, deletedAt: null });
    await store.entities.applyBatch(batch(adminTenantA, '2026-01-01T00:02:00.000Z', { reviews: [review(revId(), adminTenantA, [ids.bob1, ids.bob2], 0.7, '2026-01-01T00:02:00.000Z')] }));
    expect((await call('GET', '/v1/dedup/reviews?status=open')).json().items.map((r: Json) => r.id)).toEqual([rev.other]);
    expect((await store.audit.list({ tenantId: adminTenantA, action: 'dedup.review.reject', target: rev.bob })).items).toHaveLength(1);

    const missing = revId();
    const bulk = await call('POST', '/v1/dedup/reviews/bulk', { ids: [rev.other, rev.bob, rev.b, missing], decision: 'reject' });
    expect(bulk.statusCode).toBe(200);
    expect(bulk.json().results).toEqual([
      { id: rev.other, ok: true, status: 'dismissed', mergeId: null },
      { id: rev.bob, ok: false, error: { code: 'CONFLICT', message: expect.any(String) } },
      { id: rev.b, ok: false, error: { code: 'NOT_FOUND', message: expect.any(String) } },
      { id: missing, ok: false, error: { code: 'NOT_FOUND', message: expect.any(String) } },
    ]);
    expect((await call('GET', '/v1/dedup/reviews?status=open')).json().items).toEqual([]);
    expect((await call('GET', '/v1/dedup/reviews', undefined, keyB)).json().items.map((r: Json) => r.status)).toEqual(['open']);
  });
});
