// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import type { Conflict } from '../api/types.ts';
import { fakeSession, renderWithSession } from '../test-api.ts';
import { button, byAria, check, click, settle, type } from '../test-dom.ts';
import type { Rendered } from '../test-dom.ts';
import { Conflicts, decisionBody, parseEdited } from './Conflicts.tsx';

function conflict(id: string, fields: Conflict['fields']): Conflict {
  return {
    id, status: 'open', entityId: 'ent_1', integrationId: 'int_1', provider: 'salesforce', connectionId: 'con_1', object: 'Contact', externalId: `003${id.slice(-1)}`,
    remoteVersion: null, runId: 'run_1', fields, resolution: null, createdAt: '2026-01-01T00:00:00Z', resolvedAt: null,
  };
}
const pending = { decision: 'pending' as const, strategy: 'manual', reason: 'changed on both sides' };
const FIRST = conflict('cfl_1', [
  { field: 'title', base: 'Engineer', local: 'CTO', remote: 'VP Engineering', ...pending },
  { field: 'phone', base: '+1 555 0100', local: '+1 555 0101', remote: '+1 555 0102', ...pending },
  { field: 'seats', base: 5, local: 6, remote: 7, ...pending },
]);
const SECOND = conflict('cfl_2', [{ field: 'title', base: 'A', local: 'B', remote: 'C', ...pending }]);

let view: Rendered | undefined;
afterEach(() => {
  view?.unmount();
  view = undefined;
});

function setup() {
  let open = [FIRST, SECOND];
  const { session, calls } = fakeSession((call) => {
    if (call.method === 'GET' && call.path === '/v1/conflicts') return [200, { items: call.query.get('status') === 'open' ? open : [], nextCursor: null }];
    if (call.method === 'POST' && call.path === '/v1/conflicts/resolve') {
      const ids = (call.body as { ids: string[] }).ids;
      open = open.filter((item) => !ids.includes(item.id));
      return [200, { results: ids.map((id) => ({ id, status: 'resolved' })) }];
    }
    if (call.method === 'POST' && call.path === '/v1/conflicts/cfl_1') {
      open = open.filter((item) => item.id !== 'cfl_1');
      return [200, { ...FIRST, status: 'resolved' }];
    }
    return undefined;
  });
  return { session, calls };
}

describe('the conflicts page', () => {
  it('shows the values side by side and sends the choice made for each field, an edited value included', async () => {
    const { session, calls } = setup();
    view = await renderWithSession(session, <Conflicts />);
    await settle();
    const { container } = view;
    await click(button(container, 'Review conflict on 0031'));
    const detail = container.querySelector('form.panel')!;
    expect(detail.textContent).toContain('Engineer');
    expect(detail.textContent).toContain('CTO');
    expect(detail.textContent).toContain('VP Engineering');

    // title: the provider's; phone: Tributary's (the default); seats: another value typed in.
    const radios = (field: string) => [...detail.querySelectorAll<HTMLInputElement>(`input[type=radio][name="choice-cfl_1-${field}"]`)];
    await check(radios('title')[1]!);
    await check(radios('seats')[2]!);
    await type(byAria(container, 'New value for seats'), '10');
    await click(button(container, 'Resolve conflict'));
    await settle();

    const sent = calls.find((call) => call.method === 'POST' && call.path === '/v1/conflicts/cfl_1');
    expect(sent?.body).toEqual({ resolution: 'value', fields: { title: 'remote', phone: 'local', seats: { value: 10 } } });
    expect(container.textContent).toContain('Conflict cfl_1 resolved.');
    // The list is read again: the decided conflict is gone.
    expect(container.textContent).not.toContain('0031');
    expect(container.textContent).toContain('0032');
  });

  it('decides the ticked conflicts in bulk', async () => {
    const { session, calls } = setup();
    view = await renderWithSession(session, <Conflicts />);
    await settle();
    const { container } = view;
    const bulkButton = button(container, 'Keep provider’s values');
    expect(bulkButton.disabled).toBe(true);
    await check(byAria(container, 'Select all: Conflicts (open)'));
    expect(container.textContent).toContain('2 selected');
    await check(byAria(container, 'Select conflict cfl_1'));
    expect(container.textContent).toContain('1 selected');
    await click(bulkButton);
    await settle();
    expect(calls.find((call) => call.path === '/v1/conflicts/resolve')?.body).toEqual({ ids: ['cfl_2'], resolution: 'remote' });
    expect(container.textContent).toContain('1 of 1 conflicts resolved.');
    expect(container.textContent).not.toContain('0032');
  });

  it('keeps typed text as text for text fields and reads JSON for the others', () => {
    expect(parseEdited('10', { local: 'a', remote: 'b' })).toBe('10');
    expect(parseEdited('10', { local: 6, remote: 7 })).toBe(10);
    expect(parseEdited('null', { local: 6, remote: null })).toBeNull();
    expect(parseEdited('not json', { local: 6, remote: 7 })).toBe('not json');
    expect(decisionBody(SECOND.fields, {})).toEqual({ resolution: 'value', fields: { title: 'local' } });
  });
});
