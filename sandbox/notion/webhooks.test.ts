import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { startNotion, startReceiver, type NotionHarness, type Receiver } from './test-harness.ts';

let h: NotionHarness | null = null;
let receiver: Receiver | null = null;
afterEach(async () => {
  await h?.close();
  await receiver?.close();
  h = null;
  receiver = null;
});

/** Notion's documented scheme, computed here independently: sha256=hex(HMAC-SHA256(verification_token, raw body)). */
function expectedSignature(body: string, verificationToken: string): string {
  return `sha256=${createHmac('sha256', verificationToken).update(body, 'utf8').digest('hex')}`;
}

async function control(base: string, path: string, body: unknown) {
  const res = await fetch(`${base}/_sandbox/notion${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('Notion webhooks', () => {
  it('POSTs the verification token, then sends signed thin events once verified', async () => {
    h = await startNotion();
    receiver = await startReceiver();
    const sub = await control(h.base, '/webhooks', { url: receiver.url });
    expect(sub.status).toBe(201);
    const [handshake] = await receiver.waitFor(1);
    const token = (JSON.parse(handshake!.body) as { verification_token: string }).verification_token;
    expect(token).toMatch(/^secret_/);
    expect(handshake!.headers['x-notion-signature']).toBe(expectedSignature(handshake!.body, token));

    const info = (await (await fetch(`${h.base}/_sandbox/notion/info`)).json()) as { workspace_id: string; data_sources: { id: string; object: string }[] };
    const ds = info.data_sources.find((d) => d.object === 'contacts')?.id;
    const page = (await h.call('POST', `/notion/v1/data_sources/${ds}/query`, { page_size: 1 })).json.results?.[0] as { id: string };

    // Not verified yet: no events.
    await h.call('PATCH', `/notion/v1/pages/${page.id}`, { properties: { Score: { number: 1 } } });
    await control(h.base, '/webhooks/idle', {});
    expect(receiver.received).toHaveLength(1);

    expect((await control(h.base, `/webhooks/${String(sub.json.id)}/verify`, { verification_token: 'secret_wrong' })).status).toBe(400);
    expect((await control(h.base, `/webhooks/${String(sub.json.id)}/verify`, { verification_token: token })).status).toBe(200);

    await h.call('PATCH', `/notion/v1/pages/${page.id}`, { properties: { Score: { number: 2 } } });
    await h.call('PATCH', `/notion/v1/pages/${page.id}`, { in_trash: true });
    await h.call('PATCH', `/notion/v1/pages/${page.id}`, { in_trash: false });
    const created = await h.call('POST', '/notion/v1/pages', { parent: { data_source_id: ds }, properties: { Name: { title: [{ text: { content: 'Hooked' } }] } } });
    await h.call('PATCH', `/notion/v1/blocks/${String(created.json.id)}/children`, { children: [{ paragraph: { rich_text: [{ text: { content: 'hi' } }] } }] });
    const all = await receiver.waitFor(6);
    const events = all.slice(1).map((r) => {
      expect(r.headers['x-notion-signature']).toBe(expectedSignature(r.body, token));
      return JSON.parse(r.body) as Record<string, unknown>;
    });
    expect(events.map((e) => e.type).sort()).toEqual(['page.content_updated', 'page.created', 'page.deleted', 'page.properties_updated', 'page.undeleted']);
    for (const e of events) {
      expect(e).toMatchObject({ workspace_id: info.workspace_id, subscription_id: sub.json.id, attempt_number: 1 });
      for (const k of ['id', 'timestamp', 'integration_id', 'authors', 'entity', 'data']) expect(e[k], k).toBeDefined();
      expect(e).not.toHaveProperty('properties');
    }
    const updated = events.find((e) => e.type === 'page.properties_updated');
    expect(updated?.entity).toEqual({ id: page.id, type: 'page' });
    expect((updated?.data as { updated_properties: string[] }).updated_properties).toHaveLength(1);
  });

  it('retries a failed delivery with a growing attempt_number, each attempt signed over its own body', async () => {
    h = await startNotion({ notion: { webhookRetryDelaysMs: [20, 20, 20, 20, 20, 20, 20] } });
    receiver = await startReceiver((n) => (n >= 1 && n <= 2 ? 500 : 200));
    const sub = await control(h.base, '/webhooks', { url: receiver.url, verified: true });
    const token = String(sub.json.verification_token);
    await receiver.waitFor(1);
    const info = (await (await fetch(`${h.base}/_sandbox/notion/info`)).json()) as { data_sources: { id: string; object: string }[] };
    const ds = info.data_sources.find((d) => d.object === 'tasks')?.id;
    await h.call('POST', '/notion/v1/pages', { parent: { data_source_id: ds }, properties: { Task: { title: [{ text: { content: 'Retry me' } }] } } });
    const got = await receiver.waitFor(4);
    await control(h.base, '/webhooks/idle', {});
    const attempts = got.slice(1).map((r) => {
      expect(r.headers['x-notion-signature']).toBe(expectedSignature(r.body, token));
      return JSON.parse(r.body) as { id: string; attempt_number: number };
    });
    expect(attempts.map((a) => a.attempt_number)).toEqual([1, 2, 3]);
    expect(new Set(attempts.map((a) => a.id)).size).toBe(1);
    expect(receiver.received).toHaveLength(4);
  });

  it('signals schema changes as data_source events, or database events for older API versions', async () => {
    h = await startNotion();
    receiver = await startReceiver();
    const latest = await control(h.base, '/webhooks', { url: receiver.url, verified: true });
    const legacy = await control(h.base, '/webhooks', { url: receiver.url, verified: true, api_version: '2022-06-28' });
    await receiver.waitFor(2);
    const info = (await (await fetch(`${h.base}/_sandbox/notion/info`)).json()) as { data_sources: { id: string; object: string; database_id: string }[] };
    const ds = info.data_sources.find((d) => d.object === 'contacts');
    const added = await control(h.base, `/data_sources/${ds?.id}/properties`, { name: 'Region', type: 'rich_text' });
    expect(added.status).toBe(201);
    const got = (await receiver.waitFor(4)).slice(2);
    const byToken = new Map([
      [String(latest.json.id), String(latest.json.verification_token)],
      [String(legacy.json.id), String(legacy.json.verification_token)],
    ]);
    const events = got.map((r) => {
      const event = JSON.parse(r.body) as { type: string; subscription_id: string; entity: { id: string; type: string } };
      expect(r.headers['x-notion-signature']).toBe(expectedSignature(r.body, byToken.get(event.subscription_id) ?? ''));
      return event;
    });
    const forLatest = events.find((e) => e.subscription_id === latest.json.id);
    const forLegacy = events.find((e) => e.subscription_id === legacy.json.id);
    expect(forLatest).toMatchObject({ type: 'data_source.schema_updated', entity: { id: ds?.id, type: 'data_source' } });
    expect(forLegacy).toMatchObject({ type: 'database.schema_updated', entity: { id: ds?.database_id, type: 'database' } });
    const schema = await h.call('GET', `/notion/v1/data_sources/${ds?.id}`);
    expect((schema.json.properties as Record<string, { type: string }>).Region?.type).toBe('rich_text');
  });
});
