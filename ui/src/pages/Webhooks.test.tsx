// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DeadLetter, WebhookDelivery, WebhookRegistration } from '../api/types.ts';
import { SessionContext } from '../session-context.tsx';
import { fakeSession } from '../test-api.ts';
import type { Handler } from '../test-api.ts';
import { button, byLabel, click, render, settle, type } from '../test-dom.ts';
import type { Rendered } from '../test-dom.ts';
import { Webhooks } from './Webhooks.tsx';

function letter(id: string, queue: string, subject: Record<string, string>): DeadLetter {
  return {
    id, jobId: `job_${id}`, queue, tenantId: 'ten_1', subject, attempts: 5, category: 'transient', errorCode: 'PROVIDER_UNAVAILABLE',
    errorMessage: `Salesforce answered 503 for ${id}`, correlationId: null, enqueuedAt: '2026-01-01T00:00:00Z', failedAt: '2026-01-01T00:05:00Z',
  };
}

function delivery(id: string, outcome: string): WebhookDelivery {
  return { id, deliveryId: `d-${id}`, claimedDeliveryId: null, receivedAt: '2026-01-01T00:00:00Z', verified: outcome !== 'rejected_signature', outcome, detail: null };
}

const REGISTRATION: WebhookRegistration = {
  id: 'whk_1', connectionId: 'con_1', integrationId: null, provider: 'github', scheme: 'github', url: 'https://t.example/webhooks/whk_1/events', path: '/webhooks/whk_1/events',
  events: ['issues'], status: 'active', failureCount: 0, providerWebhookId: '42', expiresAt: null, createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z',
  manualSteps: [], verificationToken: null,
};

/** The page's other lists answer empty; `extra` answers the calls under test. */
function session(extra: Handler) {
  return fakeSession((call) => {
    const answer = extra(call);
    if (answer) return answer;
    if (call.method === 'GET' && ['/v1/webhooks', '/v1/connections', '/v1/event-subscriptions', '/v1/dead-letters'].includes(call.path)) return [200, { items: [], nextCursor: null }];
    return undefined;
  });
}

let view: Rendered | undefined;
afterEach(() => {
  view?.unmount();
  view = undefined;
  vi.unstubAllGlobals();
});

async function show(value: ReturnType<typeof session>['session']): Promise<HTMLElement> {
  view = await render(
    <SessionContext.Provider value={value}>
      <Webhooks />
    </SessionContext.Provider>,
  );
  await settle();
  return view.container;
}

function deadLetterRows(container: HTMLElement): string[] {
  const table = [...container.querySelectorAll('table')].find((candidate) => candidate.querySelector('caption')?.textContent === 'Dead letters');
  return [...(table?.querySelectorAll('tbody tr') ?? [])].map((row) => row.textContent ?? '');
}

