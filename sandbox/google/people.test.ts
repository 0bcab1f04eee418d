import { afterEach, describe, expect, it } from 'vitest';
import { startGoogle, type GoogleHarness } from './test-harness.ts';

type Person = { resourceName: string; etag: string; metadata?: { deleted?: boolean }; names?: { givenName?: string }[]; emailAddresses?: { value: string }[]; phoneNumbers?: { value: string; canonicalForm?: string }[] };

let h: GoogleHarness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const FIELDS = 'personFields=names,emailAddresses,phoneNumbers,organizations,metadata';

async function walk(g: GoogleHarness, query: string): Promise<{ people: Person[]; syncToken: string | undefined; pages: number }> {
  const people: Person[] = [];
  let pageToken: string | undefined;
  for (let pages = 1; pages < 500; pages++) {
    const res = await g.call('GET', `/v1/people/me/connections?${query}${pageToken ? `&pageToken=${encodeURIComponent(pageToken)}` : ''}`);
    expect(res.status).toBe(200);
    people.push(...((res.json.connections ?? []) as Person[]));
    pageToken = res.json.nextPageToken as string | undefined;
    if (!pageToken) return { people, syncToken: res.json.nextSyncToken as string | undefined, pages };
    expect(res.json.nextSyncToken).toBeUndefined();
  }
  throw new Error('pagination did not end');
}

