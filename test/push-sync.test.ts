/**
 * Pushing changes out, end to end against the sandbox's Salesforce and Google: a host
 * write reaches both linked records with each provider's precondition, a change pulled
 * from Salesforce reaches the same person's Google contact, our own writes come back as
 * no change, and a failed precondition is re-read and resolved.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { GG, SF, TENANT, sharedPerson, startPushWorld, type Json, type PushWorld } from './push-fixture.ts';

let world: PushWorld | null = null;
afterEach(async () => {
  await world?.close();
  world = null;
});

/** Pulls both providers and pushes until the two agree: the starting point of every scenario. */
async function converged(w: PushWorld): Promise<void> {
  await w.pull('salesforce');
  await w.pull('google');
  await w.drain();
  await w.advance(5_000);
  await w.pull('salesforce');
  await w.pull('google');
  await w.drain();
  await w.advance(5_000);
}

async function sfContact(w: PushWorld, id: string): Promise<Json> {
  return ((await w.control(`/salesforce/Contact?limit=100000`)).records as Json[]).find((c) => c.Id === id);
}

async function googleContact(w: PushWorld, resourceName: string): Promise<Json> {
  return ((await w.control(`/google/contacts?limit=100000`)).records as Json[]).find((c) => c.resourceName === resourceName);
}

/** Pull both, push what the pulls queued: one sync cycle. Returns the provider writes it made. */
async function cycle(w: PushWorld): Promise<Json[]> {
  await w.clearRequests();
  await w.pull('salesforce');
  await w.pull('google');
  await w.drain();
  const writes = [...(await w.requests('salesforce')), ...(await w.requests('google'))].filter((r) => r.method !== 'GET' && !String(r.path).includes('/query'));
  await w.advance(5_000);
  return writes;
}

describe('push: host writes reach every linked provider', () => {
  it('pushes a host PATCH to Salesforce (If-Unmodified-Since) and Google (etag), and the next syncs change and push nothing', async () => {
    world = await startPushWorld();
    await converged(world);
    const person = sharedPerson(world);
    const before = (await world.store.entities.get(TENANT, person.entityId))!;
    await world.clearRequests();

    const updated = await world.writes.update(TENANT, person.entityId, { fields: { phone: '+14155550199', email: 'grace.push@example.com' }, expectedVersion: before.version });
    expect(updated.version).toBe(before.version + 1);
    const pending = await world.store.outbox.list(TENANT, { pending: true });
    expect(pending).toHaveLength(1);
    expect(pending[0]).toMatchObject({ entityId: person.entityId, change: { op: 'update', fields: { phone: '+14155550199', email: 'grace.push@example.com' }, source: { kind: 'api' } } });
    expect(await world.drain()).toBe(1);

    const sfPatches = await world.requests('salesforce', 'PATCH');
    expect(sfPatches).toHaveLength(1);
    expect(sfPatches[0]).toMatchObject({ status: 204, body: { Phone: '+14155550199', Email: 'grace.push@example.com' } });
    expect(sfPatches[0].headers['if-unmodified-since']).toMatch(/GMT$/);
    const ggPatches = await world.requests('google', 'PATCH');
    expect(ggPatches).toHaveLength(1);
    expect(ggPatches[0]).toMatchObject({ status: 200, body: { phoneNumbers: [{ value: '+14155550199' }], emailAddresses: [{ value: 'grace.push@example.com' }], etag: expect.any(String) } });
    expect((await sfContact(world, person.contactId))).toMatchObject({ Phone: '+14155550199', Email: 'grace.push@example.com' });
    expect((await googleContact(world, person.resourceName)).phoneNumbers[0].value).toBe('+14155550199');
    const row = await world.store.outbox.get(TENANT, pending[0]!.id);
    expect(row?.processedAt).not.toBeNull();
    expect((row?.outcome as Json).links.map((l: Json) => [l.integrationId, l.status]).sort()).toEqual([[GG.integration, 'pushed'], [SF.integration, 'pushed']]);

    // No echo: three more cycles see our own writes as nothing new, and write nothing.
    const feedBefore = world.sql<{ n: number }>('SELECT COUNT(*) AS n FROM entity_changes')[0]!.n;
    for (let i = 0; i < 3; i += 1) expect(await cycle(world)).toEqual([]);
    expect(world.sql<{ n: number }>('SELECT COUNT(*) AS n FROM entity_changes')[0]!.n).toBe(feedBefore);
    expect((await world.store.entities.get(TENANT, person.entityId))!.version).toBe(updated.version);
  });

  it('propagates a phone edited in Salesforce to the same person\'s Google contact, exactly once', async () => {
    world = await startPushWorld();
    await converged(world);
    const person = sharedPerson(world);
    await world.control(`/salesforce/Contact/${person.contactId}`, 'PATCH', { Phone: '+1 (212) 555-0142' });
    await world.advance(2_000);

    const writes = await cycle(world);
    expect(writes.map((r) => `${r.provider} ${r.method}`)).toEqual(['google PATCH']);
    expect(writes[0].body.phoneNumbers).toEqual([{ value: '+12125550142' }]);
    expect((await googleContact(world, person.resourceName)).phoneNumbers[0].value).toBe('+12125550142');
    expect((await world.store.entities.get(TENANT, person.entityId))!.fields.phone).toBe('+12125550142');
    // Three more cycles: no ping-pong between the two providers.
    for (let i = 0; i < 3; i += 1) expect(await cycle(world)).toEqual([]);
  });
});

