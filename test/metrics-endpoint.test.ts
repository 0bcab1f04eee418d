import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUE_NAMES } from '../src/ports/job-queue.ts';
import { startTempPlatform } from '../src/runtime/testing/temp-platform.ts';
import type { TempPlatform } from '../src/runtime/testing/temp-platform.ts';

const ADMIN_KEY = 'admin-key-for-metrics-tests-0123456789';
const admin = { authorization: `Bearer ${ADMIN_KEY}` };

/** The value of the one sample of `name` whose labels include `labels`; undefined when none. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match === null || match[1] !== name) continue;
    const present = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => present[k] === v)) return Number(match[3]);
  }
  return undefined;
}

/** Every metric name the endpoint declares (`# TYPE` lines), whether or not it has samples yet. */
const INSTRUMENTS = [
  'tributary_invocations_total', 'tributary_invocation_duration_seconds', 'tributary_errors_total', 'tributary_sync_records_total',
  'tributary_sync_run_records', 'tributary_dedup_candidates_total', 'tributary_dedup_matches_total', 'tributary_conflicts_detected_total',
  'tributary_conflicts_resolved_total', 'tributary_webhook_verifications_total', 'tributary_worker_job_duration_seconds',
  'tributary_worker_job_wait_seconds', 'tributary_webhook_latency_seconds', 'tributary_token_refresh_duration_seconds',
  'tributary_token_refresh_failures_total', 'tributary_http_requests_total', 'tributary_http_request_duration_seconds',
  'tributary_queue_jobs', 'tributary_queue_depth', 'tributary_queue_oldest_ready_age_seconds', 'tributary_rate_limit_used',
  'tributary_rate_limit_limit', 'tributary_rate_limit_utilization_ratio', 'tributary_rate_limit_waiting',
  'process_resident_memory_bytes', 'nodejs_heap_size_used_bytes', 'nodejs_eventloop_lag_seconds',
];

