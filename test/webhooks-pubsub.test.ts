/**
 * Google Cloud Pub/Sub push delivery through the intake: a `pubsub` registration on a
 * Google connection takes push envelopes whose `Authorization: Bearer` OIDC token is
 * checked against a JWKS this test serves (as Google's certs endpoint would), with
 * Google's issuer, the registration's audience and the push service account. A
 * redelivered messageId is stored and processed once; a bad token is refused with 401
 * and stores nothing; the worker turns the message into an incremental run of the
 * registration's object only. Tokens are signed here the way Google signs them (RS256,
 * `kid`), with the claims of providers.md §5.
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TributaryError } from '../src/domain/errors.ts';
import { createWebhookEventHandler, remotePubSubKeys, WebhookRegistrations, type WebhookRegistrationView } from '../src/webhooks/index.ts';
import { startWebhookIntake, type WebhookIntake } from './fixtures/webhooks-intake.ts';
import { waitFor } from './fixtures/webhooks-sandbox.ts';

const PUSH_ACCOUNT = 'push-sender@acme-proj.iam.gserviceaccount.com';

interface SigningKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly jwk: JWK;
}

async function signingKey(kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

describe('Pub/Sub push delivery', () => {
  let dir: string;
  let intake: WebhookIntake;
  let jwksServer: Server;
  /** What the certs endpoint serves now, and how often it was asked. */
  const served: { keys: JWK[]; fetches: number } = { keys: [], fetches: 0 };
  let k1: SigningKey;
  let registrations: WebhookRegistrations;
  let registration: WebhookRegistrationView;

  beforeEach(async () => {
    k1 = await signingKey('k1');
    served.keys = [k1.jwk];
    served.fetches = 0;
    jwksServer = createServer((_req, res) => {
      served.fetches += 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: served.keys }));
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    const address = jwksServer.address() as { port: number };
    dir = mkdtempSync(join(tmpdir(), 'tributary-webhooks-pubsub-'));
    intake = await startWebhookIntake({ dir, receiver: { pubsubKeys: remotePubSubKeys(`http://127.0.0.1:${address.port}/oauth2/v3/certs`, { cooldownMs: 0 }) } });
    const at = new Date().toISOString();
    await intake.store.connections.insert({ id: 'con_google', tenantId: intake.tenantId, provider: 'google', name: 'google', status: 'active', baseUrl: null, account: {}, credentialId: null, createdAt: at, updatedAt: at });
    for (const [id, object] of [['int_events', 'events'], ['int_contacts', 'contacts']] as const) {
      await intake.store.integrations.insert({
        id, tenantId: intake.tenantId, connectionId: 'con_google', object, direction: 'pull', mapping: {}, mappingVersion: 1, schedule: null, priority: 'normal',
        dedupRules: {}, conflictStrategy: {}, fieldOwnership: {}, enabled: true, cursor: null, cursorUpdatedAt: null, createdAt: at, updatedAt: at,
      }, null);
    }
    registrations = new WebhookRegistrations({
      store: intake.store, secrets: intake.vault, clock: { now: () => Date.now() }, publicBaseUrl: intake.url,
      contextFor: () => { throw new Error('a Pub/Sub registration calls no provider API'); }, onChange: (id) => intake.receiver.invalidate(id),
    });
    registration = await registrations.register({ tenantId: intake.tenantId, connectionId: 'con_google', scheme: 'pubsub', config: { serviceAccountEmail: PUSH_ACCOUNT, object: 'events' } });
  });
  afterEach(async () => {
    await intake.close();
    await new Promise((resolve) => jwksServer.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  const token = (claims: Record<string, unknown> = {}, key: SigningKey = k1, audience = registration.url, issuer = 'https://accounts.google.com') => {
    const iat = Math.floor(Date.now() / 1000);
    return new SignJWT({ email: PUSH_ACCOUNT, email_verified: true, azp: '113774264463038321964', sub: '113774264463038321964', ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' })
      .setIssuer(issuer)
      .setAudience(audience)
      .setIssuedAt(iat)
      .setExpirationTime(iat + 3600)
      .sign(key.privateKey);
  };
  // The push envelope as Pub/Sub sends it (both spellings of the id and time are sent).
  const envelope = (messageId: string, data: unknown) =>
    JSON.stringify({
      message: {
        attributes: { resource: 'calendar' }, data: Buffer.from(JSON.stringify(data)).toString('base64'),
        messageId, message_id: messageId, publishTime: '2026-11-26T09:00:00.123Z', publish_time: '2026-11-26T09:00:00.123Z',
      },
      subscription: 'projects/acme-proj/subscriptions/tributary-push',
    });
  const push = (body: string, authorization?: string) =>
    fetch(registration.url, { method: 'POST', headers: { 'content-type': 'application/json', ...(authorization === undefined ? {} : { authorization }) }, body });
  const count = (sql: string) => (intake.handle.db.prepare(sql).get() as { n: number }).n;
  const events = () => count('SELECT count(*) AS n FROM webhook_events');
  const eventJobs = () => count("SELECT count(*) AS n FROM jobs WHERE queue = 'webhook-events'");

  it('takes a verified push, stores a redelivered messageId once, and syncs only the registration\'s object', async () => {
    expect(registration).toMatchObject({ scheme: 'pubsub', provider: 'google', providerWebhookId: null, verificationToken: null });
    expect(registration.manualSteps.join(' ')).toContain(PUSH_ACCOUNT);

    const body = envelope('136969346945', { emailAddress: 'ops@acme.example', historyId: '9876' });
    const first = await push(body, `Bearer ${await token()}`);
    expect(first.status).toBe(200);
    // Pub/Sub redelivers until acknowledged: the same messageId with a new token.
    const again = await push(body, `Bearer ${await token()}`);
    expect(again.status).toBe(200);
    expect(events()).toBe(1);
    expect(eventJobs()).toBe(1);
    const stored = intake.handle.db.prepare('SELECT delivery_id, event_type, payload FROM webhook_events').get() as { delivery_id: string; event_type: string; payload: string };
    expect(stored.delivery_id).toBe('136969346945');
    expect(stored.event_type).toBe('pubsub_push');
    expect(JSON.parse(stored.payload)).toMatchObject({ subscription: 'projects/acme-proj/subscriptions/tributary-push', data: { historyId: '9876' }, message: { attributes: { resource: 'calendar' } } });
    const outcomes = (intake.handle.db.prepare('SELECT outcome FROM webhook_audit ORDER BY received_at, id').all() as { outcome: string }[]).map((r) => r.outcome);
    expect(outcomes).toEqual(['accepted', 'duplicate']);

    const consumer = intake.queue.consume(
      'webhook-events',
      createWebhookEventHandler({ store: intake.store, queue: intake.queue, clock: { now: () => Date.now() }, providerFor: () => undefined, contextFor: () => { throw new Error('a signal fetches nothing'); } }),
      { concurrency: 2 },
    );
    try {
      await waitFor('the event processed', () => (intake.handle.db.prepare("SELECT status FROM webhook_events WHERE status = 'processed'").get() as { status: string } | undefined));
    } finally {
      await consumer.stop();
    }
    const runs = intake.handle.db.prepare("SELECT payload, idempotency_key FROM jobs WHERE queue = 'sync-inbound'").all() as { payload: string; idempotency_key: string }[];
    expect(runs.map((r) => r.idempotency_key)).toEqual(['sync:int_events']);
    expect(JSON.parse(runs[0]!.payload)).toEqual({ tenantId: intake.tenantId, integrationId: 'int_events', trigger: 'webhook' });
    expect((await registrations.verify(intake.tenantId, registration.id)).ok).toBe(true);
  });

  it('refuses a bad token with 401 and stores nothing', async () => {
    const stranger = await signingKey('k1'); // the right kid, someone else's key
    const body = envelope('200000000001', { historyId: '1' });
    const refused = [
      await push(body),
      await push(body, 'Basic dXNlcjpwYXNz'),
      await push(body, `Bearer ${await token({}, stranger)}`),
      await push(body, `Bearer ${await token({}, k1, 'https://someone-else.example/push')}`),
      await push(body, `Bearer ${await token({ email: 'other@acme-proj.iam.gserviceaccount.com' })}`),
      await push(body, `Bearer ${await token({ email_verified: false })}`),
      await push(body, `Bearer ${await token({}, k1, registration.url, 'https://evil.example')}`),
      await push(body, `Bearer ${(await token()).slice(0, -4)}AAAA`),
    ];
    for (const response of refused) {
      expect(response.status).toBe(401);
      expect(await response.text()).not.toMatch(/token|audience|email|signature/i);
    }
    await intake.receiver.drain();
    expect(events()).toBe(0);
    expect(eventJobs()).toBe(0);
    const audit = intake.handle.db.prepare('SELECT verified, delivery_id, outcome FROM webhook_audit').all() as { verified: number; delivery_id: string | null; outcome: string }[];
    expect(audit).toHaveLength(refused.length);
    expect(audit.every((a) => a.verified === 0 && a.delivery_id === null && a.outcome === 'rejected_signature')).toBe(true);
    // The messageId was not taken by the refused attempts: the real delivery is still accepted.
    expect((await push(body, `Bearer ${await token()}`)).status).toBe(200);
    expect(events()).toBe(1);
  });

  it('refetches the keys when Google rotates them, and answers 503 (retry) when no keys can be had', async () => {
    expect((await push(envelope('300000000001', { n: 1 }), `Bearer ${await token()}`)).status).toBe(200);
    const k2 = await signingKey('k2');
    served.keys = [k1.jwk, k2.jwk];
    const fetchesBefore = served.fetches;
    expect((await push(envelope('300000000002', { n: 2 }), `Bearer ${await token({}, k2)}`)).status).toBe(200);
    expect(served.fetches).toBe(fetchesBefore + 1);

    // Keys that cannot be fetched: 503, so that Pub/Sub retries; nothing stored.
    const offline = await startWebhookIntake({ dir: mkdtempSync(join(dir, 'offline-')), receiver: { pubsubKeys: remotePubSubKeys('http://127.0.0.1:9/certs') } });
    try {
      const at = new Date().toISOString();
      await offline.store.connections.insert({ id: 'con_google', tenantId: offline.tenantId, provider: 'google', name: 'google', status: 'active', baseUrl: null, account: {}, credentialId: null, createdAt: at, updatedAt: at });
      const other = new WebhookRegistrations({ store: offline.store, secrets: offline.vault, clock: { now: () => Date.now() }, publicBaseUrl: offline.url, contextFor: () => { throw new Error('none'); } });
      const r = await other.register({ tenantId: offline.tenantId, connectionId: 'con_google', scheme: 'pubsub', config: { serviceAccountEmail: PUSH_ACCOUNT } });
      const response = await fetch(r.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${await token({}, k1, r.url)}` }, body: envelope('300000000003', {}) });
      expect(response.status).toBe(503);
      expect((offline.handle.db.prepare('SELECT count(*) AS n FROM webhook_events').get() as { n: number }).n).toBe(0);
    } finally {
      await offline.close();
    }
  });

  it('registers Pub/Sub push only on a Google connection with the push service account', async () => {
    const field = async (input: Parameters<WebhookRegistrations['register']>[0]) => {
      const error = await registrations.register(input).then(() => null, (e: unknown) => e);
      expect(error).toBeInstanceOf(TributaryError);
      return { code: (error as TributaryError).code, field: (error as TributaryError).field };
    };
    const at = new Date().toISOString();
    await intake.store.connections.insert({ id: 'con_gh', tenantId: intake.tenantId, provider: 'github', name: 'gh', status: 'active', baseUrl: null, account: {}, credentialId: null, createdAt: at, updatedAt: at });
    expect(await field({ tenantId: intake.tenantId, connectionId: 'con_gh', scheme: 'pubsub', config: { serviceAccountEmail: PUSH_ACCOUNT } })).toEqual({ code: 'VALIDATION_FAILED', field: 'scheme' });
    expect(await field({ tenantId: intake.tenantId, connectionId: 'con_google', scheme: 'pubsub', config: {} })).toEqual({ code: 'VALIDATION_FAILED', field: 'config.serviceAccountEmail' });
    expect(await field({ tenantId: intake.tenantId, connectionId: 'con_google', scheme: 'pubsub', config: { serviceAccountEmail: PUSH_ACCOUNT, audience: 42 } })).toEqual({ code: 'VALIDATION_FAILED', field: 'config.audience' });
    // A configured audience is the one tokens must carry.
    const custom = await registrations.register({ tenantId: intake.tenantId, connectionId: 'con_google', scheme: 'pubsub', config: { serviceAccountEmail: PUSH_ACCOUNT, audience: 'tributary-push' } });
    const send = async (audience: string) =>
      (await fetch(custom.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${await token({}, k1, audience)}` }, body: envelope(`4000${audience.length}`, {}) })).status;
    expect(await send(custom.url)).toBe(401);
    expect(await send('tributary-push')).toBe(200);
  });
});
