import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNotion, type NotionHarness } from './test-harness.ts';

type Page = Record<string, unknown> & { id: string; last_edited_time: string; properties: Record<string, Record<string, unknown>> };

let h: NotionHarness;
let contactsDs: string;
let contactsDb: string;

beforeAll(async () => {
  h = await startNotion();
  const info = (await (await fetch(`${h.base}/_sandbox/notion/info`)).json()) as { data_sources: { id: string; object: string; database_id: string }[] };
  const ds = info.data_sources.find((d) => d.object === 'contacts');
  if (!ds) throw new Error('no contacts data source');
  contactsDs = ds.id;
  contactsDb = ds.database_id;
});
afterAll(async () => h.close());

async function walk(path: string, body: Record<string, unknown>, pageSize: number): Promise<Page[]> {
  const all: Page[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 1000; i++) {
    const res = await h.call('POST', path, { ...body, page_size: pageSize, ...(cursor ? { start_cursor: cursor } : {}) });
    expect(res.status).toBe(200);
    expect(res.json.object).toBe('list');
    all.push(...((res.json.results ?? []) as Page[]));
    if (!res.json.has_more) {
      expect(res.json.next_cursor).toBeNull();
      return all;
    }
    cursor = res.json.next_cursor as string;
  }
  throw new Error('pagination did not end');
}