describe('the webhooks page: dead letters', () => {
  it('lists dead letters with their queue, subject, error and attempts, filters by queue and pages on', async () => {
    const first = letter('dlq_1', 'sync-inbound', { integrationId: 'int_1', connectionId: 'con_1' });
    const second = letter('dlq_2', 'webhook-events', { registrationId: 'whk_1', eventId: 'evt_9' });
    const { session: s, calls } = session((call) => {
      if (call.path !== '/v1/dead-letters') return undefined;
      if (call.query.get('queue') === 'webhook-events') return [200, { items: [second], nextCursor: null }];
      return call.query.get('cursor') === 'c2' ? [200, { items: [second], nextCursor: null }] : [200, { items: [first], nextCursor: 'c2' }];
    });
    const container = await show(s);
    const rows = deadLetterRows(container);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toContain('sync-inbound');
    expect(rows[0]).toContain('integrationId int_1, connectionId con_1');
    expect(rows[0]).toContain('PROVIDER_UNAVAILABLE');
    expect(rows[0]).toContain('Salesforce answered 503 for dlq_1');
    expect(rows[0]).toContain('5');

    await click(button(container, 'Load more'));
    await settle();
    expect(deadLetterRows(container)).toHaveLength(2);
    expect(calls.at(-1)?.query.get('cursor')).toBe('c2');

    await type(byLabel<HTMLSelectElement>(container, 'Queue'), 'webhook-events');
    await settle();
    const filtered = deadLetterRows(container);
    expect(filtered).toHaveLength(1);
    expect(filtered[0]).toContain('registrationId whk_1, eventId evt_9');
    expect(calls.at(-1)?.query.get('queue')).toBe('webhook-events');
  });

  it('replays a dead letter, and discards one only once confirmed', async () => {
    let letters = [letter('dlq_1', 'sync-inbound', { integrationId: 'int_1' }), letter('dlq_2', 'notifications', {})];
    const { session: s, calls } = session((call) => {
      if (call.method === 'GET' && call.path === '/v1/dead-letters') return [200, { items: letters, nextCursor: null }];
      if (call.method === 'POST' && call.path === '/v1/dead-letters/dlq_1/replay') {
        letters = letters.filter((item) => item.id !== 'dlq_1');
        return [200, { jobId: 'job_new' }];
      }
      if (call.method === 'DELETE' && call.path === '/v1/dead-letters/dlq_2') {
        letters = letters.filter((item) => item.id !== 'dlq_2');
        return [204, null];
      }
      return undefined;
    });
    const container = await show(s);
    await click(button(container, 'Replay dead letter dlq_1'));
    await settle();
    expect(container.textContent).toContain('Job put back on sync-inbound as job_new.');
    expect(deadLetterRows(container)).toHaveLength(1);

    // happy-dom has no dialogs: the user's answers, declined then accepted.
    const confirm = vi.fn().mockReturnValueOnce(false).mockReturnValueOnce(true);
    vi.stubGlobal('confirm', confirm);
    await click(button(container, 'Discard dead letter dlq_2'));
    await settle();
    expect(calls.some((call) => call.method === 'DELETE')).toBe(false);
    expect(deadLetterRows(container)).toHaveLength(1);
    await click(button(container, 'Discard dead letter dlq_2'));
    await settle();
    expect(confirm).toHaveBeenCalledTimes(2);
    expect(calls.filter((call) => call.method === 'DELETE').map((call) => call.path)).toEqual(['/v1/dead-letters/dlq_2']);
    expect(container.textContent).toContain('Dead letter dlq_2 discarded.');
    expect(container.textContent).toContain('No failed job');
  });

  it('shows why a replay was refused', async () => {
    const { session: s } = session((call) => {
      if (call.method === 'GET' && call.path === '/v1/dead-letters') return [200, { items: [letter('dlq_1', 'sync-inbound', {})], nextCursor: null }];
      if (call.method === 'POST' && call.path === '/v1/dead-letters/dlq_1/replay') return [404, { error: { code: 'NOT_FOUND', message: 'No dead letter dlq_1' } }];
      return undefined;
    });
    const container = await show(s);
    await click(button(container, 'Replay dead letter dlq_1'));
    await settle();
    expect(container.querySelector('[role="alert"]')?.textContent).toBe('NOT_FOUND: No dead letter dlq_1');
  });
});

describe('the webhooks page: replaying a provider delivery', () => {
  it('offers Replay on deliveries that stored an event, reports the queued job, and shows a 409 as the server words it', async () => {
    const deliveries = [delivery('wdl_1', 'accepted'), delivery('wdl_2', 'rejected_signature'), delivery('wdl_3', 'duplicate'), delivery('wdl_4', 'accepted')];
    const { session: s, calls } = session((call) => {
      if (call.method === 'GET' && call.path === '/v1/webhooks') return [200, { items: [REGISTRATION], nextCursor: null }];
      if (call.method === 'GET' && call.path === '/v1/webhooks/whk_1') return [200, { ...REGISTRATION, recentDeliveries: deliveries }];
      if (call.method === 'POST' && call.path === '/v1/webhooks/whk_1/deliveries/wdl_1/replay') return [202, { id: 'wdl_1', eventId: 'evt_1', jobId: 'job_7', deduplicated: false }];
      if (call.method === 'POST' && call.path === '/v1/webhooks/whk_1/deliveries/wdl_4/replay') {
        return [409, { error: { code: 'CONFLICT', message: 'This delivery stored no event (rejected, a duplicate or a handshake): replay the accepted one', field: 'params.deliveryId' } }];
      }
      return undefined;
    });
    const container = await show(s);
    await click(button(container, 'Deliveries of github webhook whk_1'));
    await settle();
    expect(button(container, 'Replay delivery wdl_1')).toBeDefined();
    expect(() => button(container, 'Replay delivery wdl_2')).toThrow();
    expect(() => button(container, 'Replay delivery wdl_3')).toThrow();

    await click(button(container, 'Replay delivery wdl_1'));
    await settle();
    expect(calls.filter((call) => call.method === 'POST').map((call) => call.path)).toEqual(['/v1/webhooks/whk_1/deliveries/wdl_1/replay']);
    expect(container.textContent).toContain('Event evt_1 queued again (job job_7).');

    await click(button(container, 'Replay delivery wdl_4'));
    await settle();
    const alert = [...container.querySelectorAll('[role="alert"]')].map((node) => node.textContent);
    expect(alert).toContain('CONFLICT: This delivery stored no event (rejected, a duplicate or a handshake): replay the accepted one');
    expect(container.textContent).not.toContain('Event evt_1 queued again');
  });
});
