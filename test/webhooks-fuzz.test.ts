import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebhookIntake, type WebhookIntake } from './fixtures/webhooks-intake.ts';

/** A seeded generator (mulberry32), so a failing case can be reproduced. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HEADER_NAMES = [
  'x-hub-signature-256', 'x-github-event', 'x-github-delivery', 'x-slack-signature', 'x-slack-request-timestamp', 'x-notion-signature',
  'x-goog-channel-id', 'x-goog-channel-token', 'x-goog-resource-state', 'x-goog-message-number', 'x-goog-channel-expiration',
  'webhook-id', 'webhook-timestamp', 'webhook-signature', 'content-type',
];
const CONTENT_TYPES = ['application/json', 'text/xml', 'application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data; boundary=x', 'application/json; charset=utf-16', '*/*', 'garbage'];
const BODIES = [
  '', '{', '[]', 'null', '{"verification_token":1}', '{"verification_token":"secret_x","x":1}', '{"type":"url_verification"}', '"\u0000"',
  '<soapenv:Envelope><notifications><OrganizationId>00D5g000004ABCD</OrganizationId><Notification><Id>1</Id></Notification></notifications></soapenv:Envelope>',
  '<soapenv:Envelope><notifications><OrganizationId>' + '<'.repeat(5000), '{"a":' + '['.repeat(3000) + ']'.repeat(3000) + '}',
];

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

function randomValue(random: () => number): string {
  const kind = Math.floor(random() * 6);
  if (kind === 0) return 'sha256=' + 'f'.repeat(Math.floor(random() * 70));
  if (kind === 1) return 'v0=' + Buffer.from(Array.from({ length: 32 }, () => Math.floor(random() * 256))).toString('hex');
  if (kind === 2) return String(Math.floor(random() * 2 ** 40) - 2 ** 39);
  if (kind === 3) return 'v1,' + Buffer.from(Array.from({ length: Math.floor(random() * 64) }, () => Math.floor(random() * 256))).toString('base64');
  if (kind === 4) return ''.padEnd(Math.floor(random() * 300), 'é');
  return Array.from({ length: Math.floor(random() * 40) }, () => String.fromCharCode(32 + Math.floor(random() * 95))).join('');
}

function randomBody(random: () => number): Buffer {
  if (random() < 0.5) return Buffer.from(pick(random, BODIES));
  return Buffer.from(Array.from({ length: Math.floor(random() * 4096) }, () => Math.floor(random() * 256)));
}

function send(url: URL, path: string, headers: Record<string, string>, body: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, method: 'POST', headers: { ...headers, 'content-length': String(body.length) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('webhook intake under malformed input', () => {
  let dir: string;
  let intake: WebhookIntake;
  let ids: string[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tributary-webhooks-fuzz-'));
    intake = await startWebhookIntake({ dir, bodyLimitBytes: 16 * 1024, receiver: { ratePerSecond: 100_000, burst: 100_000 } });
    ids = [];
    for (const providerId of ['github', 'slack', 'notion', 'google', 'salesforce']) ids.push((await intake.register({ providerId, secret: providerId === 'salesforce' ? '00D5g000004ABCD' : 'secret' })).id);
    ids.push((await intake.register({ providerId: 'github', scheme: 'standard', secret: 'whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQ=' })).id);
    ids.push((await intake.register({ providerId: 'notion', secret: null })).id);
  });
  afterAll(async () => {
    await intake.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('never answers 5xx to 3,000 random bodies and headers, and never stores an unverified event', async () => {
    const random = rng(20261126);
    const url = new URL(intake.url);
    const statuses = new Map<number, number>();
    for (let batch = 0; batch < 60; batch++) {
      const sends: Promise<number>[] = [];
      for (let i = 0; i < 50; i++) {
        const headers: Record<string, string> = { 'content-type': pick(random, CONTENT_TYPES) };
        for (const name of HEADER_NAMES) if (random() < 0.4) headers[name] = randomValue(random);
        const body = randomBody(random);
        // Some deliveries are signed correctly over a garbage body: the signed-but-unusable path.
        if (random() < 0.2) {
          headers['x-github-event'] = 'issues';
          headers['x-hub-signature-256'] = `sha256=${createHmac('sha256', 'secret').update(body).digest('hex')}`;
        }
        const id = random() < 0.9 ? pick(random, ids) : pick(random, ['x', 'whk_', '%00', 'whk_' + 'a'.repeat(32), '..%2f..']);
        sends.push(send(url, `/webhooks/${id}/events`, headers, body));
      }
      for (const status of await Promise.all(sends)) statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
    const fivexx = [...statuses].filter(([status]) => status >= 500);
    expect(fivexx).toEqual([]);
    expect([...statuses.values()].reduce((a, b) => a + b, 0)).toBe(3000);
    // The cases reach every refusal path, not only the first check.
    for (const status of [400, 401, 404]) expect(statuses.get(status) ?? 0).toBeGreaterThan(0);
    await intake.receiver.drain();
    const events = intake.handle.db.prepare('SELECT event_type, payload FROM webhook_events').all() as { event_type: string; payload: string }[];
    // Only deliveries signed with the real secret over a JSON object can have become events.
    for (const event of events) expect(() => JSON.parse(event.payload)).not.toThrow();
  });

  it('survives raw malformed HTTP (bad content-length, truncated bodies) without crashing', async () => {
    const url = new URL(intake.url);
    const raw = [
      `POST /webhooks/${ids[0]}/events HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n{"a`,
      `POST /webhooks/${ids[0]}/events HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n`,
      `POST /webhooks/${ids[0]}/events HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n`,
      `POST /webhooks/${ids[0]}/events HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999\r\n\r\n`,
      'GARBAGE\r\n\r\n',
    ];
    for (const text of raw) {
      const answer = await new Promise<string>((resolve) => {
        const socket = connect(Number(url.port), url.hostname, () => socket.end(text));
        let data = '';
        socket.on('data', (chunk) => (data += chunk.toString()));
        socket.on('close', () => resolve(data));
        socket.on('error', () => resolve(data));
        socket.setTimeout(2000, () => socket.destroy());
      });
      expect(answer).not.toMatch(/^HTTP\/1\.1 5/);
    }
    // Still serving.
    expect(await send(url, `/webhooks/${ids[0]}/events`, {}, Buffer.from('{}'))).toBe(401);
  });
});
