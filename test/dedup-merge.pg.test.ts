/**
 * Review decisions, merges and their undo on the PostgreSQL store (the services over a
 * real server, in a schema of their own): accept then undo leaves both entities, their
 * links and relationships exactly as before; two deciders racing on one review (or on
 * one undo) leave one merge, and the loser gets CONFLICT.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgTestSchema, type PgTestSchema } from '../src/backends/postgres/pg-test-support.ts';
import type { PostgresStore } from '../src/backends/postgres/store.ts';
import type { EntityWriteBatch } from '../src/ports/store.ts';
import { DedupReviewService, MergeService } from '../src/sync/index.ts';

const URL = process.env.TRIBUTARY_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const clock = { now: () => Date.parse('2026-03-01T00:00:00.000Z') };
const actor = { actor: { kind: 'tenant' as const, keyId: null, tenantId: 'ten_a' }, requestId: 'req_1' };
let schema: PgTestSchema;
let store: PostgresStore;
let reviews: DedupReviewService;
let merges: MergeService;

const hex = (n: number): string => n.toString(16).padStart(32, '0');
const E = { s: `ent_${hex(1)}`, m: `ent_${hex(2)}`, org: `ent_${hex(3)}`, x: `ent_${hex(4)}`, y: `ent_${hex(5)}` };
const R = { one: `rev_${hex(1)}`, two: `rev_${hex(2)}` };

function batch(at: string, extra: Partial<EntityWriteBatch>): EntityWriteBatch {
  return { tenantId: 'ten_a', at, entityInserts: [], entityUpdates: [], linkInserts: [], linkUpdates: [], relationships: [], changes: [], matchKeys: [], reviews: [], ...extra };
}
const link = (id: string, entityId: string, connectionId: string, externalId: string) => ({
  id, entityId, connectionId, integrationId: null, object: 'Contact', externalId, recordId: externalId, remoteVersion: 'v1', baseSnapshot: { a: 1 }, tombstonedAt: null,
});

async function state(id: string) {
  const e = await store.entities.get('ten_a', id);
  const { outgoing, incoming } = await store.entities.relationshipsOf('ten_a', id);
  return { fields: e?.fields, deletedAt: e?.deletedAt, mergedInto: e?.mergedInto, links: (await store.entities.linksOf('ten_a', id)).map((l) => l.id).sort(), outgoing, incoming };
}

beforeAll(async () => {
  schema = await createPgTestSchema(URL);
  store = schema.openStore(clock);
  await store.migrate();
  merges = new MergeService({ store, clock });
  reviews = new DedupReviewService({ store, clock, merges });
  const t0 = '2026-01-01T00:00:00.000Z';
  await store.tenants.insert({ id: 'ten_a', name: 'A', metadata: {}, createdAt: t0, updatedAt: t0 });
  for (const c of ['con_1', 'con_2']) {
    await store.connections.insert({ id: c, tenantId: 'ten_a', provider: 'salesforce', name: c, status: 'active', baseUrl: null, account: {}, credentialId: null, createdAt: t0, updatedAt: t0 });
  }
  await store.entities.applyBatch(batch('2026-01-01T00:00:01.000Z', {
    entityInserts: [{ id: E.s, type: 'person', fields: { givenName: 'Ada', email: 'ada@x.org' } }, { id: E.org, type: 'organization', fields: { name: 'Org' } }, { id: E.x, type: 'person', fields: { givenName: 'Xi' } }],
    linkInserts: [link('lnk_1', E.s, 'con_1', 'c1'), link('lnk_x', E.x, 'con_1', 'c9')],
    relationships: [{ fromEntityId: E.s, kind: 'works_at', toEntityId: E.org }],
  }));
  await store.entities.applyBatch(batch('2026-01-01T00:00:02.000Z', {
    entityInserts: [{ id: E.m, type: 'person', fields: { givenName: 'Ada', familyName: 'Lovelace', email: 'ada@y.org' } }, { id: E.y, type: 'person', fields: { givenName: 'Xi' } }],
    linkInserts: [link('lnk_2', E.m, 'con_2', 'g1'), link('lnk_3', E.m, 'con_2', 'g2'), link('lnk_y', E.y, 'con_2', 'g9')],
    relationships: [{ fromEntityId: E.m, kind: 'works_at', toEntityId: E.org }, { fromEntityId: E.org, kind: 'employs', toEntityId: E.m }],
    reviews: [
      { id: R.one, tenantId: 'ten_a', status: 'open', payload: { entityType: 'person', entityIds: [E.m, E.s], score: 0.7 }, resolution: null, createdAt: '2026-01-01T00:00:02.000Z', resolvedAt: null },
      { id: R.two, tenantId: 'ten_a', status: 'open', payload: { entityType: 'person', entityIds: [E.y, E.x], score: 0.6 }, resolution: null, createdAt: '2026-01-01T00:00:03.000Z', resolvedAt: null },
    ],
  }));
}, 30_000);

afterAll(async () => {
  await schema?.drop();
});

describe('dedup decisions on PostgreSQL', () => {
  it('accepts once when two deciders race, and the undo (also raced) restores both entities exactly', async () => {
    const before = { s: await state(E.s), m: await state(E.m), org: await state(E.org) };
    const raced = await Promise.allSettled([reviews.decide('ten_a', R.one, 'accept', actor), reviews.decide('ten_a', R.one, 'accept', actor)]);
    expect(raced.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(raced.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'CONFLICT' } });
    const merge = (raced.find((r) => r.status === 'fulfilled') as PromiseFulfilledResult<Awaited<ReturnType<DedupReviewService['decide']>>>).value.merge!;
    expect(merge).toMatchObject({ survivorId: E.s, mergedId: E.m });
    expect(await state(E.s)).toMatchObject({ fields: { givenName: 'Ada', email: 'ada@x.org', familyName: 'Lovelace' }, links: ['lnk_1', 'lnk_2', 'lnk_3'] });
    expect((await state(E.org)).incoming.map((r) => r.fromEntityId)).toEqual([E.s]);
    expect(await state(E.m)).toMatchObject({ mergedInto: E.s, links: [], outgoing: [], incoming: [] });
    expect((await merges.list('ten_a', E.m)).items.map((m) => m.id)).toEqual([merge.id]);

    const undos = await Promise.allSettled([merges.undo('ten_a', E.s, merge.id, actor), merges.undo('ten_a', E.m, merge.id, actor)]);
    expect(undos.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(undos.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'CONFLICT' } });
    expect(await state(E.s)).toEqual(before.s);
    expect(await state(E.m)).toEqual(before.m);
    expect(await state(E.org)).toEqual(before.org);
    expect(await store.dedupReviews.isPairDismissed('ten_a', E.s, E.m)).toBe(true);
    const audit = await store.audit.list({ tenantId: 'ten_a' });
    expect(audit.items.map((a) => a.action).sort()).toEqual(['dedup.review.accept', 'entity.merge.undo']);
  });

  it('rejects: the review is dismissed, nothing merged, and the pair is remembered', async () => {
    const out = await reviews.decide('ten_a', R.two, 'reject', actor);
    expect(out).toMatchObject({ review: { status: 'dismissed', candidates: [{ id: E.y }, { id: E.x }] }, merge: null });
    expect(await store.dedupReviews.isPairDismissed('ten_a', E.x, E.y)).toBe(true);
    expect((await store.entities.get('ten_a', E.y))?.mergedInto).toBeNull();
    await expect(reviews.decide('ten_a', R.two, 'accept', actor)).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(merges.undo('ten_a', E.s, 'mrg_nope', actor)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
