/**
 * The Notion provider against the sandbox's Notion simulator over real HTTP.
 *
 * Calls go through the real client (test/fixtures/provider-sandbox.ts): static token,
 * one attempt, no refresh.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createNotionSimulator } from '../../../sandbox/notion/index.ts';
import { providerSandboxes, rejection, walk } from '../../../test/fixtures/provider-sandbox.ts';
import type { HttpRequest } from '../provider.ts';
import { isNotionRefreshRejected, notionProvider } from './index.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const sandboxes = providerSandboxes();
afterEach(() => sandboxes.closeAll());

async function start() {
  const running = await sandboxes.start({ provider: notionProvider, sandbox: { providers: [createNotionSimulator()], size: 240, seed: 11, rateLimitScale: 100 }, path: 'notion' });
  const { base, control, ctx, calls, setToken } = running;
  const info = await control('/notion/info');
  const contactsDs = (info.data_sources as Json[]).find((d) => d.object === 'contacts').id as string;
  const tasksDs = (info.data_sources as Json[]).find((d) => d.object === 'tasks').id as string;
  ctx.connection.settings = { dataSourceId: contactsDs };
  return { base, control, ctx, calls, contactsDs, tasksDs, info, setToken };
}

const pages = notionProvider.objects.find((o) => o.name === 'pages')!;

describe('Notion provider', () => {
  it('validates the token as the integration bot of the workspace and reports health', async () => {
    const { ctx, info } = await start();
    const account = await notionProvider.validate(ctx);
    expect(account.details.botId).toBe(info.bot_id);
    expect(account.name).toBe(info.workspace_name);
    expect(await notionProvider.health(ctx)).toEqual({ ok: true });
  });

  it('discovers each data source with every property type mapped to a field type', async () => {
    const { ctx, contactsDs, tasksDs } = await start();
    const schemas = await notionProvider.discover(ctx);
    const contacts = schemas.find((s) => s.name === `data_source:${contactsDs}`)!;
    expect(schemas.map((s) => s.name)).toEqual(expect.arrayContaining(['pages', 'users', `data_source:${tasksDs}`]));
    const field = (name: string) => contacts.fields.find((f) => f.name === name)!;
    expect(field('Name')).toMatchObject({ type: 'string', required: true });
    expect(field('Email').type).toBe('email');
    expect(field('Phone').type).toBe('phone');
    expect(field('Score').type).toBe('number');
    expect(field('Stage')).toMatchObject({ type: 'enum', enumValues: ['Lead', 'Prospect', 'Customer', 'Churned'] });
    expect(field('Tags').type).toBe('array');
    expect(field('Last contacted').type).toBe('datetime');
    expect(field('Subscribed').type).toBe('boolean');
    expect(field('Website').type).toBe('url');
    expect(field('Owner')).toMatchObject({ type: 'array', references: 'users' });
    expect(field('Tasks')).toMatchObject({ type: 'array', references: `data_source:${tasksDs}` });
    expect(field('Display name')).toMatchObject({ type: 'json', readOnly: true });
    expect(field('ID')).toMatchObject({ type: 'string', readOnly: true });
    // The configured container's fields are the `pages` object's fields.
    expect(schemas.find((s) => s.name === 'pages')!.fields).toEqual(contacts.fields);
    // No property of the seeded schema (which has every type) falls through to the json default unless computed.
    expect(contacts.fields.filter((f) => f.type === 'json' && !f.readOnly)).toEqual([]);
  });

  it('walks a full sync in pages of the asked size and returns every page exactly once', async () => {
    const { ctx, control, contactsDs } = await start();
    const total = (await control('/notion/contacts?limit=1')).total as number;
    const { records, pages: walked } = await walk(pages, ctx, null, 37);
    expect(total).toBeGreaterThan(37);
    expect(records).toHaveLength(total);
    expect(new Set(records.map((r) => r.id)).size).toBe(total);
    expect(walked.length).toBe(Math.ceil(total / 37));
    const bound = notionProvider.objectFor(`data_source:${contactsDs}`)!;
    const other = { ...ctx, connection: { ...ctx.connection, settings: {} } };
    expect((await walk(bound, other, null, 100)).records).toHaveLength(total);
  });

  it('reads only pages edited since the watermark, and trashed pages drop out', async () => {
    const { ctx, control } = await start();
    const full = await walk(pages, ctx, null, 100);
    await control('/clock/advance', 'POST', { ms: 5 * 60_000 });
    const [a, b] = full.records;
    await control(`/notion/contacts/${a!.id}`, 'PATCH', { Company: 'Changed Ltd' });
    const created = await control('/notion/contacts', 'POST', { Name: 'Brand New', Email: 'new@example.com' });
    await control(`/notion/contacts/${b!.id}`, 'DELETE');
    const inc = await walk(pages, ctx, full.cursor, 100);
    // Besides the two changes, only overlap re-reads: pages edited in the last minute of the previous run.
    const previousNewest = Date.parse(String(full.cursor!.watermark)) + 60_000;
    const fresh = inc.records.filter((r) => Date.parse(r.modifiedAt!) > previousNewest);
    expect(fresh.map((r) => r.id).sort()).toEqual([a!.id, created.id].sort());
    for (const r of inc.records) expect(Date.parse(r.modifiedAt!)).toBeGreaterThanOrEqual(previousNewest - 60_000);
    expect(inc.records.length).toBeLessThan(full.records.length / 10);
    const changed = inc.records.find((r) => r.id === a!.id)!;
    expect((changed.data as Json).properties.Company.rich_text[0].plain_text).toBe('Changed Ltd');
    // The next watermark overlaps the newest edit by a minute.
    expect(Date.parse(String(inc.cursor!.watermark))).toBe(Date.parse(changed.modifiedAt!) - 60_000);
    // Trashed pages are not in queries (deletions come by webhook); fetchOne says gone.
    expect(inc.deletions).toEqual([]);
    expect(await pages.fetchOne(ctx, b!.id)).toBeNull();
    // A run with nothing new re-reads only the overlap minute and keeps the watermark.
    await control('/clock/advance', 'POST', { ms: 5 * 60_000 });
    const idle = await walk(pages, ctx, inc.cursor, 100);
    expect(idle.records.map((r) => r.id).sort()).toEqual([a!.id, created.id].sort());
    expect(idle.cursor).toEqual(inc.cursor);
  });

  it('creates, fetches, updates and trashes a page', async () => {
    const { ctx, contactsDs } = await start();
    const created = await pages.create!(ctx, {
      Name: { title: [{ text: { content: 'Ada Lovelace' } }] },
      Email: { email: 'ada@example.com' },
      Stage: { select: { name: 'Lead' } },
    });
    expect((created.data as Json).parent.data_source_id).toBe(contactsDs);
    const fetched = await pages.fetchOne(ctx, created.id);
    expect((fetched!.data as Json).properties.Email.email).toBe('ada@example.com');
    const updated = await pages.update!(ctx, created.id, { properties: { Stage: { select: { name: 'Customer' } } } });
    expect((updated.data as Json).properties.Stage.select.name).toBe('Customer');
    expect((updated.data as Json).properties.Email.email).toBe('ada@example.com');
    await pages.delete!(ctx, created.id);
    expect(await pages.fetchOne(ctx, created.id)).toBeNull();
    expect(await pages.fetchOne(ctx, '00000000-0000-4000-8000-000000000000')).toBeNull();
  });

  it('queries through a database id: its first data source, or the database query on older API versions', async () => {
    const { ctx, calls, info, contactsDs } = await start();
    const db = (info.databases as Json[]).find((d) => d.data_source_ids.includes(contactsDs)).id as string;
    const byDatabase = { ...ctx, connection: { ...ctx.connection, settings: { databaseId: db } } };
    const first = await pages.readPage(byDatabase, null, { pageSize: 5 });
    expect(first.records).toHaveLength(5);
    expect(calls.slice(-2).map((c) => c.path)).toEqual([`v1/databases/${db}`, `v1/data_sources/${contactsDs}/query`]);
    const legacy = { ...ctx, connection: { ...ctx.connection, settings: { databaseId: db, notionVersion: '2022-06-28' } } };
    const old = await pages.readPage(legacy, null, { pageSize: 5 });
    expect(old.records.map((r) => r.id)).toEqual(first.records.map((r) => r.id));
    expect(calls.at(-1)).toMatchObject({ path: `v1/databases/${db}/query`, headers: { 'notion-version': '2022-06-28' } });
    const none = { ...ctx, connection: { ...ctx.connection, settings: {} } };
    expect(await rejection(pages.readPage(none, null, {}))).toMatchObject({ code: 'CONFIG_INVALID', field: 'settings.dataSourceId' });
  });

  it('lists every workspace user across pages', async () => {
    const { ctx } = await start();
    const users = notionProvider.objects.find((o) => o.name === 'users')!;
    const { records, pages: walked } = await walk(users, ctx, null, 2);
    expect(walked.length).toBeGreaterThan(1);
    expect(new Set(records.map((r) => r.id)).size).toBe(records.length);
    expect(records.some((r) => (r.data as Json).type === 'bot')).toBe(true);
  });

  it('classifies real error answers: invalid and expired token, validation, rate limit, overload', async () => {
    const { ctx, control, setToken, calls } = await start();
    setToken('ntn_not-a-real-token');
    const auth = await rejection(notionProvider.validate(ctx));
    expect(auth).toMatchObject({ code: 'PROVIDER_AUTH_FAILED', category: 'auth', details: { code: 'unauthorized', status: 401 } });
    setToken(((await control('/tokens', 'POST', { provider: 'notion', accessSeconds: 1 })) as Json).accessToken as string);
    await control('/clock/advance', 'POST', { ms: 5_000 });
    expect(await rejection(notionProvider.validate(ctx))).toMatchObject({ code: 'PROVIDER_AUTH_FAILED', details: { code: 'unauthorized' } });
    setToken(((await control('/tokens', 'POST', { provider: 'notion' })) as Json).accessToken as string);

    const bad = await rejection(pages.create!(ctx, { Nope: { rich_text: [] } }));
    expect(bad).toMatchObject({ code: 'PROVIDER_BAD_DATA', details: { code: 'validation_error', status: 400 } });

    await control('/limits', 'PUT', { keyPrefix: 'notion:connection', limit: 0 });
    const limited = await rejection(notionProvider.validate(ctx));
    expect(limited.code).toBe('PROVIDER_RATE_LIMITED');
    expect(limited.retryAfterMs).toBeGreaterThan(0);
    expect(limited.details?.rateLimitReason).toBeDefined();
    await control('/limits', 'PUT', { keyPrefix: 'notion:connection', limit: null });

    await control('/faults', 'POST', { provider: 'notion', kind: 'status', status: 529, count: 1 });
    const overload = await rejection(notionProvider.validate(ctx));
    expect(overload).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', category: 'transient' });
    expect(calls.every((c) => c.path.startsWith('v1/'))).toBe(true);
  });

  it('recognises a dead refresh token at the real token endpoint', async () => {
    const { base } = await start();
    const refresh = async (token: string) => {
      const res = await fetch(`${base}/notion/v1/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from('sandbox-notion-client:sandbox-notion-secret').toString('base64')}` },
        body: JSON.stringify({ grant_type: 'refresh_token', refresh_token: token }),
      });
      return { status: res.status, body: (await res.json()) as unknown };
    };
    const dead = await refresh('not-a-refresh-token');
    expect(dead.status).toBe(400);
    expect(isNotionRefreshRejected(dead.status, dead.body)).toBe(true);
    expect(isNotionRefreshRejected(503, { error: 'invalid_grant' })).toBe(false);
  });

  it('maps conflict_error to a retryable error and a missing version to a rejection', () => {
    const req: HttpRequest = { method: 'PATCH', path: 'v1/pages/x', operation: 'write' };
    const conflict = notionProvider.classifyError({ status: 409, headers: {}, body: { object: 'error', status: 409, code: 'conflict_error', message: 'Conflict occurred while saving.' } }, req);
    expect(conflict).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', retryable: true, details: { code: 'conflict_error' } });
    const missing = notionProvider.classifyError({ status: 404, headers: {}, body: { object: 'error', status: 404, code: 'object_not_found', message: 'x' } }, req);
    expect(missing?.code).toBe('PROVIDER_REJECTED');
    expect(notionProvider.classifyError({ status: 200, headers: {}, body: {} }, req)).toBeNull();
  });
});
