/**
 * The Google provider against the sandbox's Google simulator over real HTTP: People
 * contacts, Calendar events and Drive files through one connection base URL.
 *
 * The HTTP client is a minimal, test-only ProviderHttp over global fetch: providers may
 * not import src/connections (depcruise's providers-touch-no-store rule covers test files
 * too). It resolves paths as createProviderHttp does and throws what classifyError
 * returns, without retries or refresh.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../../../sandbox/index.ts';
import { createGoogleSimulator } from '../../../sandbox/google/index.ts';
import { TributaryError } from '../../domain/errors.ts';
import { CURSOR_EXPIRED, type ChangePage, type Cursor, type HttpRequest, type HttpResponse, type ObjectDefinition, type ProviderContext } from '../provider.ts';
import { googleProvider, isGoogleGrantRevoked } from './index.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

let sandbox: Sandbox | null = null;
afterEach(async () => {
  await sandbox?.close();
  sandbox = null;
});

function testHttp(baseUrl: string, token: () => string, calls: HttpRequest[]) {
  const base = new URL(baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  return {
    async request(request: HttpRequest): Promise<HttpResponse> {
      calls.push(request);
      const url = /^https?:\/\//i.test(request.path) ? new URL(request.path) : new URL(request.path.replace(/^\//, ''), base.origin + (request.path.startsWith('/') ? '/' : base.pathname));
      for (const [k, v] of Object.entries(request.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
      const headers: Record<string, string> = { accept: 'application/json', ...request.headers, authorization: `Bearer ${token()}` };
      let body: string | undefined;
      if (request.body !== undefined) {
        headers['content-type'] ??= 'application/json';
        body = JSON.stringify(request.body);
      }
      const res = await fetch(url, { method: request.method, headers, body });
      const text = await res.text();
      const responseHeaders: Record<string, string> = {};
      res.headers.forEach((v, k) => (responseHeaders[k] = v));
      const response = { status: res.status, headers: responseHeaders, body: text === '' ? null : (JSON.parse(text) as unknown) };
      const error = googleProvider.classifyError(response, request);
      if (error) throw error;
      return response;
    },
  };
}

async function start() {
  sandbox = await createSandbox({ providers: [createGoogleSimulator()], size: 150, seed: 5, rateLimitScale: 100 });
  const base = await sandbox.listen(0);
  const control = async (path: string, method = 'GET', body?: unknown): Promise<Json> => {
    const res = await fetch(`${base}/_sandbox${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return text ? JSON.parse(text) : {};
  };
  const mint = async () => ((await control('/tokens', 'POST', { provider: 'google' })) as Json).accessToken as string;
  let token = await mint();
  const calls: HttpRequest[] = [];
  const ctx: ProviderContext = { http: testHttp(`${base}/google`, () => token, calls), connection: { id: 'c1', tenantId: 't1', baseUrl: `${base}/google`, settings: {} } };
  const info = await control('/google/info');
  return { control, ctx, calls, info, setToken: (t: string) => (token = t), mint };
}

async function walk(object: ObjectDefinition, ctx: ProviderContext, cursor: Cursor | null, pageSize?: number) {
  const pages: ChangePage[] = [];
  for (let guard = 0; guard < 1000; guard++) {
    const page = await object.readPage(ctx, cursor, pageSize === undefined ? {} : { pageSize });
    pages.push(page);
    cursor = page.cursor;
    if (page.done) break;
  }
  return { pages, cursor, records: pages.flatMap((p) => p.records), deletions: pages.flatMap((p) => p.deletions) };
}

async function rejection(promise: Promise<unknown>): Promise<TributaryError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TributaryError) return error;
    throw error;
  }
  throw new Error('expected a TributaryError');
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
