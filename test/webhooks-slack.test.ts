/**
 * Slack Events API end to end with the sandbox: the manual registration's request URL is
 * given to the sandbox's event subscription (its signed url_verification is answered with
 * the challenge), a user edited in the workspace fires `user_change`, signed v0, which is
 * verified, stored, enqueued, and turned by the worker into a targeted fetch of that user
 * applied to the entity store.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createSlackSimulator } from '../sandbox/slack/index.ts';
import { defaultMapping } from '../src/mapping/index.ts';
import { slackProvider } from '../src/providers/slack/index.ts';
import { createWebhookEventHandler, WebhookRegistrations } from '../src/webhooks/index.ts';
import { Cleanups, startSandboxPlatform, waitFor } from './fixtures/webhooks-sandbox.ts';

const cleanups = new Cleanups();
afterEach(() => cleanups.run());

describe('Slack events with the sandbox', () => {
  it('answers url_verification and turns a user_change into a targeted entity update', { timeout: 60_000 }, async () => {
    const { control, handle, store, clock, queue, vault, receiver, base, ctx } = await startSandboxPlatform({
      simulator: createSlackSimulator(), provider: slackProvider, size: 20, seed: 3, path: 'slack/api', tenantId: 'ten_slack', connectionId: 'con_slack',
      integration: { id: 'int_slack', object: 'users', mapping: defaultMapping('slack', 'users') as unknown as Record<string, unknown> }, cleanups, dirPrefix: 'tributary-webhooks-slack-',
    });
    const signingSecret = 'slack-app-signing-secret-0123456789';
    const registrations = new WebhookRegistrations({ store, secrets: vault, clock, publicBaseUrl: base, contextFor: () => ctx, onChange: (id) => receiver.invalidate(id) });
    const registration = await registrations.register({ tenantId: 'ten_slack', connectionId: 'con_slack', config: { signingSecret } });
    expect(registration.manualSteps.join(' ')).toContain(registration.url);

    // The manual step, done by the sandbox: Slack verifies the URL before accepting it.
    const subscribed = await control('/slack/event-subscriptions', 'POST', { url: registration.url, signingSecret });
    expect(JSON.stringify(subscribed)).not.toMatch(/error|refused/i);
    expect((await registrations.verify('ten_slack', registration.id)).ok).toBe(true);

    const consumer = queue.consume('webhook-events', createWebhookEventHandler({ store, queue, clock, providerFor: () => slackProvider, contextFor: () => ctx }), { concurrency: 2 });
    cleanups.push(() => consumer.stop());
    const users = (await control('/slack/users')).records as { id: string; is_bot?: boolean }[];
    const user = users.find((u) => !u.is_bot) ?? users[0]!;
    await control(`/slack/users/${user.id}`, 'PATCH', { real_name: 'Renamed In Slack' });

    const entity = await waitFor('the entity of the edited user', () => {
      const row = handle.db.prepare("SELECT e.fields FROM entity_links l JOIN entities e ON e.id = l.entity_id WHERE l.external_id = ? OR l.record_id = ?").get(user.id, user.id) as { fields: string } | undefined;
      return row && (JSON.parse(row.fields) as { name?: string }).name === 'Renamed In Slack' ? row : null;
    });
    expect(entity).toBeTruthy();
    const events = handle.db.prepare('SELECT event_type, status FROM webhook_events').all() as { event_type: string; status: string }[];
    expect(events.map((e) => e.event_type)).toContain('event_callback:user_change');
    await waitFor('processed', () => (handle.db.prepare("SELECT count(*) AS n FROM webhook_events WHERE status != 'processed'").get() as { n: number }).n === 0);
  });
});
