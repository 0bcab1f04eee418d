import { afterEach, describe, expect, it } from 'vitest';
import { startGoogle, startReceiver, type GoogleHarness, type Receiver } from './test-harness.ts';

type Event = { id: string; etag: string; status: string; summary?: string };

let h: GoogleHarness | null = null;
let receiver: Receiver | null = null;
afterEach(async () => {
  await h?.close();
  await receiver?.close();
  h = null;
  receiver = null;
});

const EVENTS = '/calendar/v3/calendars/primary/events';

async function walk(g: GoogleHarness, query: string): Promise<{ items: Event[]; syncToken: string }> {
  const items: Event[] = [];
  let pageToken: string | undefined;
  for (let i = 0; i < 500; i++) {
    const res = await g.call('GET', `${EVENTS}?${query}${pageToken ? `&pageToken=${encodeURIComponent(pageToken)}` : ''}`);
    expect(res.status).toBe(200);
    expect(res.json.kind).toBe('calendar#events');
    items.push(...(res.json.items as Event[]));
    pageToken = res.json.nextPageToken as string | undefined;
    if (!pageToken) return { items, syncToken: String(res.json.nextSyncToken) };
    expect(res.json.nextSyncToken).toBeUndefined();
  }
  throw new Error('pagination did not end');
}

