import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteJobQueue } from '../src/backends/sqlite/job-queue.ts';
import { SigningSecrets, WebhookReceiver } from '../src/webhooks/index.ts';
import { ManualClock, startWebhookIntake, type WebhookIntake } from './fixtures/webhooks-intake.ts';

const hmacHex = (key: string, data: string | Buffer) => createHmac('sha256', key).update(data).digest('hex');

function githubDelivery(secret: string, deliveryId = randomUUID(), body = JSON.stringify({ action: 'edited', issue: { number: 1 }, repository: { full_name: 'acme/web' } })) {
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'x-github-event': 'issues',
      'x-github-delivery': deliveryId,
      'x-hub-signature-256': `sha256=${hmacHex(secret, body)}`,
    },
  };
}

async function post(intake: WebhookIntake, registrationId: string, delivery: { body: string | Buffer; headers: Record<string, string> }) {
  const response = await fetch(`${intake.url}/webhooks/${registrationId}/events`, { method: 'POST', headers: delivery.headers, body: delivery.body });
  return { status: response.status, text: await response.text(), headers: response.headers };
}

function count(intake: WebhookIntake, sql: string, ...params: unknown[]): number {
  return (intake.handle.db.prepare(sql).get(...params) as { n: number }).n;
}

describe('webhook intake over HTTP on SQLite', () => {
  let dir: string;
  let intake: WebhookIntake;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tributary-webhooks-'));
    intake = await startWebhookIntake({ dir, bodyLimitBytes: 64 * 1024, receiver: { ratePerSecond: 1000, burst: 5000 } });
  });
  afterEach(async () => {
    await intake.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores and enqueues a verified GitHub delivery before answering 200, and audits it', async () => {
    const reg = await intake.register({ providerId: 'github', secret: 's3cret' });
    const delivery = githubDelivery('s3cret');
    const answer = await post(intake, reg.id, delivery);
    expect(answer.status).toBe(200);
    // Durable before the answer: the rows are there the moment the 200 arrived.
    const event = intake.handle.db.prepare('SELECT id, event_type, status, payload FROM webhook_events WHERE registration_id = ?').get(reg.id) as Record<string, string>;
    expect(event).toMatchObject({ event_type: 'issues.edited', status: 'pending' });
    expect(JSON.parse(event['payload'] as string)).toMatchObject({ action: 'edited' });
    const job = intake.handle.db.prepare("SELECT payload, idempotency_key FROM jobs WHERE queue = 'webhook-events'").get() as Record<string, string>;
    expect(JSON.parse(job['payload'] as string)).toEqual({ eventId: event['id'], tenantId: intake.tenantId, registrationId: reg.id });
    // One job per event: keyed by the (time-ordered) event id, which the delivery id maps to.
    expect(job['idempotency_key']).toBe(`${reg.id}:${event['id']}`);
    const audit = await intake.store.webhooks.recentDeliveries(intake.tenantId, reg.id, 10);
    expect(audit).toMatchObject([{ outcome: 'accepted', verified: true, deliveryId: delivery.headers['x-github-delivery'] }]);
  });

  it('answers a replayed delivery id 200 without storing or enqueueing it twice', async () => {
    const reg = await intake.register({ providerId: 'github', secret: 's3cret' });
    const delivery = githubDelivery('s3cret');
    expect((await post(intake, reg.id, delivery)).status).toBe(200);
    expect((await post(intake, reg.id, delivery)).status).toBe(200);
    await Promise.all([post(intake, reg.id, delivery), post(intake, reg.id, delivery)]);
    expect(count(intake, 'SELECT count(*) AS n FROM webhook_events WHERE registration_id = ?', reg.id)).toBe(1);
    expect(count(intake, "SELECT count(*) AS n FROM jobs WHERE queue = 'webhook-events'")).toBe(1);
    await intake.receiver.drain();
    const outcomes = (await intake.store.webhooks.recentDeliveries(intake.tenantId, reg.id, 10)).map((d) => d.outcome).sort();
    expect(outcomes).toEqual(['accepted', 'duplicate', 'duplicate', 'duplicate']);
  });

  it('refuses bad signatures with 401, keeping the reason in the audit row only', async () => {
    const reg = await intake.register({ providerId: 'github', secret: 's3cret' });
    const forged = githubDelivery('wrong');
    const answer = await post(intake, reg.id, forged);
    expect(answer.status).toBe(401);
    expect(answer.text).not.toMatch(/bad_signature|secret/);
    await intake.receiver.drain();
    expect(await intake.store.webhooks.recentDeliveries(intake.tenantId, reg.id, 10)).toMatchObject([
      { outcome: 'rejected_signature', detail: 'bad_signature', verified: false, deliveryId: null, claimedDeliveryId: null },
    ]);
    expect(count(intake, 'SELECT count(*) AS n FROM webhook_events')).toBe(0);
    // The forged delivery took no replay key: the real one with that id is still accepted.
    const real = githubDelivery('s3cret', forged.headers['x-github-delivery']);
    expect((await post(intake, reg.id, real)).status).toBe(200);
    expect(count(intake, 'SELECT count(*) AS n FROM webhook_events')).toBe(1);
  });

  it('answers 404 for unknown registrations, 410 for disabled ones and 413 over the body limit', async () => {
    const delivery = githubDelivery('s3cret');
    expect((await post(intake, 'whk_' + '0'.repeat(32), delivery)).status).toBe(404);
    expect((await post(intake, 'nope', delivery)).status).toBe(404);
    const disabled = await intake.register({ providerId: 'github', secret: 's3cret', status: 'disabled' });
    expect((await post(intake, disabled.id, delivery)).status).toBe(410);
    const reg = await intake.register({ providerId: 'github', secret: 's3cret' });
    const big = githubDelivery('s3cret', randomUUID(), JSON.stringify({ pad: 'x'.repeat(70 * 1024) }));
    expect((await post(intake, reg.id, big)).status).toBe(413);
  });

  it('rate-limits per registration with 429 and Retry-After', async () => {
    await intake.close();
    // A clock that stands still: no token comes back however slow the machine is.
    const clock = new ManualClock(Date.now());
    intake = await startWebhookIntake({ dir, tenantId: intake.tenantId, clock, receiver: { ratePerSecond: 1, burst: 3 } });
    const reg = await intake.register({ providerId: 'github', secret: 's' });
    const other = await intake.register({ providerId: 'github', secret: 's' });
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await post(intake, reg.id, githubDelivery('s'))).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect((await post(intake, other.id, githubDelivery('s'))).status).toBe(200);
    clock.advance(1000);
    expect((await post(intake, reg.id, githubDelivery('s'))).status).toBe(200);
  });

  it('answers 503 while the store cannot commit, so the sender retries, and accepts the retry afterwards', async () => {
    await intake.close();
    intake = await startWebhookIntake({ dir, tenantId: intake.tenantId, busyTimeoutMs: 100 });
    const reg = await intake.register({ providerId: 'github', secret: 's' });
    const delivery = githubDelivery('s');
    expect((await post(intake, reg.id, githubDelivery('s'))).status).toBe(200);
    // Another process holds the write lock longer than the busy timeout.
    const other = new Database(join(dir, 'tributary.db'));
    other.exec('BEGIN IMMEDIATE');
    try {
      expect((await post(intake, reg.id, delivery)).status).toBe(503);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    expect((await post(intake, reg.id, delivery)).status).toBe(200);
    expect(count(intake, 'SELECT count(*) AS n FROM webhook_events WHERE delivery_id = ?', delivery.headers['x-github-delivery'])).toBe(1);
    expect(count(intake, "SELECT count(*) AS n FROM jobs WHERE queue = 'webhook-events'")).toBe(2);
  });

  it('enqueues again a duplicate whose event is still pending without its job (a crash between the two)', async () => {
    const reg = await intake.register({ providerId: 'github', secret: 's' });
    const delivery = githubDelivery('s');
    expect((await post(intake, reg.id, delivery)).status).toBe(200);
    intake.handle.db.exec("DELETE FROM jobs WHERE queue = 'webhook-events'");
    const queue = new SqliteJobQueue(intake.handle, { clock: { now: () => Date.now() } });
    const receiver = new WebhookReceiver({ store: intake.store, queue, secrets: intake.vault, clock: { now: () => Date.now() } });
    const answer = await receiver.receive({ registrationId: reg.id, rawBody: Buffer.from(delivery.body), headers: delivery.headers });
    expect(answer.kind).toBe('duplicate');
    expect(count(intake, "SELECT count(*) AS n FROM jobs WHERE queue = 'webhook-events'")).toBe(1);
    await receiver.drain();
    await queue.close();
  });

  it('answers Slack url_verification with the challenge and treats a retry (same event_id) as a duplicate', async () => {
    const secret = 'slack-signing-secret';
    const reg = await intake.register({ providerId: 'slack', secret });
    const sign = (body: string) => {
      const ts = String(Math.floor(Date.now() / 1000));
      return { 'content-type': 'application/json', 'x-slack-request-timestamp': ts, 'x-slack-signature': `v0=${hmacHex(secret, `v0:${ts}:${body}`)}` };
    };
    const challenge = JSON.stringify({ token: 'x', challenge: 'chal-42', type: 'url_verification' });
    const hs = await post(intake, reg.id, { body: challenge, headers: sign(challenge) });
    expect(hs).toMatchObject({ status: 200, text: 'chal-42' });
    const event = JSON.stringify({ type: 'event_callback', event_id: 'Ev1', event: { type: 'message', channel: 'C1', ts: '1.2' } });
    expect((await post(intake, reg.id, { body: event, headers: sign(event) })).status).toBe(200);
    expect((await post(intake, reg.id, { body: event, headers: { ...sign(event), 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } })).status).toBe(200);
    expect(count(intake, 'SELECT count(*) AS n FROM webhook_events WHERE registration_id = ?', reg.id)).toBe(1);
  });

  it('keeps Notion’s verification_token as the signing secret, then verifies events with it', async () => {
    const reg = await intake.register({ providerId: 'notion', secret: null });
    const token = `secret_${randomBytes(16).toString('hex')}`;
    expect((await post(intake, reg.id, { body: JSON.stringify({ verification_token: token }), headers: { 'content-type': 'application/json' } })).status).toBe(200);
    const body = JSON.stringify({ id: 'evt-n1', type: 'page.properties_updated', entity: { id: 'p1', type: 'page' } });
    expect((await post(intake, reg.id, { body, headers: { 'content-type': 'application/json', 'x-notion-signature': `sha256=${hmacHex(token, body)}` } })).status).toBe(200);
    expect((await post(intake, reg.id, { body, headers: { 'content-type': 'application/json', 'x-notion-signature': `sha256=${hmacHex('secret_forged', body)}` } })).status).toBe(401);
    // A second handshake cannot replace the token.
    expect((await post(intake, reg.id, { body: JSON.stringify({ verification_token: 'secret_attacker' }), headers: {} })).status).toBe(401);
  });

  it('checks a Google notification’s channel id and token, and acks Salesforce with <Ack>true</Ack>', async () => {
    const google = await intake.register({ providerId: 'google', secret: 'chan-token', providerWebhookId: 'chan-1' });
    const headers = (channel: string) => ({ 'x-goog-channel-id': channel, 'x-goog-channel-token': 'chan-token', 'x-goog-resource-state': 'exists', 'x-goog-message-number': '7' });
    expect((await post(intake, google.id, { body: '', headers: headers('chan-1') })).status).toBe(200);
    expect((await post(intake, google.id, { body: '', headers: headers('chan-2') })).status).toBe(401);
    const org = '00D5g000004ABCDEAA';
    const sf = await intake.register({ providerId: 'salesforce', secret: org });
    const xml = `<?xml version="1.0"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><notifications xmlns="http://soap.sforce.com/2005/09/outbound"><OrganizationId>${org}</OrganizationId><Notification><Id>04l1</Id><sObject xsi:type="sf:Contact" xmlns:sf="urn:sobject.enterprise.soap.sforce.com"><sf:Id>0031</sf:Id></sObject></Notification></notifications></soapenv:Body></soapenv:Envelope>`;
    const answer = await post(intake, sf.id, { body: xml, headers: { 'content-type': 'text/xml; charset=utf-8' } });
    expect(answer.status).toBe(200);
    expect(answer.text).toContain('<Ack>true</Ack>');
  });

  it('marks a registration failing after consecutive bad signatures, disabled once failing long enough, and notifies', async () => {
    let now = Date.now();
    const changes: string[] = [];
    await intake.close();
    intake = await startWebhookIntake({ dir, tenantId: intake.tenantId, clock: { now: () => now }, receiver: { cacheTtlMs: 1, failingAfter: 3, disableAfterMs: 60_000, onStatusChange: (_r, status) => changes.push(status) } });
    const reg = await intake.register({ providerId: 'github', secret: 's' });
    const statusOf = async () => (await intake.store.webhooks.get(intake.tenantId, reg.id))?.status;
    for (let i = 0; i < 3; i++) expect((await post(intake, reg.id, githubDelivery('forged'))).status).toBe(401);
    await expect.poll(statusOf).toBe('failing');
    // A real delivery still verifies and brings it back.
    now += 10;
    expect((await post(intake, reg.id, githubDelivery('s'))).status).toBe(200);
    await expect.poll(statusOf).toBe('active');
    for (let i = 0; i < 3; i++) expect((await post(intake, reg.id, githubDelivery('forged'))).status).toBe(401);
    await expect.poll(statusOf).toBe('failing');
    now += 60_001;
    for (let i = 0; i < 3; i++) expect((await post(intake, reg.id, githubDelivery('forged'))).status).toBe(401);
    await expect.poll(statusOf).toBe('disabled');
    now += 10;
    expect((await post(intake, reg.id, githubDelivery('s'))).status).toBe(410);
    expect(changes).toEqual(['failing', 'active', 'failing', 'disabled']);
  });

  it('verifies with both secrets during a rotation’s overlap and only the new one after it', async () => {
    let now = Date.now();
    const clock = { now: () => now };
    await intake.close();
    intake = await startWebhookIntake({ dir, tenantId: intake.tenantId, clock, receiver: { cacheTtlMs: 1 } });
    const reg = await intake.register({ providerId: 'github', secret: 'old' });
    await new SigningSecrets(intake.vault).rotate(intake.tenantId, reg.webhookSecretRef ?? '', 'new', now, 60_000);
    now += 10;
    expect((await post(intake, reg.id, githubDelivery('old'))).status).toBe(200);
    expect((await post(intake, reg.id, githubDelivery('new'))).status).toBe(200);
    now += 60_001;
    expect((await post(intake, reg.id, githubDelivery('old'))).status).toBe(401);
    expect((await post(intake, reg.id, githubDelivery('new'))).status).toBe(200);
  });
});