describe('Notion data source query', () => {
  it('walks every contact page exactly once across cursors, matching the ground truth', async () => {
    const pages = await walk(`/notion/v1/data_sources/${contactsDs}/query`, {}, 17);
    const ids = pages.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    const truth = h.sandbox.ctx.truth.entries().filter((e) => e.provider === 'notion' && e.object === 'contacts');
    expect(truth.length).toBeGreaterThan(50);
    expect(new Set(ids)).toEqual(new Set(truth.map((t) => t.externalId)));
    // The legacy database query walks the same pages.
    const legacy = await walk(`/notion/v1/databases/${contactsDb}/query`, { sorts: [{ property: 'Name', direction: 'ascending' }] }, 40);
    expect(new Set(legacy.map((p) => p.id))).toEqual(new Set(ids));
  });

  it('rejects page_size above 100 and unknown cursors as validation errors', async () => {
    const big = await h.call('POST', `/notion/v1/data_sources/${contactsDs}/query`, { page_size: 101 });
    expect(big.status).toBe(400);
    expect(big.json).toMatchObject({ object: 'error', status: 400, code: 'validation_error' });
    const bad = await h.call('POST', `/notion/v1/data_sources/${contactsDs}/query`, { start_cursor: 'nope' });
    expect(bad.json.code).toBe('validation_error');
  });

  it('shows every property type in the schema and in Notion value shapes on pages', async () => {
    const ds = await h.call('GET', `/notion/v1/data_sources/${contactsDs}`);
    const types = new Set(Object.values(ds.json.properties as Record<string, { type: string }>).map((p) => p.type));
    for (const t of ['title', 'rich_text', 'number', 'select', 'multi_select', 'status', 'date', 'people', 'files', 'checkbox', 'url', 'email', 'phone_number', 'formula', 'relation', 'rollup', 'created_time', 'created_by', 'last_edited_time', 'last_edited_by', 'unique_id']) {
      expect(types, t).toContain(t);
    }
    const res = await h.call('POST', `/notion/v1/data_sources/${contactsDs}/query`, { page_size: 1 });
    const page = (res.json.results as Page[])[0] as Page;
    expect(page.object).toBe('page');
    expect(page.parent).toEqual({ type: 'data_source_id', data_source_id: contactsDs, database_id: contactsDb });
    expect(page.last_edited_time).toMatch(/T\d{2}:\d{2}:00\.000Z$/);
    expect(page.created_time).toMatch(/:00\.000Z$/);
    const p = page.properties;
    expect(p.Name).toMatchObject({ id: 'title', type: 'title' });
    expect((p.Name?.title as { plain_text: string; type: string }[])[0]).toMatchObject({ type: 'text' });
    expect(p.ID?.unique_id).toMatchObject({ prefix: 'CON' });
    expect(p.Tasks).toHaveProperty('has_more', false);
    expect(p['Open tasks']?.rollup).toMatchObject({ type: 'number', function: 'count' });
    expect(p['Display name']?.formula).toMatchObject({ type: 'string' });
    expect(p['Created by']?.created_by).toMatchObject({ object: 'user' });
    expect(typeof p.Subscribed?.checkbox).toBe('boolean');
  });

  it('answers the database by API version: properties before 2025-09-03, data_sources after', async () => {
    const old = await h.call('GET', `/notion/v1/databases/${contactsDb}`, undefined, { 'notion-version': '2022-06-28' });
    expect(old.json.properties).toBeDefined();
    expect(old.json.data_sources).toBeUndefined();
    const now = await h.call('GET', `/notion/v1/databases/${contactsDb}`);
    expect(now.json.data_sources).toEqual([{ id: contactsDs, name: 'Contacts' }]);
    const page = await h.call('POST', `/notion/v1/databases/${contactsDb}/query`, { page_size: 1 }, { 'notion-version': '2022-06-28' });
    expect((page.json.results as Page[])[0]?.parent).toEqual({ type: 'database_id', database_id: contactsDb });
  });

  it('returns exactly the pages edited since a last_edited_time, at minute granularity; trashed pages drop out', async () => {
    const clock = h.sandbox.ctx.clock;
    clock.advance(10 * 60_000);
    const since = new Date(Math.floor(clock.now() / 60_000) * 60_000).toISOString();
    const first = await walk(`/notion/v1/data_sources/${contactsDs}/query`, { sorts: [{ timestamp: 'created_time', direction: 'ascending' }] }, 100);
    const [a, b, c] = first as [Page, Page, Page];
    const edit = await h.call('PATCH', `/notion/v1/pages/${a.id}`, { properties: { Score: { number: 99 } } });
    expect(edit.status).toBe(200);
    await fetch(`${h.base}/_sandbox/notion/contacts/${b.id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ 'Job title': 'Chief Tester', Tags: ['VIP'] }),
    });
    const trashed = await h.call('PATCH', `/notion/v1/pages/${c.id}`, { in_trash: true });
    expect(trashed.json).toMatchObject({ in_trash: true, archived: true });
    const created = await h.call('POST', '/notion/v1/pages', {
      parent: { data_source_id: contactsDs },
      properties: { Name: { title: [{ text: { content: 'Nina New' } }] }, Email: { email: 'nina@example.com' } },
    });
    expect(created.status).toBe(200);
    const changed = await walk(
      `/notion/v1/data_sources/${contactsDs}/query`,
      { filter: { timestamp: 'last_edited_time', last_edited_time: { on_or_after: since } }, sorts: [{ timestamp: 'last_edited_time', direction: 'ascending' }] },
      100,
    );
    expect(new Set(changed.map((p) => p.id))).toEqual(new Set([a.id, b.id, created.json.id as string]));
    for (const p of changed) {
      expect(p.last_edited_time >= since).toBe(true);
      expect(p.last_edited_time).toMatch(/:00\.000Z$/);
    }
    const all = await walk(`/notion/v1/data_sources/${contactsDs}/query`, {}, 100);
    expect(all.some((p) => p.id === c.id)).toBe(false);
    const direct = await h.call('GET', `/notion/v1/pages/${c.id}`);
    expect(direct.json.in_trash).toBe(true);
  });

  it('filters on property values and compound conditions', async () => {
    const res = await h.call('POST', `/notion/v1/data_sources/${contactsDs}/query`, {
      filter: { and: [{ property: 'Score', number: { greater_than_or_equal_to: 50 } }, { property: 'Subscribed', checkbox: { equals: true } }] },
    });
    expect(res.status).toBe(200);
    for (const p of res.json.results as Page[]) {
      expect(p.properties.Score?.number as number).toBeGreaterThanOrEqual(50);
      expect(p.properties.Subscribed?.checkbox).toBe(true);
    }
    const unknown = await h.call('POST', `/notion/v1/data_sources/${contactsDs}/query`, { filter: { property: 'Nope', checkbox: { equals: true } } });
    expect(unknown.json).toMatchObject({ code: 'validation_error', message: 'Could not find property with name or id: Nope' });
  });

  it('lists users, the bot, search results and block children with cursors', async () => {
    const users = await h.call('GET', '/notion/v1/users?page_size=2');
    expect(users.json.results).toHaveLength(2);
    expect(users.json.has_more).toBe(true);
    const me = await h.call('GET', '/notion/v1/users/me');
    expect(me.json).toMatchObject({ object: 'user', type: 'bot' });
    const search = await h.call('POST', '/notion/v1/search', { filter: { value: 'data_source', property: 'object' } });
    expect((search.json.results as { object: string }[]).map((r) => r.object)).toEqual(['data_source', 'data_source']);
    const page = (await h.call('POST', `/notion/v1/data_sources/${contactsDs}/query`, { page_size: 1 })).json.results?.[0] as Page;
    const appended = await h.call('PATCH', `/notion/v1/blocks/${page.id}/children`, {
      children: [{ object: 'block', type: 'paragraph', paragraph: { rich_text: [{ type: 'text', text: { content: 'Second note' } }] } }],
    });
    expect(appended.status).toBe(200);
    const children = await h.call('GET', `/notion/v1/blocks/${page.id.replace(/-/g, '')}/children?page_size=100`);
    const texts = (children.json.results as { paragraph: { rich_text: { plain_text: string }[] } }[]).map((b) => b.paragraph.rich_text[0]?.plain_text);
    expect(texts).toContain('Second note');
  });
});