describe('GET /metrics (no key required by default)', () => {
  let t: TempPlatform;

  beforeAll(async () => {
    t = await startTempPlatform({ adminKey: ADMIN_KEY, logLevel: 'silent' });
  });

  afterAll(async () => {
    await t.close();
  });

  async function scrape(): Promise<string> {
    const response = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    return response.body;
  }

  it('serves every instrument in Prometheus text format, without a key', async () => {
    const text = await scrape();
    for (const name of INSTRUMENTS) expect(text, name).toMatch(new RegExp(`^# TYPE ${name} `, 'm'));
    expect(sample(text, 'process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it('counts requests by route pattern and status, never by raw URL', async () => {
    const before = await scrape();
    const health = { method: 'GET', route: '/health', status: '200' };
    const startCount = sample(before, 'tributary_http_requests_total', health) ?? 0;
    await t.app.inject({ method: 'GET', url: '/health' });
    await t.app.inject({ method: 'GET', url: '/health' });
    const created = await t.app.inject({ method: 'POST', url: '/v1/tenants', headers: admin, payload: { name: 'Acme' } });
    const tenantId = created.json<{ id: string }>().id;
    await t.app.inject({ method: 'GET', url: `/v1/tenants/${tenantId}`, headers: admin });
    await t.app.inject({ method: 'GET', url: '/v1/tenants', headers: {} });
    // No route has this method and path (GETs of unknown paths belong to the admin UI).
    await t.app.inject({ method: 'DELETE', url: '/no/such/route' });
    const after = await scrape();
    expect(sample(after, 'tributary_http_requests_total', health)).toBe(startCount + 2);
    expect(sample(after, 'tributary_http_request_duration_seconds_count', health)).toBe(startCount + 2);
    expect(sample(after, 'tributary_http_requests_total', { route: '/v1/tenants/:tenantId', status: '200' })).toBe(1);
    expect(sample(after, 'tributary_http_requests_total', { method: 'GET', route: '/v1/tenants', status: '401' })).toBe(1);
    expect(sample(after, 'tributary_http_requests_total', { method: 'DELETE', route: 'unmatched', status: '404' })).toBe(1);
    expect(after).not.toContain(tenantId);
  });

  it('reports queue depth from the queue itself: enqueued jobs raise it, consumed jobs lower it', async () => {
    const { queue } = t.platform.services;
    let text = await scrape();
    for (const name of QUEUE_NAMES) expect(sample(text, 'tributary_queue_depth', { queue: name }), name).toBe(0);

    await queue.enqueueMany('sync-inbound', [{ payload: { n: 1 } }, { payload: { n: 2 } }, { payload: { n: 3 } }]);
    await queue.enqueue('sync-inbound', { n: 4 }, { delayMs: 3_600_000 });
    text = await scrape();
    expect(sample(text, 'tributary_queue_jobs', { queue: 'sync-inbound', state: 'ready' })).toBe(3);
    expect(sample(text, 'tributary_queue_jobs', { queue: 'sync-inbound', state: 'delayed' })).toBe(1);
    expect(sample(text, 'tributary_queue_depth', { queue: 'sync-inbound' })).toBe(4);
    expect(sample(text, 'tributary_queue_oldest_ready_age_seconds', { queue: 'sync-inbound' })).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'tributary_queue_depth', { queue: 'notifications' })).toBe(0);

    let handled = 0;
    const done = new Promise<void>((resolve) => {
      const consumer = queue.consume('sync-inbound', async () => {
        handled += 1;
        if (handled === 3) setImmediate(() => void consumer.stop().then(resolve));
      }, { concurrency: 1 });
    });
    await done;
    text = await scrape();
    expect(sample(text, 'tributary_queue_jobs', { queue: 'sync-inbound', state: 'ready' })).toBe(0);
    expect(sample(text, 'tributary_queue_depth', { queue: 'sync-inbound' })).toBe(1);
    // The platform's queue is metered: each handled job is an invocation of the inbound worker.
    expect(sample(text, 'tributary_invocations_total', { role: 'inbound-worker', function: 'sync-inbound', outcome: 'success' })).toBe(3);
    expect(sample(text, 'tributary_worker_job_duration_seconds_count', { queue: 'sync-inbound', outcome: 'success' })).toBe(3);
  });

  it('reports rate-limit usage per provider once calls go through the limiter', async () => {
    const { rateLimiter } = t.platform.services;
    const call = { provider: 'github', tenantId: 'ten_metrics', connectionId: 'con_metrics', operation: 'read' } as const;
    const permits = [await rateLimiter.acquire(call, { timeoutMs: 0 }), await rateLimiter.acquire(call, { timeoutMs: 0 })];
    const text = await scrape();
    const window = { provider: 'github', level: 'connection', kind: 'window' };
    const inFlight = { provider: 'github', level: 'connection', kind: 'concurrency' };
    expect(sample(text, 'tributary_rate_limit_used', window)).toBe(2);
    expect(sample(text, 'tributary_rate_limit_limit', window)).toBeGreaterThan(2);
    expect(sample(text, 'tributary_rate_limit_utilization_ratio', window)).toBeGreaterThan(0);
    expect(sample(text, 'tributary_rate_limit_used', inFlight)).toBe(2);
    for (const permit of permits) await rateLimiter.release(permit);
    // Released: nothing in flight any more; the window still counts both calls.
    const released = await scrape();
    expect(sample(released, 'tributary_rate_limit_used', inFlight)).toBe(0);
    expect(sample(released, 'tributary_rate_limit_used', window)).toBe(2);
  });

  it('exposes what features record through the Metrics interface', async () => {
    t.platform.services.metrics.webhookVerification({ provider: 'github', ok: false, reason: 'signature' });
    const text = await scrape();
    expect(sample(text, 'tributary_webhook_verifications_total', { provider: 'github', result: 'failure', reason: 'signature' })).toBe(1);
  });
});

describe('GET /metrics with TRIBUTARY_METRICS_AUTH=admin', () => {
  let t: TempPlatform;

  beforeAll(async () => {
    t = await startTempPlatform({ adminKey: ADMIN_KEY, metricsAuth: 'admin', logLevel: 'silent' });
  });

  afterAll(async () => {
    await t.close();
  });

  it('answers 401 without a key, 403 to a tenant key and the metrics to an admin key', async () => {
    const anonymous = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json<{ error: { code: string } }>().error.code).toBe('UNAUTHENTICATED');

    const tenant = await t.app.inject({ method: 'POST', url: '/v1/tenants', headers: admin, payload: { name: 'Acme' } });
    const created = await t.app.inject({ method: 'POST', url: `/v1/tenants/${tenant.json<{ id: string }>().id}/api-keys`, headers: admin, payload: { name: 'ci' } });
    const tenantKey = created.json<{ key: string }>().key;
    const forbidden = await t.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${tenantKey}` } });
    expect(forbidden.statusCode).toBe(403);

    const allowed = await t.app.inject({ method: 'GET', url: '/metrics', headers: admin });
    expect(allowed.statusCode).toBe(200);
    expect(allowed.body).toMatch(/^# TYPE tributary_queue_depth gauge$/m);
    expect(allowed.body).not.toContain(ADMIN_KEY);
  });
});
