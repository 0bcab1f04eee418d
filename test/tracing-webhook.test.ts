/**
 * One webhook, one trace: with tracing on (an in-memory exporter), a GitHub issue edited
 * in the sandbox arrives signed at the intake, is stored and enqueued by the store's own
 * transaction, and the webhook worker's targeted fetch calls GitHub. The spans of the
 * intake, the queued job and the provider HTTP call share one trace id and are linked
 * parent to child through the queue (the job's correlation id is the event id); every
 * log line the worker writes carries the correlation id and the trace id.
 */
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-node';
import { startTracing, tracedQueue, type Tracing } from '../src/observability/index.ts';
import { PROVIDERS } from '../src/providers/index.ts';
import { createLogger } from '../src/runtime/logging/logger.ts';
import { createWebhookEventHandler, WebhookRegistrations } from '../src/webhooks/index.ts';
import { Cleanups, startWebhookIntake, waitFor } from './fixtures/webhooks-sandbox.ts';
import { CONNECTION, INTEGRATION, startWorld, TENANT, type Json, type World } from './sync-fixture.ts';

const cleanups = new Cleanups();
let tracing: Tracing | null = null;
afterEach(async () => {
  await cleanups.run();
  await tracing?.shutdown();
  tracing = null;
});

describe('tracing', () => {
  it('follows one webhook from the intake through the queue to the provider call in one trace', { timeout: 60_000 }, async () => {
    const exporter = new InMemorySpanExporter();
    tracing = await startTracing({ otlpEndpoint: null, exporter });
    const world: World = await startWorld({ provider: 'github', object: 'issues', size: 20 });
    cleanups.push(() => world.close());
    await world.run({ pageSize: 50 });
    const clock = { now: () => Date.now() };
    const { queue, vault, receiver, base } = await startWebhookIntake({ store: world.store, handle: world.handle, clock, cleanups, dirPrefix: 'tributary-tracing-' });
    const registrations = new WebhookRegistrations({ store: world.store, secrets: vault, clock, publicBaseUrl: base, contextFor: () => world.ctx, onChange: (id) => receiver.invalidate(id) });
    const issues = (await world.control('/github/issues?limit=1000')).records as Json[];
    const target = issues.find((i) => !i.pull_request) as Json;
    const repo = /repos\/([^/]+\/[^/]+)/.exec(target.repository_url as string)![1] as string;
    await registrations.register({ tenantId: TENANT, connectionId: CONNECTION, integrationId: INTEGRATION, config: { repo } });

    const lines: string[] = [];
    const logger = createLogger({ level: 'debug', destination: new Writable({ write: (chunk: Buffer, _e, done) => { lines.push(chunk.toString('utf8')); done(); } }) });
    const handler = createWebhookEventHandler({ store: world.store, queue, clock, providerFor: (id) => PROVIDERS[id as keyof typeof PROVIDERS], contextFor: () => world.ctx });
    const consumer = tracedQueue(queue).consume<Parameters<typeof handler>[0]['payload']>('webhook-events', async (job, signal) => {
      logger.info({ step: 'start' }, 'webhook event job');
      await handler(job, signal);
    }, { concurrency: 2 });
    cleanups.push(() => consumer.stop());

    exporter.reset();
    const number = /#(\d+)$/.exec(`${repo}#${target.number}`)![1];
    await world.control(`/github/issues/${encodeURIComponent(`${repo}#${number}`)}`, 'PATCH', { title: 'Traced edit' });
    const spans = await waitFor('the provider call span', () => {
      const finished = exporter.getFinishedSpans();
      const intake = finished.find((s) => s.name === 'webhook.intake' && s.attributes['tributary.webhook.outcome'] === 'accepted');
      if (!intake) return null;
      const traceId = intake.spanContext().traceId;
      const same = finished.filter((s) => s.spanContext().traceId === traceId);
      return same.some((s) => s.kind === SpanKind.CLIENT) && same.some((s) => s.name === 'webhook-events process') ? { intake, same } : null;
    }, 20_000);

    const { intake, same } = spans;
    const job = same.find((s) => s.name === 'webhook-events process')!;
    const call = same.find((s) => s.kind === SpanKind.CLIENT)!;
    expect(job.kind).toBe(SpanKind.CONSUMER);
    expect(job.parentSpanContext?.spanId).toBe(intake.spanContext().spanId);
    expect(job.attributes['tributary.correlation_id']).toBe(intake.attributes['tributary.correlation_id']);
    expect(String(intake.attributes['tributary.correlation_id'])).toMatch(/^evt_/);
    // The provider call happens inside the job (directly or under a nested span of the same trace).
    const byId = new Map(same.map((s) => [s.spanContext().spanId, s]));
    let ancestor = call.parentSpanContext?.spanId;
    while (ancestor !== undefined && ancestor !== job.spanContext().spanId) ancestor = byId.get(ancestor)?.parentSpanContext?.spanId;
    expect(ancestor).toBe(job.spanContext().spanId);
    expect(call.attributes).toMatchObject({ 'tributary.provider': 'github', 'http.request.method': 'GET', 'http.response.status_code': 200 });
    expect(String(call.attributes['url.path'])).toContain('/repos/');

    const line = lines.map((l) => JSON.parse(l) as Json).find((l) => l.msg === 'webhook event job' && l.correlationId === intake.attributes['tributary.correlation_id']);
    expect(line).toMatchObject({ queue: 'webhook-events', trace_id: intake.spanContext().traceId, jobId: expect.any(String) });
  });
});
