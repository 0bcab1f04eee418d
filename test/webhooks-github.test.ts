/**
 * GitHub webhooks end to end with the sandbox: registration creates a repository hook
 * through the API (its ping verifies), verify pings again, an issue edited in the sandbox
 * arrives signed at the intake, is stored and enqueued, and the worker's targeted fetch
 * changes the entity with no full sync; a deletion tombstones it; unregister deletes the
 * hook at GitHub.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { PROVIDERS } from '../src/providers/index.ts';
import { createWebhookEventHandler, WebhookRegistrations } from '../src/webhooks/index.ts';
import { Cleanups, startWebhookIntake, waitFor } from './fixtures/webhooks-sandbox.ts';
import { CONNECTION, INTEGRATION, linkedEntities, startWorld, TENANT, type Json, type World } from './sync-fixture.ts';

const cleanups = new Cleanups();
afterEach(() => cleanups.run());

const issueId = (issue: Json): string => `${/repos\/([^/]+\/[^/]+)/.exec(issue.repository_url as string)![1]}#${issue.number}`;

describe('GitHub webhooks with the sandbox', () => {
  it('registers a hook, verifies it, and turns an edit and a deletion into targeted entity changes', { timeout: 60_000 }, async () => {
    const world: World = await startWorld({ provider: 'github', object: 'issues', size: 30 });
    cleanups.push(() => world.close());
    await world.run({ pageSize: 50 });
    const clock = { now: () => Date.now() };
    const { queue, vault, receiver, base } = await startWebhookIntake({ store: world.store, handle: world.handle, clock, cleanups, dirPrefix: 'tributary-webhooks-gh-' });
    const registrations = new WebhookRegistrations({ store: world.store, secrets: vault, clock, publicBaseUrl: base, contextFor: () => world.ctx, onChange: (id) => receiver.invalidate(id) });

    const issues = (await world.control('/github/issues?limit=1000')).records as Json[];
    const target = issues.find((i) => !i.pull_request) as Json;
    const repo = /repos\/([^/]+\/[^/]+)/.exec(target.repository_url as string)![1] as string;
    const registration = await registrations.register({ tenantId: TENANT, connectionId: CONNECTION, integrationId: INTEGRATION, config: { repo } });
    expect(registration.url).toBe(`${base}/webhooks/${registration.id}/events`);
    expect(JSON.stringify(registration)).not.toMatch(/secret/i);
    // GitHub pinged the new hook; the ping verified with the generated secret.
    await waitFor('the ping', async () => (await registrations.get(TENANT, registration.id)).recentDeliveries?.some((d) => d.verified && d.outcome === 'accepted'));
    const verified = await registrations.verify(TENANT, registration.id);
    expect(verified).toMatchObject({ ok: true });

    const consumer = queue.consume('webhook-events', createWebhookEventHandler({ store: world.store, queue, clock, providerFor: (id) => PROVIDERS[id as keyof typeof PROVIDERS], contextFor: () => world.ctx }), { concurrency: 4 });
    cleanups.push(() => consumer.stop());
    const cursorBefore = (await world.integration()).cursor;

    await world.control(`/github/issues/${encodeURIComponent(issueId(target))}`, 'PATCH', { title: 'Edited at GitHub, seen by webhook' });
    const entity = await waitFor('the edited entity', () => {
      const linked = linkedEntities(world, 'issue').get(issueId(target));
      return linked?.fields.title === 'Edited at GitHub, seen by webhook' ? linked : null;
    });
    expect(entity.tombstonedAt).toBeNull();
    // No full sync: the change came from a webhook run; the pull cursor did not move.
    expect(world.sql<{ type: string }>("SELECT type FROM sync_runs WHERE type = 'webhook'").length).toBeGreaterThan(0);
    expect((await world.integration()).cursor).toEqual(cursorBefore);
    const events = world.sql<{ status: string }>('SELECT status FROM webhook_events WHERE registration_id = ?', registration.id);
    await waitFor('events processed', () => world.sql<{ n: number }>("SELECT count(*) AS n FROM webhook_events WHERE status != 'processed'")[0]?.n === 0);
    expect(events.length).toBeGreaterThan(0);

    await world.control(`/github/issues/${encodeURIComponent(issueId(target))}`, 'DELETE');
    await waitFor('the tombstone', () => linkedEntities(world, 'issue').get(issueId(target))?.tombstonedAt);

    await registrations.unregister(TENANT, registration.id);
    const hooks = (await world.ctx.http.request({ method: 'GET', path: `repos/${repo}/hooks`, operation: 'read' })).body as Json[];
    expect(hooks).toEqual([]);
  });
});
