// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import type { Connection, Integration } from '../api/types.ts';
import { fakeSession, renderWithSession } from '../test-api.ts';
import { button, byLabel, click, settle, type } from '../test-dom.ts';
import type { Rendered } from '../test-dom.ts';
import { IntegrationForm } from './IntegrationForm.tsx';

const INTEGRATION: Integration = {
  id: 'int_1', tenantId: 'ten_1', connectionId: 'con_1', object: 'Contact', direction: 'bidirectional', mappingVersion: 1,
  schedule: { intervalMs: 900_000 }, priority: 'normal', enabled: true, cursorUpdatedAt: null, createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z',
  // A priority-list rule the form does not edit must survive a save.
  conflictStrategy: { strategy: 'last_write_wins', lastWriteWins: { toleranceMs: 1000 }, fields: { phone: { strategy: 'custom', priority: ['salesforce', 'tributary'] }, title: 'manual' } },
  fieldOwnership: { tier: 'internal' },
  dedupRules: { person: { entityType: 'person', fields: [{ field: 'email', kind: 'email' }], thresholds: { match: 0.95, review: 0.6 } } },
};

const SALESFORCE: Connection = {
  id: 'con_sf', tenantId: 'ten_1', provider: 'salesforce', name: 'Sales org', status: 'active', baseUrl: 'https://sf.example', account: null, objects: ['Account', 'Contact', 'Opportunity'], credential: null,
};

let view: Rendered | undefined;
afterEach(() => {
  view?.unmount();
  view = undefined;
});

describe('the integration settings form', () => {
  it('sends the strategy, per-field rules, field owners and dedup thresholds, keeping what it does not edit', async () => {
    const saved: Integration[] = [];
    const { session, calls } = fakeSession((call) => (call.method === 'PATCH' ? [200, { ...INTEGRATION, ...(call.body as object) }] : undefined));
    view = await renderWithSession(session, <IntegrationForm base="/v1" integration={INTEGRATION} connections={[]} onSaved={(integration) => saved.push(integration)} onCancel={() => undefined} />);
    const { container } = view;
    expect(byLabel<HTMLSelectElement>(container, 'Per-field strategy: rule 1').value).toBe('manual');
    expect(byLabel(container, 'person link at').value).toBe('0.95');
    expect(byLabel(container, 'organization link at').disabled).toBe(true);

    await type(byLabel<HTMLSelectElement>(container, 'Conflict strategy'), 'source_wins');
    await click(button(container, 'Add field owner'));
    await type(byLabel(container, 'Field owner: field 2'), 'email');
    await type(byLabel<HTMLSelectElement>(container, 'Field owner: rule 2'), 'external');
    await type(byLabel(container, 'person review from'), '0.7');
    await type(byLabel<HTMLSelectElement>(container, 'Schedule'), 'cron');
    await type(byLabel(container, 'Cron'), '0 * * * *');
    await click(button(container, 'Save settings'));
    await settle();

    const patch = calls.find((call) => call.method === 'PATCH');
    expect(patch?.path).toBe('/v1/integrations/int_1');
    expect(patch?.body).toEqual({
      direction: 'bidirectional',
      priority: 'normal',
      enabled: true,
      schedule: { cron: '0 * * * *' },
      conflictStrategy: { strategy: 'source_wins', lastWriteWins: { toleranceMs: 1000 }, fields: { phone: { strategy: 'custom', priority: ['salesforce', 'tributary'] }, title: 'manual' } },
      fieldOwnership: { tier: 'internal', email: 'external' },
      dedupRules: { person: { entityType: 'person', fields: [{ field: 'email', kind: 'email' }], thresholds: { match: 0.95, review: 0.7 } } },
    });
    expect(saved).toHaveLength(1);
  });

  it("shows the API's refusal and sends nothing while the dedup JSON does not parse", async () => {
    const { session, calls } = fakeSession((call) =>
      call.method === 'PATCH' ? [400, { error: { code: 'VALIDATION_FAILED', message: 'fieldOwnership.tier: expected "internal" or "external"', field: 'body.fieldOwnership.tier' } }] : undefined,
    );
    view = await renderWithSession(session, <IntegrationForm base="/v1" integration={INTEGRATION} connections={[]} onSaved={() => undefined} onCancel={() => undefined} />);
    const { container } = view;
    const json = container.querySelector<HTMLTextAreaElement>('#dedup-rules')!;
    await type(json, '{ not json');
    await click(button(container, 'Save settings'));
    await settle();
    expect(calls.filter((call) => call.method === 'PATCH')).toHaveLength(0);
    expect(json.getAttribute('aria-invalid')).toBe('true');
    expect(container.textContent).toContain('Dedup rules must be a JSON object.');

    await type(json, '{}');
    await click(button(container, 'Save settings'));
    await settle();
    expect(calls.filter((call) => call.method === 'PATCH')).toHaveLength(1);
    expect(container.querySelector('[role=alert]')?.textContent).toContain('fieldOwnership.tier');
  });

  it("creates an integration on a connection's object with its own schedule, priority and strategy", async () => {
    const saved: Integration[] = [];
    const { session, calls } = fakeSession((call) => (call.method === 'POST' ? [201, { ...INTEGRATION, id: 'int_2', ...(call.body as object) }] : undefined));
    view = await renderWithSession(session, <IntegrationForm base="/v1" integration={null} connections={[SALESFORCE]} onSaved={(integration) => saved.push(integration)} onCancel={() => undefined} />);
    const { container } = view;
    expect(container.querySelector('h2')?.textContent).toBe('New integration');
    await type(byLabel<HTMLSelectElement>(container, 'Connection'), 'con_sf');
    // The connection's objects are offered for the object field.
    expect([...container.querySelectorAll('#integration-objects option')].map((option) => option.getAttribute('value'))).toEqual(['Account', 'Contact', 'Opportunity']);
    await type(byLabel(container, 'Object'), 'Opportunity');
    await type(byLabel<HTMLSelectElement>(container, 'Priority'), 'high');
    await type(byLabel<HTMLSelectElement>(container, 'Schedule'), 'interval');
    await type(byLabel(container, 'Minutes between runs'), '30');
    await type(byLabel<HTMLSelectElement>(container, 'Conflict strategy'), 'source_wins');
    await click(button(container, 'Create integration'));
    await settle();

    const post = calls.find((call) => call.method === 'POST');
    expect(post?.path).toBe('/v1/integrations');
    expect(post?.body).toEqual({
      connectionId: 'con_sf',
      object: 'Opportunity',
      direction: 'pull',
      priority: 'high',
      enabled: true,
      schedule: { intervalMs: 1_800_000 },
      conflictStrategy: { strategy: 'source_wins' },
      fieldOwnership: {},
      dedupRules: {},
    });
    expect(saved.map((integration) => integration.id)).toEqual(['int_2']);
  });
});
