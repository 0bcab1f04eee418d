import { afterEach, describe, expect, it } from 'vitest';
import { startGoogle, startReceiver, type GoogleHarness, type Receiver } from './test-harness.ts';

type Change = { fileId: string; removed: boolean; file?: { trashed?: boolean; name?: string }; changeType: string; time: string };

let h: GoogleHarness | null = null;
let receiver: Receiver | null = null;
afterEach(async () => {
  await h?.close();
  await receiver?.close();
  h = null;
  receiver = null;
});

describe('Google Drive', () => {
  it('lists every file once across pages with the default and requested fields', async () => {
    h = await startGoogle();
    const total = Number((await h.control('GET', '/google/files?limit=1')).json.total);
    const ids: string[] = [];
    let pageToken: string | undefined;
    for (let i = 0; i < 100; i++) {
      const res = await h.call('GET', `/drive/v3/files?pageSize=5&fields=${encodeURIComponent('nextPageToken,files(id,name,trashed)')}${pageToken ? `&pageToken=${encodeURIComponent(pageToken)}` : ''}`);
      expect(res.status).toBe(200);
      for (const f of res.json.files as Record<string, unknown>[]) {
        expect(Object.keys(f).sort()).toEqual(['id', 'name', 'trashed']);
        ids.push(String(f.id));
      }
      pageToken = res.json.nextPageToken as string | undefined;
      if (!pageToken) break;
    }
    expect(ids).toHaveLength(total);
    expect(new Set(ids).size).toBe(total);
    const one = await h.call('GET', `/drive/v3/files/${ids[0]}`);
    expect(Object.keys(one.json).sort()).toEqual(['id', 'kind', 'mimeType', 'name']);
    const missing = await h.call('GET', '/drive/v3/files/nope');
    expect(missing.json).toMatchObject({ error: { code: 404, errors: [{ reason: 'notFound', location: 'fileId' }] } });
  });

  it('returns exactly the changes since a start page token: trash as file.trashed, deletion as removed', async () => {
    h = await startGoogle();
    const start = String((await h.call('GET', '/drive/v3/changes/startPageToken')).json.startPageToken);
    const files = (await h.control('GET', '/google/files?limit=3')).json.records as { id: string }[];
    const [a, b, c] = files as [{ id: string }, { id: string }, { id: string }];
    expect((await h.call('PATCH', `/drive/v3/files/${a.id}`, { name: 'Renamed.docx' })).status).toBe(200);
    await h.control('PATCH', `/google/files/${b.id}`, { trashed: true });
    expect((await h.call('DELETE', `/drive/v3/files/${c.id}`)).status).toBe(204);
    const created = await h.control('POST', '/google/files', { name: 'Fresh notes' });
    await h.call('PATCH', `/drive/v3/files/${a.id}`, { name: 'Renamed again.docx' });

    const changes: Change[] = [];
    let token: string | undefined = start;
    let newStart: string | undefined;
    for (let i = 0; i < 20 && token; i++) {
      const res = await h.call('GET', `/drive/v3/changes?pageToken=${token}&pageSize=2&fields=*`);
      expect(res.status).toBe(200);
      changes.push(...(res.json.changes as Change[]));
      token = res.json.nextPageToken as string | undefined;
      newStart = res.json.newStartPageToken as string | undefined;
      if (token) expect(newStart).toBeUndefined();
    }
    expect(new Set(changes.map((ch) => ch.fileId))).toEqual(new Set([a.id, b.id, c.id, String(created.json.id)]));
    const latestA = changes.filter((ch) => ch.fileId === a.id).pop();
    expect(latestA?.file?.name).toBe('Renamed again.docx');
    expect(changes.find((ch) => ch.fileId === b.id)).toMatchObject({ removed: false, file: { trashed: true } });
    const removed = changes.find((ch) => ch.fileId === c.id);
    expect(removed).toMatchObject({ removed: true, changeType: 'file' });
    expect(removed?.file).toBeUndefined();
    const after = await h.call('GET', `/drive/v3/changes?pageToken=${newStart}`);
    expect(after.json).toEqual({ kind: 'drive#changeList', newStartPageToken: newStart, changes: [] });
    const bad = await h.call('GET', '/drive/v3/changes?pageToken=abc');
    expect(bad.json).toMatchObject({ error: { code: 400, errors: [{ reason: 'invalid', location: 'pageToken' }] } });
  });

  it('notifies a changes.watch channel: sync, then change, with the channel token', async () => {
    h = await startGoogle();
    receiver = await startReceiver();
    const start = String((await h.call('GET', '/drive/v3/changes/startPageToken')).json.startPageToken);
    const watch = await h.call('POST', `/drive/v3/changes/watch?pageToken=${start}`, { id: 'drive-chan', type: 'web_hook', address: receiver.url, token: 'secret-echo' });
    expect(watch.status).toBe(200);
    expect(Number(watch.json.expiration) - h.sandbox.ctx.clock.now()).toBeLessThanOrEqual(3_600_000);
    await receiver.waitFor(1);
    await h.control('POST', '/google/files', { name: 'Watched' });
    const got = await receiver.waitFor(2);
    expect(got.map((r) => r.headers['x-goog-resource-state'])).toEqual(['sync', 'change']);
    expect(got.map((r) => r.headers['x-goog-message-number'])).toEqual(['1', '2']);
    for (const r of got) {
      expect(r.headers['x-goog-channel-token']).toBe('secret-echo');
      expect(r.headers['x-goog-channel-id']).toBe('drive-chan');
      expect(r.body).toBe('');
    }
  });
});
