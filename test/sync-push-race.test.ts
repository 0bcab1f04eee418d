/**
 * The push/pull race (issue #8, "never silently lost"): a pull page read from Salesforce
 * just before the outbound worker pushed a host edit must not write the record's older
 * values over it. The push is injected between the pull's read of the page and its
 * write, through the provider object the pull reads with.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ChangePage } from '../src/providers/provider.ts';
import { salesforceProvider } from '../src/providers/salesforce/index.ts';
import { objectOf } from '../src/sync/worker/inbound.ts';
import { TENANT, sharedPerson, startPushWorld, type Json, type PushWorld } from './push-fixture.ts';

let world: PushWorld | null = null;
afterEach(async () => {
  vi.restoreAllMocks();
  await world?.close();
  world = null;
});

async function converged(w: PushWorld): Promise<void> {
  for (let i = 0; i < 2; i += 1) {
    await w.pull('salesforce');
    await w.pull('google');
    await w.drain();
    await w.advance(5_000);
  }
}

async function sfContact(w: PushWorld, id: string): Promise<Json> {
  return ((await w.control('/salesforce/Contact?limit=100000')).records as Json[]).find((c) => c.Id === id);
}

describe('push/pull race', () => {
  it('skips a pulled record read before the last push of its link: the host edit survives the pull', async () => {
    const w = await startPushWorld();
    world = w;
    await converged(w);
    const person = sharedPerson(w);
    // A Salesforce user edits the title: the next incremental pull reads this Contact (phone still the old one).
    await w.control(`/salesforce/Contact/${person.contactId}`, 'PATCH', { Title: 'Remote Title' });
    await w.advance(2_000);
    const oldPhone = (await sfContact(w, person.contactId)).Phone as string;

    const object = objectOf(salesforceProvider, 'Contact')!;
    const read = object.readPage.bind(object);
    let injected = false;
    vi.spyOn(object, 'readPage').mockImplementation(async (ctx, cursor, options) => {
      const page: ChangePage = await read(ctx, cursor, options);
      if (!injected && page.records.some((r) => r.id === person.contactId)) {
        injected = true;
        // Between the pull's read and its write: the host PATCHes the phone and the worker pushes it.
        await w.advance(1_000);
        const entity = (await w.store.entities.get(TENANT, person.entityId))!;
        await w.writes.update(TENANT, person.entityId, { fields: { phone: '+14155550199' }, expectedVersion: entity.version });
        expect(await w.drain()).toBeGreaterThan(0);
      }
      return page;
    });
    const outcome = await w.pull('salesforce');
    expect(injected).toBe(true);
    expect(outcome.status).toBe('succeeded');

    const entity = (await w.store.entities.get(TENANT, person.entityId))!;
    expect(entity.fields.phone).toBe('+14155550199');
    // The push re-read the Contact (its precondition failed on the title edit) and brought the title in.
    expect(entity.fields.title).toBe('Remote Title');
    const contact = await sfContact(w, person.contactId);
    expect(contact.Phone).not.toBe(oldPhone);
    expect(contact.Title).toBe('Remote Title');

    // Later syncs agree: nothing flips back.
    vi.restoreAllMocks();
    await w.advance(5_000);
    await w.pull('salesforce');
    await w.pull('google');
    await w.drain();
    expect((await w.store.entities.get(TENANT, person.entityId))!.fields.phone).toBe('+14155550199');
  });
});
