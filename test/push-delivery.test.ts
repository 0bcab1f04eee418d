/**
 * Push delivery guarantees against the sandbox: creates in a provider happen once even
 * when the process dies between the provider's answer and the link's commit; the rate
 * limiter paces every push call and a 429 is waited out; a permanent refusal is recorded
 * with the provider's message and dead-letters the job; the outbox relay hands each
 * committed row to the queue once, including rows a crash left unrelayed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { TributaryError } from '../src/domain/errors.ts';
import type { Store } from '../src/ports/store.ts';
import { createOutboundHandler, relayPending, type PushJobPayload } from '../src/sync/index.ts';
import { GG, SF, TENANT, sharedPerson, startPushWorld, type Json, type PushWorld } from './push-fixture.ts';

let world: PushWorld | null = null;
afterEach(async () => {
  await world?.close();
  world = null;
});

const CREATE = { push: { createInProvider: true } };

/** Both providers pulled and pushed until they agree; a person linked to both; the request log cleared. */
async function syncedPerson(w: PushWorld): Promise<ReturnType<typeof sharedPerson>> {
  await w.pull('salesforce');
  await w.pull('google');
  await w.drain();
  await w.advance(5_000);
  const person = sharedPerson(w);
  await w.clearRequests();
  return person;
}

