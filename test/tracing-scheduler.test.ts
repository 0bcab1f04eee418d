/**
 * Scheduled and manual runs start their trace where they are started: with tracing on (an
 * in-memory exporter), the scheduler role's tick enqueues a due integration inside a
 * `scheduler.enqueue` span, and the inbound worker's job span and the Salesforce calls of
 * the run it makes share that span's trace id, the job span its child; the run's log
 * lines carry the job's correlation id (`sched_…`, the same as the span's) and the trace
 * id. A run started through `POST /v1/integrations/:id/sync` does the same from an
 * `integration.sync` span (`manual_…`), through the composed platform's own queue.
 */
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-node';
import { SqliteJobQueue } from '../src/backends/sqlite/job-queue.ts';
import { SqliteLocks } from '../src/backends/sqlite/locks.ts';
import { activeTraceIds, currentLogContext, startTracing, tracedQueue, type Tracing } from '../src/observability/index.ts';
import { salesforceProvider } from '../src/providers/salesforce/index.ts';
import { createLogger } from '../src/runtime/logging/logger.ts';
import { startSyncScheduler } from '../src/runtime/roles/scheduler.ts';
import { startTempPlatform } from '../src/runtime/testing/temp-platform.ts';
import { createInboundHandler, type SyncJobPayload } from '../src/sync/index.ts';
import { Cleanups, waitFor } from './fixtures/webhooks-sandbox.ts';
import { INTEGRATION, startWorld, TENANT, type Json } from './sync-fixture.ts';

const cleanups = new Cleanups();
let tracing: Tracing | null = null;
afterEach(async () => {
  await cleanups.run();
  await tracing?.shutdown();
  tracing = null;
});

/** Whether `span` is `ancestor` or sits under it, through spans of `spans`. */
function descendsFrom(span: ReadableSpan, ancestor: ReadableSpan, spans: readonly ReadableSpan[]): boolean {
  const byId = new Map(spans.map((s) => [s.spanContext().spanId, s]));
  let current: string | undefined = span.spanContext().spanId;
  while (current !== undefined) {
    if (current === ancestor.spanContext().spanId) return true;
    current = byId.get(current)?.parentSpanContext?.spanId;
  }
  return false;
}