describe('Google People connections', () => {
  it('requires personFields (400 INVALID_ARGUMENT in the v1 error shape)', async () => {
    h = await startGoogle();
    const res = await h.call('GET', '/v1/people/me/connections');
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ error: { code: 400, message: expect.stringContaining('personFields mask is required'), status: 'INVALID_ARGUMENT' } });
  });

  it('walks every contact exactly once with the sync token on the last page only; then returns exactly the changes', async () => {
    h = await startGoogle();
    const full = await walk(h, `${FIELDS}&pageSize=23&requestSyncToken=true`);
    expect(full.pages).toBeGreaterThan(2);
    const names = full.people.map((p) => p.resourceName);
    expect(new Set(names).size).toBe(names.length);
    const truth = h.sandbox.ctx.truth.entries().filter((e) => e.provider === 'google' && e.object === 'contacts');
    expect(new Set(names)).toEqual(new Set(truth.map((t) => t.externalId)));
    expect(full.syncToken).toBeTruthy();
    const withPhone = full.people.find((p) => p.phoneNumbers?.some((n) => n.canonicalForm));
    expect(withPhone?.phoneNumbers?.[0]?.canonicalForm).toMatch(/^\+\d+$/);

    const [a, b, c] = full.people as [Person, Person, Person];
    const updated = await h.call('PATCH', `/v1/people/${a.resourceName.slice(7)}:updateContact?updatePersonFields=names&personFields=names`, { etag: a.etag, names: [{ givenName: 'Renamed', familyName: 'Person' }] });
    expect(updated.status).toBe(200);
    expect(updated.json.etag).not.toBe(a.etag);
    const stale = await h.call('PATCH', `/v1/people/${a.resourceName.slice(7)}:updateContact?updatePersonFields=names`, { etag: a.etag, names: [{ givenName: 'Again' }] });
    expect(stale.status).toBe(400);
    expect(stale.json).toMatchObject({ error: { code: 400, status: 'FAILED_PRECONDITION' } });
    const noEtag = await h.call('PATCH', `/v1/people/${a.resourceName.slice(7)}:updateContact?updatePersonFields=names`, { names: [{ givenName: 'Again' }] });
    expect(noEtag.json).toMatchObject({ error: { status: 'INVALID_ARGUMENT' } });
    expect((await h.call('DELETE', `/v1/people/${b.resourceName.slice(7)}:deleteContact`)).status).toBe(200);
    const created = await h.call('POST', '/v1/people:createContact?personFields=names', { names: [{ givenName: 'Nova', familyName: 'Newcontact' }], emailAddresses: [{ value: 'nova@example.com' }] });
    expect(created.status).toBe(200);
    const edited = await h.control('PATCH', `/google/contacts/${encodeURIComponent(c.resourceName)}`, { email: 'changed@example.com' });
    expect(edited.status).toBe(200);

    const inc = await walk(h, `${FIELDS}&pageSize=2&requestSyncToken=true&syncToken=${encodeURIComponent(full.syncToken ?? '')}`);
    expect(new Set(inc.people.map((p) => p.resourceName))).toEqual(new Set([a.resourceName, b.resourceName, c.resourceName, created.json.resourceName]));
    expect(inc.people).toHaveLength(4);
    const deleted = inc.people.find((p) => p.resourceName === b.resourceName);
    expect(deleted?.metadata?.deleted).toBe(true);
    expect(inc.people.find((p) => p.resourceName === c.resourceName)?.emailAddresses?.[0]?.value).toBe('changed@example.com');

    const batch = await h.call('GET', `/v1/people:batchGet?personFields=names&resourceNames=${a.resourceName}&resourceNames=${b.resourceName}`);
    expect((batch.json.responses as { httpStatusCode: number; person?: Person }[]).map((r) => [r.httpStatusCode, r.person?.names?.[0]?.givenName])).toEqual([
      [200, 'Renamed'],
      [404, undefined],
    ]);

    const none = await walk(h, `${FIELDS}&requestSyncToken=true&syncToken=${encodeURIComponent(inc.syncToken ?? '')}`);
    expect(none.people).toEqual([]);
  });

  it('answers a sync token older than 7 days since the full sync with 400 FAILED_PRECONDITION EXPIRED_SYNC_TOKEN', async () => {
    h = await startGoogle({ tokenLifetimes: { google: { accessSeconds: 30 * 86_400 } } });
    const full = await walk(h, `${FIELDS}&pageSize=1000&requestSyncToken=true`);
    h.sandbox.ctx.clock.advance(6 * 86_400_000);
    const ok = await h.call('GET', `/v1/people/me/connections?${FIELDS}&requestSyncToken=true&syncToken=${encodeURIComponent(full.syncToken ?? '')}`);
    expect(ok.status).toBe(200);
    h.sandbox.ctx.clock.advance(86_400_000);
    const expired = await h.call('GET', `/v1/people/me/connections?${FIELDS}&requestSyncToken=true&syncToken=${encodeURIComponent(String(ok.json.nextSyncToken))}`);
    expect(expired.status).toBe(400);
    expect(expired.json).toEqual({
      error: {
        code: 400,
        message: 'Sync token is expired. Clear local cache and retry call without the sync token.',
        status: 'FAILED_PRECONDITION',
        details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'EXPIRED_SYNC_TOKEN', domain: 'people.googleapis.com' }],
      },
    });
  });

  it('refuses page tokens whose parameters differ from the first call', async () => {
    h = await startGoogle();
    const first = await h.call('GET', `/v1/people/me/connections?personFields=names&pageSize=5`);
    const token = encodeURIComponent(String(first.json.nextPageToken));
    expect((await h.call('GET', `/v1/people/me/connections?personFields=names&pageSize=5&pageToken=${token}`)).status).toBe(200);
    const other = await h.call('GET', `/v1/people/me/connections?personFields=emailAddresses&pageSize=5&pageToken=${token}`);
    expect(other.status).toBe(400);
    expect(other.json).toMatchObject({ error: { status: 'INVALID_ARGUMENT' } });
  });

  it('answers quota exhaustion with 429 RESOURCE_EXHAUSTED', async () => {
    h = await startGoogle({ rateLimitScale: 0.05 });
    const statuses: number[] = [];
    let last: Record<string, unknown> = {};
    for (let i = 0; i < 6; i++) {
      const res = await h.call('GET', '/v1/people/me/connections?personFields=names&pageSize=1');
      statuses.push(res.status);
      last = res.json;
    }
    // 90 reads per minute x 0.05 = 4.
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
    expect(last).toMatchObject({ error: { code: 429, status: 'RESOURCE_EXHAUSTED', details: [{ reason: 'RATE_LIMIT_EXCEEDED' }] } });
    expect(h.sandbox.ctx.limits.rejections('google')).toBe(2);
  });

  it('injects faults at the configured rate with a Google-shaped body', async () => {
    h = await startGoogle();
    await h.control('POST', '/faults', { provider: 'google', kind: 'status', status: 503, rate: 0.25, path: '^/v1/people' });
    let failed = 0;
    for (let i = 0; i < 200; i++) {
      const res = await h.call('GET', '/v1/people/me/connections?personFields=names&pageSize=1');
      if (res.status === 503) {
        failed++;
        expect(res.json).toMatchObject({ error: { code: 503, status: 'UNAVAILABLE' } });
      } else expect(res.status).toBe(200);
    }
    expect(failed / 200).toBeGreaterThan(0.17);
    expect(failed / 200).toBeLessThan(0.33);
  });
});