describe('Google Calendar events', () => {
  it('walks every event once, then returns exactly the changes with cancellations; If-Match guards writes', async () => {
    h = await startGoogle();
    const total = Number((await h.control('GET', '/google/events?limit=1')).json.total);
    const full = await walk(h, 'maxResults=7');
    expect(full.items).toHaveLength(total);
    expect(new Set(full.items.map((e) => e.id)).size).toBe(total);
    const [a, b] = full.items as [Event, Event];
    h.sandbox.ctx.clock.advance(1000);
    const since = new Date(h.sandbox.ctx.clock.now()).toISOString();

    const stale = await h.call('PATCH', `${EVENTS}/${a.id}`, { summary: 'x' }, { 'if-match': '"1"' });
    expect(stale.status).toBe(412);
    expect(stale.json).toEqual({
      error: { errors: [{ domain: 'global', reason: 'conditionNotMet', message: 'Precondition Failed', locationType: 'header', location: 'If-Match' }], code: 412, message: 'Precondition Failed' },
    });
    const patched = await h.call('PATCH', `${EVENTS}/${a.id}`, { summary: 'Moved review' }, { 'if-match': a.etag });
    expect(patched.status).toBe(200);
    expect(patched.json.etag).not.toBe(a.etag);
    expect((await h.call('DELETE', `${EVENTS}/${b.id}`)).status).toBe(204);
    expect((await h.call('DELETE', `${EVENTS}/${b.id}`)).status).toBe(410);
    const inserted = await h.call('POST', EVENTS, {
      summary: 'New meeting',
      start: { dateTime: '2030-01-01T10:00:00Z' },
      end: { dateTime: '2030-01-01T11:00:00Z' },
      attendees: [{ email: 'guest@example.com' }],
    });
    expect(inserted.status).toBe(200);
    const missingEnd = await h.call('POST', EVENTS, { summary: 'x', start: { dateTime: '2030-01-01T10:00:00Z' } });
    expect(missingEnd.json).toMatchObject({ error: { code: 400, errors: [{ reason: 'required', message: 'Missing end time.' }] } });

    const inc = await walk(h, `maxResults=1&syncToken=${encodeURIComponent(full.syncToken)}`);
    expect(new Set(inc.items.map((e) => e.id))).toEqual(new Set([a.id, b.id, inserted.json.id]));
    expect(inc.items.find((e) => e.id === b.id)?.status).toBe('cancelled');
    expect(inc.items.find((e) => e.id === a.id)?.summary).toBe('Moved review');
    const updatedSince = await walk(h, `updatedMin=${encodeURIComponent(since)}`);
    expect(new Set(updatedSince.items.map((e) => e.id))).toEqual(new Set([a.id, b.id, inserted.json.id]));
    const again = await walk(h, `syncToken=${encodeURIComponent(inc.syncToken)}`);
    expect(again.items).toEqual([]);
    // A full sync hides cancelled events unless showDeleted.
    expect((await walk(h, 'maxResults=250')).items.some((e) => e.id === b.id)).toBe(false);
    expect((await walk(h, 'maxResults=250&showDeleted=true')).items.some((e) => e.id === b.id)).toBe(true);
  });

  it('answers invalid, expired and server-invalidated sync tokens with 410 fullSyncRequired', async () => {
    h = await startGoogle({ tokenLifetimes: { google: { accessSeconds: 30 * 86_400 } } });
    const gone = {
      error: { errors: [{ domain: 'global', reason: 'fullSyncRequired', message: 'Sync token is no longer valid, a full sync is required.' }], code: 410, message: 'Sync token is no longer valid, a full sync is required.' },
    };
    const bogus = await h.call('GET', `${EVENTS}?syncToken=CPnotatoken`);
    expect(bogus.status).toBe(410);
    expect(bogus.json).toEqual(gone);
    const full = await walk(h, 'maxResults=2500');
    h.sandbox.ctx.clock.advance(7 * 86_400_000);
    const expired = await h.call('GET', `${EVENTS}?syncToken=${encodeURIComponent(full.syncToken)}`);
    expect(expired.status).toBe(410);
    const fresh = await walk(h, 'maxResults=2500');
    expect((await h.control('POST', '/google/calendar/invalidate-sync-tokens')).json.invalidated).toBeGreaterThan(0);
    expect((await h.call('GET', `${EVENTS}?syncToken=${encodeURIComponent(fresh.syncToken)}`)).status).toBe(410);
    const withFilter = await h.call('GET', `${EVENTS}?syncToken=${encodeURIComponent(fresh.syncToken)}&timeMin=2020-01-01T00:00:00Z`);
    expect(withFilter.status).toBe(400);
  });

  it('sends watch notifications with the channel token: sync first, then exists, until stopped', async () => {
    h = await startGoogle();
    receiver = await startReceiver();
    const watch = await h.call('POST', `${EVENTS}/watch`, { id: 'chan-1', type: 'web_hook', address: receiver.url, token: 'target=tenant-42' });
    expect(watch.status).toBe(200);
    expect(watch.json).toMatchObject({ kind: 'api#channel', id: 'chan-1', token: 'target=tenant-42' });
    const [sync] = await receiver.waitFor(1);
    expect(sync?.body).toBe('');
    expect(sync?.headers).toMatchObject({
      'x-goog-channel-id': 'chan-1',
      'x-goog-channel-token': 'target=tenant-42',
      'x-goog-resource-state': 'sync',
      'x-goog-message-number': '1',
      'x-goog-resource-id': watch.json.resourceId,
    });
    expect(Date.parse(String(sync?.headers['x-goog-channel-expiration']))).toBe(Math.floor(Number(watch.json.expiration) / 1000) * 1000);
    await h.call('POST', EVENTS, { summary: 'Ping', start: { dateTime: '2030-01-01T10:00:00Z' }, end: { dateTime: '2030-01-01T10:30:00Z' } });
    const [, exists] = await receiver.waitFor(2);
    expect(exists?.headers).toMatchObject({ 'x-goog-resource-state': 'exists', 'x-goog-message-number': '2', 'x-goog-channel-token': 'target=tenant-42' });
    expect((await h.call('POST', '/calendar/v3/channels/stop', { id: 'chan-1', resourceId: watch.json.resourceId })).status).toBe(204);
    await h.call('POST', EVENTS, { summary: 'Silent', start: { dateTime: '2030-01-02T10:00:00Z' }, end: { dateTime: '2030-01-02T10:30:00Z' } });
    await h.sandbox.ctx.webhooks.idle();
    expect(receiver.received).toHaveLength(2);
  });

  it('stops notifying once a channel expires', async () => {
    h = await startGoogle({ tokenLifetimes: { google: { accessSeconds: 30 * 86_400 } } });
    receiver = await startReceiver();
    const expiration = h.sandbox.ctx.clock.now() + 60_000;
    await h.call('POST', `${EVENTS}/watch`, { id: 'short', type: 'web_hook', address: receiver.url, expiration: String(expiration) });
    await receiver.waitFor(1);
    h.sandbox.ctx.clock.advance(61_000);
    await h.call('POST', EVENTS, { summary: 'Late', start: { dateTime: '2030-01-01T10:00:00Z' }, end: { dateTime: '2030-01-01T10:30:00Z' } });
    await h.sandbox.ctx.webhooks.idle();
    expect(receiver.received).toHaveLength(1);
  });

  it('speaks the classic error dialect for bad tokens and per-user quota', async () => {
    h = await startGoogle({ rateLimitScale: 0.005 });
    const bad = await h.call('GET', EVENTS, undefined, { authorization: 'Bearer ya29.nope' });
    expect(bad.status).toBe(401);
    expect(bad.json).toEqual({
      error: { errors: [{ domain: 'global', reason: 'authError', message: 'Invalid Credentials', locationType: 'header', location: 'Authorization' }], code: 401, message: 'Invalid Credentials' },
    });
    const statuses: number[] = [];
    let last: Record<string, unknown> = {};
    for (let i = 0; i < 5; i++) {
      const res = await h.call('GET', `${EVENTS}?maxResults=1`);
      statuses.push(res.status);
      last = res.json;
    }
    // 600 per minute x 0.005 = 3.
    expect(statuses).toEqual([200, 200, 200, 403, 403]);
    expect(last).toEqual({ error: { errors: [{ domain: 'usageLimits', reason: 'userRateLimitExceeded', message: 'User Rate Limit Exceeded' }], code: 403, message: 'User Rate Limit Exceeded' } });
  });
});