describe('tracing of scheduled and manual runs', () => {
  it('follows a scheduled run from the scheduler enqueue through the worker to the provider calls in one trace', { timeout: 60_000 }, async () => {
    const exporter = new InMemorySpanExporter();
    tracing = await startTracing({ otlpEndpoint: null, exporter });
    const world = await startWorld({ provider: 'salesforce', object: 'Contact', size: 20 });
    cleanups.push(() => world.close());
    const clock = { now: () => Date.now() };
    const queue = new SqliteJobQueue(world.handle, { clock, pollMs: 10, flushMs: 1 });
    cleanups.push(() => queue.close());
    const locks = new SqliteLocks(world.handle, { clock });
    const lines: string[] = [];
    const logger = createLogger({ level: 'debug', destination: new Writable({ write: (chunk: Buffer, _e, done) => { lines.push(chunk.toString('utf8')); done(); } }) });

    const handler = createInboundHandler({ store: world.store, locks, clock, logger, providerFor: () => salesforceProvider, contextFor: () => world.ctx });
    const consumer = tracedQueue(queue).consume<SyncJobPayload>('sync-inbound', async (job, signal) => {
      logger.info({ step: 'start' }, 'sync job');
      await handler(job, signal);
    }, { concurrency: 1 });
    cleanups.push(() => consumer.stop(1000));

    const now = new Date().toISOString();
    await world.store.integrations.update(TENANT, INTEGRATION, { schedule: { intervalMs: 3_600_000 } }, now);
    await world.store.integrations.setNextScheduled(TENANT, INTEGRATION, new Date(Date.now() - 1000).toISOString(), now);
    const scheduler = startSyncScheduler({ store: world.store, queue, locks, clock, logger, tickMs: 3_600_000 });
    cleanups.push(() => scheduler.stop());

    const { enqueue, same } = await waitFor('the scheduled run in one trace', () => {
      const finished = exporter.getFinishedSpans();
      const enqueue = finished.find((s) => s.name === 'scheduler.enqueue');
      if (!enqueue) return null;
      const same = finished.filter((s) => s.spanContext().traceId === enqueue.spanContext().traceId);
      return same.some((s) => s.kind === SpanKind.CLIENT) && same.some((s) => s.name === 'sync-inbound process') ? { enqueue, same } : null;
    }, 30_000);

    expect(enqueue.kind).toBe(SpanKind.PRODUCER);
    expect(enqueue.parentSpanContext).toBeUndefined();
    expect(enqueue.attributes).toMatchObject({ 'tributary.integration_id': INTEGRATION, 'tributary.tenant_id': TENANT, 'messaging.destination.name': 'sync-inbound', 'tributary.job.deduplicated': false });
    const correlationId = String(enqueue.attributes['tributary.correlation_id']);
    expect(correlationId).toMatch(/^sched_[0-9a-f]{32}$/);
    const job = same.find((s) => s.name === 'sync-inbound process')!;
    expect(job.kind).toBe(SpanKind.CONSUMER);
    expect(job.parentSpanContext?.spanId).toBe(enqueue.spanContext().spanId);
    expect(job.attributes['tributary.correlation_id']).toBe(correlationId);
    const calls = same.filter((s) => s.kind === SpanKind.CLIENT);
    expect(calls.every((call) => descendsFrom(call, job, same))).toBe(true);
    expect(calls[0]!.attributes).toMatchObject({ 'tributary.provider': 'salesforce', 'http.response.status_code': 200 });

    // The run's log lines, the handler's and the sync engine's, carry the correlation id and the trace.
    const logged = lines.map((l) => JSON.parse(l) as Json).filter((l) => l.correlationId === correlationId);
    expect(logged.find((l) => l.msg === 'sync job')).toMatchObject({ queue: 'sync-inbound', trace_id: enqueue.spanContext().traceId, jobId: expect.any(String) });
    expect(logged.length).toBeGreaterThan(1);
    expect(logged.every((l) => l.trace_id === enqueue.spanContext().traceId)).toBe(true);
  });

  it('roots a run started through POST /v1/integrations/:id/sync in an integration.sync span the worker continues', { timeout: 60_000 }, async () => {
    const exporter = new InMemorySpanExporter();
    tracing = await startTracing({ otlpEndpoint: null, exporter });
    const t = await startTempPlatform({ adminKey: 'tracing-manual-admin-key-0123456789' });
    cleanups.push(() => t.close());
    const s = t.platform.services;
    const context = { actor: { kind: 'system' as const, keyId: null, tenantId: null }, requestId: null };
    const tenant = await s.tenants.create(context, { name: 'Traced' });
    const key = (await s.apiKeys.create(context, { tenantId: tenant.id, name: 'k' })).plaintext;
    const at = new Date().toISOString();
    await s.store.connections.insert({ id: 'con_traced', tenantId: tenant.id, provider: 'salesforce', name: 'SF', status: 'active', baseUrl: 'https://sf.example.com', account: {}, credentialId: null, createdAt: at, updatedAt: at });
    const headers = { authorization: `Bearer ${key}` };
    const created = await t.app.inject({ method: 'POST', url: '/v1/integrations', headers, payload: { connectionId: 'con_traced', object: 'Contact' } });
    expect(created.statusCode).toBe(201);
    const integrationId = created.json().id as string;

    const started = await t.app.inject({ method: 'POST', url: `/v1/integrations/${integrationId}/sync`, headers, payload: {} });
    expect(started.statusCode).toBe(202);
    const enqueue = exporter.getFinishedSpans().find((span) => span.name === 'integration.sync');
    expect(enqueue?.kind).toBe(SpanKind.PRODUCER);
    expect(enqueue!.attributes).toMatchObject({ 'tributary.integration_id': integrationId, 'tributary.tenant_id': tenant.id, 'tributary.sync.trigger': 'manual' });
    const correlationId = String(enqueue!.attributes['tributary.correlation_id']);
    expect(correlationId).toMatch(/^manual_[0-9a-f]{32}$/);

    // The platform's own queue: its consumers run each job in the trace and log context its enqueue began.
    const seen = new Promise<{ correlationId?: string; trace_id?: string; parent?: string }>((resolve) => {
      const consumer = s.queue.consume<SyncJobPayload>('sync-inbound', async () => {
        resolve({ correlationId: currentLogContext().correlationId, ...activeTraceIds() });
      }, { concurrency: 1 });
      cleanups.push(() => consumer.stop(1000));
    });
    const inside = await seen;
    expect(inside).toEqual({ correlationId, trace_id: enqueue!.spanContext().traceId, span_id: expect.any(String) });
    const job = await waitFor('the job span', () => exporter.getFinishedSpans().find((span) => span.name === 'sync-inbound process') ?? null, 10_000);
    expect(job.parentSpanContext?.spanId).toBe(enqueue!.spanContext().spanId);
  });
});