describe('push: a failed precondition is re-read, detected again and resolved by the integration\'s strategy', () => {
  /**
   * Between two syncs the host changes the title and a Salesforce user changes the title
   * and the mobile phone. The push's If-Unmodified-Since fails (412); the push re-reads
   * the Contact: the title conflicts, the mobile phone is a clean remote change that
   * comes into the entity.
   */
  async function concurrentEdit(conflictStrategy: Record<string, unknown>, remoteLater = true) {
    const w = await startPushWorld({ salesforce: { conflictStrategy } });
    world = w;
    await converged(w);
    const person = sharedPerson(w);
    await w.clearRequests();
    const edit = async () => w.writes.update(TENANT, person.entityId, { fields: { title: 'Host Title' } });
    const remote = async () => w.control(`/salesforce/Contact/${person.contactId}`, 'PATCH', { Title: 'Remote Title', MobilePhone: '+1 646 555 0111' });
    if (remoteLater) {
      await edit();
      await w.advance(3_000);
      await remote();
    } else {
      await remote();
      await w.advance(3_000);
      await edit();
    }
    await w.advance(2_000);
    await w.drain({ rounds: 1 });
    const sfPatches = await w.requests('salesforce', 'PATCH');
    const entity = (await w.store.entities.get(TENANT, person.entityId))!;
    const contact = await sfContact(w, person.contactId);
    const conflicts = (await w.store.conflicts.list(TENANT, { entityId: person.entityId })).items;
    return { w, person, sfPatches, entity, contact, conflicts };
  }

  it('target_wins: Tributary\'s title is written over the provider\'s, the provider\'s clean change comes in', async () => {
    const { sfPatches, entity, contact, conflicts } = await concurrentEdit({ strategy: 'target_wins' });
    expect(sfPatches.map((r: Json) => r.status)).toEqual([412, 204]);
    expect(sfPatches[1].body).toMatchObject({ Title: 'Host Title' });
    expect(contact).toMatchObject({ Title: 'Host Title', MobilePhone: '+1 646 555 0111' });
    expect(entity.fields).toMatchObject({ title: 'Host Title', mobilePhone: '+16465550111' });
    expect(conflicts).toEqual([expect.objectContaining({ status: 'resolved', payload: expect.objectContaining({ fields: { title: expect.objectContaining({ local: 'Host Title', remote: 'Remote Title', decision: 'local', strategy: 'target_wins' }) } }) })]);
  });

  it('source_wins: the provider\'s title is kept and comes into the entity; nothing more is written to Salesforce', async () => {
    const { w, person, sfPatches, entity, contact, conflicts } = await concurrentEdit({ strategy: 'source_wins' });
    expect(sfPatches.map((r: Json) => r.status)).toEqual([412]);
    expect(contact.Title).toBe('Remote Title');
    expect(entity.fields).toMatchObject({ title: 'Remote Title', mobilePhone: '+16465550111' });
    expect(conflicts[0]?.payload).toMatchObject({ fields: { title: { decision: 'remote', value: 'Remote Title' } } });
    // The remote-won values were fed back as an entity change (feed + outbox) and reach nothing else writable: in sync after.
    expect(await cycle(w)).toEqual([]);
    expect((await w.store.entities.get(TENANT, person.entityId))!.fields.title).toBe('Remote Title');
  });

  it('last_write_wins: the later edit wins, whichever side made it', async () => {
    const later = await concurrentEdit({ strategy: 'last_write_wins', lastWriteWins: { toleranceMs: 500 } }, true);
    expect(later.contact.Title).toBe('Remote Title');
    expect(later.entity.fields.title).toBe('Remote Title');
    await world!.close();
    world = null;
    const earlier = await concurrentEdit({ strategy: 'last_write_wins', lastWriteWins: { toleranceMs: 500 } }, false);
    expect(earlier.contact.Title).toBe('Host Title');
    expect(earlier.entity.fields.title).toBe('Host Title');
  });

  it('manual: the title is held for review (an open conflict), neither side overwritten; the clean change still syncs', async () => {
    const { sfPatches, entity, contact, conflicts } = await concurrentEdit({ strategy: 'manual' });
    expect(sfPatches.map((r: Json) => r.status)).toEqual([412]);
    expect(contact).toMatchObject({ Title: 'Remote Title' });
    expect(entity.fields).toMatchObject({ title: 'Host Title', mobilePhone: '+16465550111' });
    expect(conflicts).toEqual([expect.objectContaining({ status: 'open', integrationId: SF.integration, payload: expect.objectContaining({ linkId: expect.any(String), provider: 'salesforce', fields: { title: expect.objectContaining({ decision: 'pending', local: 'Host Title', remote: 'Remote Title' }) } }) })]);
  });

  it('field_merge and custom: a per-field rule decides the conflicting field', async () => {
    const merged = await concurrentEdit({ strategy: 'field_merge', fields: { title: 'target_wins' } });
    expect(merged.contact).toMatchObject({ Title: 'Host Title', MobilePhone: '+1 646 555 0111' });
    await world!.close();
    world = null;
    const custom = await concurrentEdit({ strategy: 'custom', priority: ['salesforce', 'tributary'] });
    expect(custom.contact.Title).toBe('Remote Title');
    expect(custom.entity.fields.title).toBe('Remote Title');
  });
});