/** A store whose first `transaction` fails as a crash would: after the provider answered, before anything was recorded. */
function crashOnFirstTransaction(store: Store): Store {
  let crashed = false;
  return new Proxy(store, {
    get(target, key, receiver) {
      if (key === 'transaction' && !crashed) {
        return async () => {
          crashed = true;
          throw new TributaryError('STORE_UNAVAILABLE', 'simulated crash before the commit');
        };
      }
      const value = Reflect.get(target, key, receiver) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

describe('push: creates in the provider', () => {
  it('creates a host-made person in Salesforce and Google once, links the new records, and the next pulls see them as ours', async () => {
    world = await startPushWorld({ salesforce: { conflictStrategy: CREATE }, google: { conflictStrategy: CREATE } });
    await syncedPerson(world);
    const entity = await world.writes.create(TENANT, { type: 'person', fields: { givenName: 'Ada', familyName: 'Pushwell', email: 'ada.pushwell@example.com', title: 'Engineer' } });
    expect(await world.drain()).toBe(1);
    const posts = await world.requests('salesforce', 'POST');
    expect(posts).toHaveLength(1);
    expect(posts[0]).toMatchObject({ status: 201, body: { FirstName: 'Ada', LastName: 'Pushwell', Email: 'ada.pushwell@example.com', Title: 'Engineer' } });
    const googlePosts = await world.requests('google', 'POST');
    expect(googlePosts).toHaveLength(1);
    expect(googlePosts[0]).toMatchObject({ status: 200, body: { names: [{ givenName: 'Ada', familyName: 'Pushwell' }], emailAddresses: [{ value: 'ada.pushwell@example.com' }] } });
    const links = await world.store.entities.linksOf(TENANT, entity.id);
    expect(links.map((l) => [l.connectionId, l.integrationId, l.object, l.tombstonedAt]).sort()).toEqual([[GG.connection, GG.integration, 'contact', null], [SF.connection, SF.integration, 'Contact', null]]);
    const sfLink = links.find((l) => l.connectionId === SF.connection)!;
    expect(sfLink.remoteVersion).toEqual(expect.any(String));
    const contact = ((await world.control('/salesforce/Contact?limit=100000')).records as Json[]).find((c) => c.Id === sfLink.externalId);
    expect(contact).toMatchObject({ FirstName: 'Ada', LastName: 'Pushwell' });

    await world.advance(5_000);
    const count = world.sql<{ n: number }>("SELECT COUNT(*) AS n FROM entities WHERE type = 'person'")[0]!.n;
    expect((await world.pull('salesforce')).counts).toMatchObject({ created: 0, updated: 0 });
    expect((await world.pull('google')).counts).toMatchObject({ created: 0, updated: 0 });
    expect(world.sql<{ n: number }>("SELECT COUNT(*) AS n FROM entities WHERE type = 'person'")[0]!.n).toBe(count);
    await world.clearRequests();
    expect(await world.drain()).toBe(0);
  });

  it('does not create twice when the process dies between the provider\'s answer and the commit; the next pull adopts the record', async () => {
    world = await startPushWorld({ salesforce: { conflictStrategy: CREATE } });
    await world.pull('salesforce');
    await world.drain();
    await world.clearRequests();
    const entity = await world.writes.create(TENANT, { type: 'person', fields: { givenName: 'Crash', familyName: 'Survivor', email: 'crash.survivor@example.com' } });
    const [row] = await world.store.outbox.list(TENANT, { pending: true });

    await expect(world.push(row!.id, entity.id, { store: crashOnFirstTransaction(world.store) })).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    expect(await world.requests('salesforce', 'POST')).toHaveLength(1);
    expect(await world.store.entities.linksOf(TENANT, entity.id)).toEqual([]);

    // The retry (the job redelivered after the restart) does not create again.
    await world.push(row!.id, entity.id);
    expect(await world.requests('salesforce', 'POST')).toHaveLength(1);
    const processed = await world.store.outbox.get(TENANT, row!.id);
    expect(processed?.outcome).toMatchObject({ creates: [{ integrationId: SF.integration, status: 'create_unknown' }] });

    // The Contact it made is adopted by the next pull through deduplication (the host entity's email key): no duplicate.
    await world.advance(5_000);
    const persons = world.sql<{ n: number }>("SELECT COUNT(*) AS n FROM entities WHERE type = 'person' AND deleted_at IS NULL")[0]!.n;
    await world.pull('salesforce');
    expect(world.sql<{ n: number }>("SELECT COUNT(*) AS n FROM entities WHERE type = 'person' AND deleted_at IS NULL")[0]!.n).toBe(persons);
    expect(await world.store.entities.linksOf(TENANT, entity.id)).toEqual([expect.objectContaining({ connectionId: SF.connection, object: 'Contact', tombstonedAt: null })]);
  });

  it('pushes an update once when the process dies after the provider write: the retry re-reads and writes nothing', async () => {
    world = await startPushWorld();
    const person = await syncedPerson(world);
    await world.writes.update(TENANT, person.entityId, { fields: { title: 'Once Only' } });
    const [row] = await world.store.outbox.list(TENANT, { pending: true });
    await world.advance(2_000);
    await expect(world.push(row!.id, person.entityId, { store: crashOnFirstTransaction(world.store) })).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    await world.advance(2_000);
    await world.push(row!.id, person.entityId);
    const patches = await world.requests('salesforce', 'PATCH');
    // The first PATCH applied; the retry's precondition failed (the record moved, by our own write) and nothing more was sent.
    expect(patches.map((r: Json) => r.status)).toEqual([204, 412]);
    expect((await world.store.outbox.get(TENANT, row!.id))?.outcome).toMatchObject({ links: expect.arrayContaining([expect.objectContaining({ integrationId: SF.integration, status: 'in_sync', preconditionFailures: 1 })]) });
  });
});

describe('push: deletes', () => {
  it('deletes the linked Contact when the host deletes the entity and the integration says deleteInProvider; Google (not set) keeps its contact', async () => {
    world = await startPushWorld({ salesforce: { conflictStrategy: { push: { deleteInProvider: true } } } });
    const person = await syncedPerson(world);
    await world.writes.delete(TENANT, person.entityId);
    await world.drain();
    expect((await world.requests('salesforce', 'DELETE')).map((r: Json) => [r.path.endsWith(person.contactId), r.status])).toEqual([[true, 204]]);
    expect(await world.requests('google', 'DELETE')).toEqual([]);
    const links = await world.store.entities.linksOf(TENANT, person.entityId);
    expect(links.find((l) => l.connectionId === SF.connection)?.tombstonedAt).not.toBeNull();
    expect(links.find((l) => l.connectionId === GG.connection)?.tombstonedAt).toBeNull();
    const contacts = (await world.control('/salesforce/Contact?limit=100000')).records as Json[];
    expect(contacts.some((c) => c.Id === person.contactId)).toBe(false);
  });
});

describe('push: rate limits and refusals', () => {
  it('paces every push call through the rate limiter and waits out a 429 with Retry-After', async () => {
    world = await startPushWorld();
    const person = await syncedPerson(world);
    await world.control('/faults', 'POST', { provider: 'google', kind: 'status', status: 429, method: 'PATCH', count: 1, retryAfterSeconds: 1 });
    await world.writes.update(TENANT, person.entityId, { fields: { phone: '+13125550177' } });
    await world.drain();
    const patches = await world.requests('google', 'PATCH');
    expect(patches.map((r: Json) => r.status)).toEqual([429, 200]);
    expect(patches[1].body.phoneNumbers).toEqual([{ value: '+13125550177' }]);
    const counters = await world.admin.status({ tenantId: TENANT });
    const googleCalls = counters.filter((c) => c.connectionId === GG.connection && c.kind === 'window' && c.level === 'connection');
    expect(googleCalls.length).toBeGreaterThan(0);
    expect(Math.max(...googleCalls.map((c) => c.used))).toBeGreaterThanOrEqual(1);
  });

  it('records a permanent refusal with the provider\'s message on the outbox row and dead-letters the job; the other provider is still pushed', async () => {
    world = await startPushWorld();
    const person = await syncedPerson(world);
    // Customer_Tier__c is a restricted picklist: Salesforce refuses the value for good.
    await world.writes.update(TENANT, person.entityId, { fields: { tier: 'Diamond', phone: '+13125550188' } });
    const [row] = await world.store.outbox.list(TENANT, { pending: true });
    const error = await world.push(row!.id, person.entityId).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'PROVIDER_BAD_DATA', category: 'bad_data' });
    expect((error as Error).message).toMatch(/Customer_Tier__c|picklist/i);
    const stored = await world.store.outbox.get(TENANT, row!.id);
    expect(stored?.processedAt).toBeNull();
    expect(stored?.outcome).toMatchObject({ errors: [expect.objectContaining({ integrationId: SF.integration, code: 'PROVIDER_BAD_DATA' })], links: [expect.objectContaining({ integrationId: GG.integration, status: 'pushed' })] });
    expect((await world.requests('google', 'PATCH'))).toHaveLength(1);
  });
});

describe('push: bad settings', () => {
  it('reports an integration whose push settings do not parse, naming the key, and still pushes the others', async () => {
    world = await startPushWorld();
    const person = await syncedPerson(world);
    await world.store.integrations.update(TENANT, SF.integration, { conflictStrategy: { push: { createEverywhere: true } } }, new Date(world.clock.now()).toISOString());
    await world.writes.update(TENANT, person.entityId, { fields: { phone: '+13125550199' } });
    const [row] = await world.store.outbox.list(TENANT, { pending: true });
    await expect(world.push(row!.id, person.entityId)).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining('conflictStrategy.push.createEverywhere') });
    expect((await world.store.outbox.get(TENANT, row!.id))?.outcome).toMatchObject({ errors: [{ integrationId: SF.integration, code: 'CONFIG_INVALID' }], links: [{ integrationId: GG.integration, status: 'pushed' }] });
    expect(await world.requests('salesforce', 'PATCH')).toEqual([]);
  });
});

