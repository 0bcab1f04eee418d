/**
 * The Google provider against the sandbox's Google simulator over real HTTP: People
 * contacts, Calendar events and Drive files through one connection base URL.
 *
 * Calls go through the real client (test/fixtures/provider-sandbox.ts): static token,
 * one attempt, no refresh.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createGoogleSimulator } from '../../../sandbox/google/index.ts';
import { CURSOR_EXPIRED, type HttpRequest } from '../provider.ts';
import { googleProvider, isGoogleGrantRevoked } from './index.ts';
import { providerSandboxes, rejection, walk } from '../../../test/fixtures/provider-sandbox.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const sandboxes = providerSandboxes();
afterEach(() => sandboxes.closeAll());

async function start() {
  const running = await sandboxes.start({ provider: googleProvider, sandbox: { providers: [createGoogleSimulator()], size: 150, seed: 5, rateLimitScale: 100 }, path: 'google' });
  const { control, ctx, calls, setToken } = running;
  const mint = async () => (await running.mint()).accessToken;
  const info = await control('/google/info');
  return { control, ctx, calls, info, setToken, mint };
}

const object = (name: string) => googleProvider.objects.find((o) => o.name === name)!;
const ids = (records: { id: string }[]) => records.map((r) => r.id).sort();

describe('Google provider', () => {
  it('validates as the account owner, reports health and discovers the static schemas', async () => {
    const { ctx, info, calls } = await start();
    const account = await googleProvider.validate(ctx);
    expect(account.accountId).toBe(info.owner.email);
    expect(await googleProvider.health(ctx)).toEqual({ ok: true });
    expect((await googleProvider.discover(ctx)).map((s) => s.name)).toEqual(['contacts', 'events', 'files']);
    expect(calls[0]).toMatchObject({ path: 'v1/people/me', query: { personFields: 'names,emailAddresses' } });
  });

  it('contacts: a paged full sync returns each contact once, then the sync token returns exactly the changes and deletions', async () => {
    const { ctx, control, info } = await start();
    const contacts = object('contacts');
    const full = await walk(contacts, ctx, null, 40);
    expect(full.records).toHaveLength(info.contacts);
    expect(new Set(ids(full.records)).size).toBe(info.contacts);
    expect(full.pages.length).toBe(Math.ceil(info.contacts / 40));
    expect(full.cursor).toEqual({ syncToken: expect.any(String) });

    const [a, b] = full.records;
    await control(`/google/contacts/${encodeURIComponent(a!.id)}`, 'PATCH', { company: 'Changed Ltd' });
    const created = await control('/google/contacts', 'POST', { givenName: 'Grace', familyName: 'Hopper', email: 'grace@example.com' });
    await control(`/google/contacts/${encodeURIComponent(b!.id)}`, 'DELETE');
    const inc = await walk(contacts, ctx, full.cursor, 40);
    expect(ids(inc.records)).toEqual([a!.id, created.resourceName].sort());
    expect(inc.deletions.map((d) => d.id)).toEqual([b!.id]);
    const again = await walk(contacts, ctx, inc.cursor);
    expect(again.records).toEqual([]);
    expect(again.deletions).toEqual([]);
  });

  it('contacts: an expired sync token is CURSOR_EXPIRED', async () => {
    const { ctx, control, setToken, mint } = await start();
    const full = await walk(object('contacts'), ctx, null);
    await control('/clock/advance', 'POST', { ms: 8 * 86_400_000 });
    setToken(await mint());
    const expired = await rejection(object('contacts').readPage(ctx, full.cursor, {}));
    expect(expired).toMatchObject({ code: 'PROVIDER_REJECTED', details: { reason: CURSOR_EXPIRED, status: 400, grpcStatus: 'FAILED_PRECONDITION' } });
    expect(expired.retryable).toBe(false);
  });

  it('contacts: create, fetch, update with the etag, stale etag is CONFLICT, delete', async () => {
    const { ctx } = await start();
    const contacts = object('contacts');
    const created = await contacts.create!(ctx, { names: [{ givenName: 'Ada', familyName: 'Lovelace' }], emailAddresses: [{ value: 'ada@example.com' }] });
    expect(created.id).toMatch(/^people\//);
    const fetched = await contacts.fetchOne(ctx, created.id);
    expect((fetched!.data as Json).emailAddresses[0].value).toBe('ada@example.com');
    const updated = await contacts.update!(ctx, created.id, { organizations: [{ name: 'Analytical Engines', title: 'Programmer' }] }, { expectedVersion: created.version });
    expect((updated.data as Json).organizations[0].name).toBe('Analytical Engines');
    expect(updated.version).not.toBe(created.version);
    const stale = await rejection(contacts.update!(ctx, created.id, { names: [{ givenName: 'Augusta' }] }, { expectedVersion: created.version }));
    expect(stale).toMatchObject({ code: 'CONFLICT', details: { status: 400, grpcStatus: 'FAILED_PRECONDITION' } });
    // Without a version the current etag is read first.
    const lww = await contacts.update!(ctx, created.id, { names: [{ givenName: 'Augusta', familyName: 'King' }] });
    expect((lww.data as Json).names[0].givenName).toBe('Augusta');
    await contacts.delete!(ctx, created.id);
    expect(await contacts.fetchOne(ctx, created.id)).toBeNull();
    await contacts.delete!(ctx, created.id);
  });

  it('events: sync tokens return changes and cancellations; If-Match guards writes; invalid token is CURSOR_EXPIRED', async () => {
    const { ctx, control, info } = await start();
    const events = object('events');
    const full = await walk(events, ctx, null, 25);
    expect(full.records.length + full.deletions.length).toBeGreaterThanOrEqual(info.events);
    expect(new Set(ids(full.records)).size).toBe(full.records.length);

    const [a, b] = full.records;
    await control(`/google/events/${a!.id}`, 'PATCH', { summary: 'Moved meeting' });
    await control(`/google/events/${b!.id}`, 'DELETE');
    const inc = await walk(events, ctx, full.cursor);
    expect(ids(inc.records)).toEqual([a!.id]);
    expect(inc.deletions.map((d) => d.id)).toEqual([b!.id]);

    const created = await events.create!(ctx, { summary: 'Kick-off', start: { dateTime: '2030-01-01T10:00:00Z' }, end: { dateTime: '2030-01-01T11:00:00Z' } });
    const patched = await events.update!(ctx, created.id, { summary: 'Kick-off (moved)' }, { expectedVersion: created.version });
    expect((patched.data as Json).summary).toBe('Kick-off (moved)');
    const stale = await rejection(events.update!(ctx, created.id, { summary: 'Lost update' }, { expectedVersion: created.version }));
    expect(stale).toMatchObject({ code: 'CONFLICT', details: { status: 412, googleReason: 'conditionNotMet' } });
    expect((await events.fetchOne(ctx, created.id))!.data).toMatchObject({ summary: 'Kick-off (moved)' });
    await events.delete!(ctx, created.id, { expectedVersion: patched.version });
    expect(await events.fetchOne(ctx, created.id)).toBeNull();
    await events.delete!(ctx, created.id);

    await control('/google/calendar/invalidate-sync-tokens', 'POST', {});
    const expired = await rejection(events.readPage(ctx, inc.cursor, {}));
    expect(expired).toMatchObject({ code: 'PROVIDER_REJECTED', details: { reason: CURSOR_EXPIRED, status: 410 } });
  });

  it('files: a full listing then changes since the start token, with trashed and removed files as deletions', async () => {
    const { ctx, control, info } = await start();
    const files = object('files');
    const full = await walk(files, ctx, null, 30);
    expect(full.records).toHaveLength(info.files - (await control('/google/files?limit=10000')).records.filter((f: Json) => f.trashed).length);
    expect(new Set(ids(full.records)).size).toBe(full.records.length);
    expect(full.cursor).toEqual({ changesToken: expect.any(String) });

    const [a, b, c] = full.records;
    await control(`/google/files/${a!.id}`, 'PATCH', { name: 'renamed.txt' });
    await control(`/google/files/${b!.id}`, 'PATCH', { trashed: true });
    await control(`/google/files/${c!.id}`, 'DELETE');
    const made = await control('/google/files', 'POST', { name: 'new.txt', mimeType: 'text/plain', size: 12 });
    const inc = await walk(files, ctx, full.cursor, 2);
    expect(ids(inc.records)).toEqual([a!.id, made.id].sort());
    expect(ids(inc.deletions)).toEqual([b!.id, c!.id].sort());
    expect((inc.records.find((r) => r.id === a!.id)!.data as Json).name).toBe('renamed.txt');
    expect(await files.fetchOne(ctx, c!.id)).toBeNull();
    expect(await files.fetchOne(ctx, b!.id)).toBeNull();
    expect((await files.fetchOne(ctx, made.id))!.data).toMatchObject({ name: 'new.txt', mimeType: 'text/plain' });
    const again = await walk(files, ctx, inc.cursor);
    expect(again.records).toEqual([]);
  });

  it('classifies real error answers: expired token (both dialects), rate limits, invalid argument', async () => {
    const { ctx, control, setToken } = await start();
    setToken('ya29.not-valid');
    const v1 = await rejection(googleProvider.validate(ctx));
    expect(v1).toMatchObject({ code: 'PROVIDER_AUTH_FAILED', details: { status: 401, grpcStatus: 'UNAUTHENTICATED' } });
    const classic = await rejection(object('events').readPage(ctx, null, {}));
    expect(classic).toMatchObject({ code: 'PROVIDER_AUTH_FAILED', details: { status: 401, googleReason: 'authError' } });
    setToken(((await control('/tokens', 'POST', { provider: 'google', accessSeconds: 1 })) as Json).accessToken);
    await control('/clock/advance', 'POST', { ms: 5_000 });
    expect(await rejection(googleProvider.validate(ctx))).toMatchObject({ code: 'PROVIDER_AUTH_FAILED', details: { status: 401, googleReason: 'ACCESS_TOKEN_EXPIRED' } });
    setToken(((await control('/tokens', 'POST', { provider: 'google' })) as Json).accessToken);

    const bad = await rejection(object('contacts').create!(ctx, { emailAddresses: [{ type: 'work' }] }));
    expect(bad).toMatchObject({ code: 'PROVIDER_BAD_DATA', details: { status: 400, grpcStatus: 'INVALID_ARGUMENT' } });

    await control('/limits', 'PUT', { keyPrefix: 'google:people:read', limit: 0 });
    const people = await rejection(googleProvider.validate(ctx));
    expect(people).toMatchObject({ code: 'PROVIDER_RATE_LIMITED', category: 'rate_limit', details: { status: 429, grpcStatus: 'RESOURCE_EXHAUSTED' } });
    await control('/limits', 'PUT', { keyPrefix: 'google:calendar', limit: 0 });
    const calendar = await rejection(object('events').readPage(ctx, null, {}));
    expect(calendar).toMatchObject({ code: 'PROVIDER_RATE_LIMITED', details: { status: 403, googleReason: 'userRateLimitExceeded' } });

    await control('/faults', 'POST', { provider: 'google', kind: 'status', status: 503, count: 1 });
    const down = await rejection(object('files').readPage(ctx, null, {}));
    expect(down).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', category: 'transient' });
  });

  it('maps other 403s and 404s to rejections and the token endpoint invalid_grant to revoked', () => {
    const req: HttpRequest = { method: 'GET', path: 'drive/v3/files/x', operation: 'read' };
    const forbidden = googleProvider.classifyError({ status: 403, headers: {}, body: { error: { errors: [{ domain: 'global', reason: 'insufficientPermissions' }], code: 403, message: 'no' } } }, req);
    expect(forbidden?.code).toBe('PROVIDER_REJECTED');
    expect(googleProvider.classifyError({ status: 404, headers: {}, body: { error: { code: 404, message: 'nf', status: 'NOT_FOUND' } } }, req)?.code).toBe('PROVIDER_REJECTED');
    expect(isGoogleGrantRevoked(400, { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' })).toBe(true);
    expect(isGoogleGrantRevoked(500, { error: 'internal' })).toBe(false);
  });
});
