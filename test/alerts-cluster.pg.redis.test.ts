/**
 * Operator alerts in a cluster: two platforms (two "processes") on one PostgreSQL schema
 * and one Redis prefix of their own, each evaluating the alerts over its own metrics with
 * the real wiring (startOperatorAlerts), one notifier delivering to the operator's Slack
 * incoming webhook in the sandbox. Webhook signature failures cross 5 a minute in both at
 * once: the operator gets one "firing" message, not two; the resolution comes once, from
 * the process that announced; a breach still going on in the other process after that is
 * announced then, and resolves once.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox } from '../sandbox/index.ts';
import { ManualClock } from '../src/backends/memory/clock.ts';
import { deleteKeysWithPrefix } from '../src/backends/redis/job-queue-keys.ts';
import { runNotifier, type RunningNotifier } from '../src/notifications/index.ts';
import type { PrometheusMetrics } from '../src/observability/index.ts';
import { startOperatorAlerts } from '../src/runtime/alerts-wiring.ts';
import { buildPlatform, type Platform } from '../src/runtime/compose.ts';
import { resolveConfig, type ResolvedConfig } from '../src/runtime/config/index.ts';
import { createLogger } from '../src/runtime/logging/logger.ts';

const PG_URL = process.env.TRIBUTARY_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.TRIBUTARY_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const hex = randomBytes(5).toString('hex');
const schema = `trb_alerts_${hex}`;
const prefix = `trbalerts${hex}`;
const clock = new ManualClock(Date.now());
const logger = createLogger({ level: 'silent' });
let sandbox: { url: string; close(): Promise<void> };
let hook: { id: string; url: string };
let config: ResolvedConfig;
const platforms: Platform[] = [];
const alerts: ReturnType<typeof startOperatorAlerts>[] = [];
let notifier: RunningNotifier | null = null;

async function control(method: string, path: string, body?: unknown): Promise<Json> {
  const response = await fetch(`${sandbox.url}${path}`, { method, ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }) });
  return response.json();
}

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, size: 5 });
  hook = await control('POST', '/_sandbox/slack/incoming-webhooks', { channel: 'general' });
  const setup = new pg.Client({ connectionString: PG_URL });
  await setup.connect();
  await setup.query(`CREATE SCHEMA ${schema}`);
  await setup.end();
  config = resolveConfig({
    databaseUrl: PG_URL, databaseSchema: schema, redisUrl: REDIS_URL, redisPrefix: prefix, masterKey: randomBytes(32).toString('base64'),
    operatorWebhookUrl: hook.url, allowPrivateEgress: true, logLevel: 'silent', demo: false,
    // The platforms' own monitors take their first sample and wait an hour: the test evaluates.
    alertIntervalMs: 3_600_000,
  });
  for (let i = 0; i < 2; i++) platforms.push(await buildPlatform(config, { logger, clock }));
  notifier = runNotifier(platforms[0]!.services.notifications, { concurrency: 1, flushIntervalMs: 3_600_000 });
  for (const platform of platforms) {
    const { metrics, locks, notifications } = platform.services;
    alerts.push(startOperatorAlerts(config, { metrics, locks, clock, logger, notifications }));
  }
  // The first sample of each (taken at start) is in before any failure counts.
  for (const monitor of alerts) await monitor.evaluateNow();
}, 60_000);

afterAll(async () => {
  for (const monitor of alerts) await monitor.stop();
  await notifier?.stop();
  for (const platform of platforms) await platform.close();
  await sandbox?.close();
  const setup = new pg.Client({ connectionString: PG_URL });
  await setup.connect();
  await setup.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await setup.end();
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    await deleteKeysWithPrefix(redis, prefix);
  } finally {
    redis.disconnect();
  }
});

const signatureFailures = (metrics: PrometheusMetrics, n: number) => {
  for (let i = 0; i < n; i++) metrics.webhookVerification({ provider: 'github', ok: false, reason: 'signature' });
};

/** The operator channel's messages once the notifications queue has delivered everything enqueued so far. */
async function delivered(): Promise<string[]> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const stats = (await platforms[0]!.services.queue.stats()).find((s) => s.queue === 'notifications');
    if (stats !== undefined && stats.ready + stats.delayed + stats.running === 0) {
      return ((await control('GET', `/_sandbox/slack/incoming-webhooks/${hook.id}`)).posts as Json[]).map((p) => String(p.body.text));
    }
    if (Date.now() > deadline) throw new Error(`notifications not delivered: ${JSON.stringify(stats)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('operator alerts across processes', () => {
  it('send one message per firing and one per resolution, whichever processes breach', { timeout: 60_000 }, async () => {
    const [a, b] = platforms.map((p) => p.services.metrics) as [PrometheusMetrics, PrometheusMetrics];
    const [first, second] = alerts as [(typeof alerts)[0], (typeof alerts)[0]];

    // Both processes see 12 bad signatures in a minute.
    signatureFailures(a, 12);
    signatureFailures(b, 12);
    clock.advance(60_000);
    const [sentA, sentB] = await Promise.all([first.evaluateNow(), second.evaluateNow()]);
    expect([...sentA, ...sentB].map((t) => [t.name, t.state])).toEqual([['webhook_signature_failures', 'firing']]);
    const announcer = sentA.length === 1 ? first : second;
    const other = announcer === first ? second : first;
    const otherMetrics = announcer === first ? b : a;
    let posts = await delivered();
    expect(posts).toHaveLength(1);
    expect(posts[0]).toContain('🚨 Webhook signature failures above');

    // Still breaching in both: nothing new.
    signatureFailures(a, 12);
    signatureFailures(b, 12);
    clock.advance(60_000);
    expect([...(await first.evaluateNow()), ...(await second.evaluateNow())]).toEqual([]);

    // The announcer's failures stop, the other's go on: the announcer resolves, the other announces its breach.
    signatureFailures(otherMetrics, 12);
    clock.advance(60_000);
    expect((await announcer.evaluateNow()).map((t) => t.state)).toEqual(['resolved']);
    expect((await other.evaluateNow()).map((t) => t.state)).toEqual(['firing']);
    // Then it stops there too: one resolution.
    clock.advance(60_000);
    expect(await announcer.evaluateNow()).toEqual([]);
    expect((await other.evaluateNow()).map((t) => t.state)).toEqual(['resolved']);

    posts = await delivered();
    expect(posts.filter((p) => p.startsWith('🚨'))).toHaveLength(2);
    expect(posts.filter((p) => p.startsWith('✅'))).toHaveLength(2);
    expect(posts).toHaveLength(4);
  });
});