describe('push: the outbox relay', () => {
  it('enqueues each committed row once, picks up rows a crash left unrelayed, and the worker processes them through the queue', async () => {
    world = await startPushWorld();
    await world.pull('salesforce');
    await world.drain();
    const w = world;
    const entity = await w.writes.create(TENANT, { type: 'note', fields: { text: 'relayed at once' } });
    // The writer relayed its row right after the commit: nothing left for the loop.
    expect(await relayPending(w)).toBe(0);
    expect((await w.queue.stats()).find((s) => s.queue === 'sync-outbound')?.ready).toBe(1);
    // A row committed by a process that died before relaying it (as pulls leave them for the loop).
    await w.store.entities.applyBatch({
      tenantId: TENANT, at: new Date(w.clock.now()).toISOString(), entityInserts: [], entityUpdates: [], linkInserts: [], linkUpdates: [], relationships: [],
      changes: [], matchKeys: [], reviews: [], outbox: [{ id: 'obx_orphan', entityId: entity.id, change: { op: 'update', fields: {}, version: 1 } }],
    });
    expect(await relayPending(w)).toBe(1);
    expect(await relayPending(w)).toBe(0);
    expect((await w.queue.stats()).find((s) => s.queue === 'sync-outbound')?.ready).toBe(2);

    const handler = createOutboundHandler({ store: w.store, locks: w.locks, clock: w.clock, providerFor: () => undefined, contextFor: w.contextFor });
    const done: string[] = [];
    const consumer = w.queue.consume<PushJobPayload>('sync-outbound', async (job, signal) => {
      await handler(job, signal);
      done.push(job.payload.outboxId);
    }, { concurrency: 1 });
    for (let i = 0; i < 100 && done.length < 2; i += 1) await new Promise((r) => setTimeout(r, 50));
    await consumer.stop(1000);
    expect(done).toHaveLength(2);
    expect(await w.store.outbox.list(TENANT, { pending: true })).toEqual([]);
  });
});
