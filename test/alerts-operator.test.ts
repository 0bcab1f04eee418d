/**
 * Operator alerts end to end: the alert monitor over a real PrometheusMetrics registry
 * fires when the error rate crosses 1 %, the transition travels the notifications queue,
 * the notifier delivers an Adaptive Card to the operator's Teams workflow (the sandbox's
 * simulator), and the resolution follows once the rate is back under; a flap inside the
 * fold window is not sent. The workflow URL never reaches a log line.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox } from '../sandbox/index.ts';
import { operatorAlertSender } from '../src/notifications/index.ts';
import { PrometheusMetrics, startAlertMonitor, type AlertMonitor } from '../src/observability/index.ts';
import { startNotificationWorld, waitFor, type Json, type NotificationWorld } from './notifications-fixture.ts';

let world: NotificationWorld | null = null;
let operatorSandbox: { url: string; close(): Promise<void> } | null = null;
let monitor: AlertMonitor | null = null;
afterEach(async () => {
  await monitor?.stop();
  await world?.close();
  await operatorSandbox?.close();
  monitor = world = operatorSandbox = null;
});

const fail = (metrics: PrometheusMetrics, n: number, outcome: 'success' | 'failure') => {
  for (let i = 0; i < n; i++) metrics.invocation({ role: 'inbound-worker', fn: 'sync-inbound', outcome, durationMs: 5 });
};

describe('operator alerts', () => {
  it('fire once to the operator Teams channel when the error rate passes 1 %, resolve once, and fold a flap', async () => {
    operatorSandbox = await startSandbox({ port: 0, size: 5 });
    const workflow = (await (await fetch(`${operatorSandbox.url}/_sandbox/teams/workflows`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"ops"}' })).json()) as Json;
    world = await startNotificationWorld({ operatorChannel: { kind: 'teams_workflow', url: workflow.url } });
    const metrics = new PrometheusMetrics({ defaultMetrics: false });
    const clock = world.clock;
    monitor = startAlertMonitor({
      source: () => metrics.values(), clock, logger: world.notifications.options.logger,
      send: operatorAlertSender(world.notifications.options, 'worker-1:42'), intervalMs: 3_600_000, foldWindowMs: 600_000,
    });
    await monitor.evaluateNow();
    const posts = async (): Promise<Json[]> => ((await (await fetch(`${operatorSandbox!.url}/_sandbox/teams/workflows/${workflow.id}`)).json()) as Json).posts;

    fail(metrics, 97, 'success');
    fail(metrics, 3, 'failure');
    clock.advance(60_000);
    expect((await monitor.evaluateNow()).map((t) => [t.name, t.state])).toEqual([['error_rate', 'firing']]);
    // Still breaching: nothing new.
    fail(metrics, 50, 'failure');
    clock.advance(60_000);
    expect(await monitor.evaluateNow()).toEqual([]);
    fail(metrics, 200, 'success');
    clock.advance(60_000);
    expect((await monitor.evaluateNow()).map((t) => t.state)).toEqual(['resolved']);
    await waitFor('two operator cards', async () => (await posts()).length === 2);
    // Delivered by two concurrent notifier slots: in either order.
    const cards = (await posts()).map((p) => JSON.stringify(p.body));
    const fired = cards.find((c) => c.includes('🚨'))!;
    const resolved = cards.find((c) => c.includes('✅'))!;
    expect(fired).toContain('Error rate above 1.0 %');
    expect(fired).toContain('3.0 %');
    expect(fired).toContain('worker-1:42');
    expect(resolved).toContain('Error rate back under 1.0 %');

    // A new breach two minutes later is inside the fold window: not sent.
    fail(metrics, 30, 'failure');
    clock.advance(60_000);
    expect(await monitor.evaluateNow()).toEqual([]);
    expect(world.logs.join('\n')).not.toContain(new URL(workflow.url).pathname);
  });

  it('without an operator channel, alerts are only logged', async () => {
    world = await startNotificationWorld();
    const metrics = new PrometheusMetrics({ defaultMetrics: false });
    monitor = startAlertMonitor({ source: () => metrics.values(), clock: world.clock, logger: world.notifications.options.logger, send: operatorAlertSender(world.notifications.options, 'p:1'), intervalMs: 3_600_000 });
    await monitor.evaluateNow();
    fail(metrics, 40, 'failure');
    world.clock.advance(60_000);
    expect((await monitor.evaluateNow()).map((t) => t.state)).toEqual(['firing']);
    expect((await world.queue.stats()).find((q) => q.queue === 'notifications')).toMatchObject({ ready: 0, delayed: 0 });
    expect(world.logs.some((line) => line.includes('"alert":"error_rate"') && line.includes('operator alert'))).toBe(true);
  });
});
