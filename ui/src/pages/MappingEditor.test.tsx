// @vitest-environment happy-dom
import { act } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import type { MappingDocument } from '../api/types.ts';
import { fakeSession, renderWithSession } from '../test-api.ts';
import type { Call } from '../test-api.ts';
import { button, byAria, click, settle, type } from '../test-dom.ts';
import type { Rendered } from '../test-dom.ts';
import { MappingEditor, fieldAt, sourcePaths, transformNames, withField } from './MappingEditor.tsx';

const SAVED: MappingDocument = {
  format: 1,
  version: 2,
  source: { provider: 'salesforce', object: 'Contact' },
  targets: [
    {
      entityType: 'person',
      fields: [
        { source: 'Email', target: 'email', transforms: [{ name: 'lowercase' }] },
        { source: 'LastName', target: 'familyName', required: true },
      ],
    },
  ],
};

/** The fake preview maps each field of the body's mapping to a value naming its source, or an error when told to. */
function previewOf(mapping: MappingDocument) {
  return {
    mappingVersion: null,
    records: [
      {
        externalId: '003A',
        failed: false,
        fields: mapping.targets[0]!.fields.map((field) => ({ field: `person.${field.target}`, externalId: '003A', value: `value of ${field.source ?? '?'}` })),
        relationships: [],
        errors: [],
      },
    ],
    missing: [],
  };
}

async function wait(ms: number): Promise<void> {
  for (let spent = 0; spent < ms; spent += 20) await act(() => new Promise<void>((resolve) => setTimeout(resolve, 20)));
}

let view: Rendered | undefined;
afterEach(() => {
  view?.unmount();
  view = undefined;
});

function setup(overrides: (call: Call) => [number, unknown] | undefined = () => undefined) {
  return fakeSession((call) => {
    const custom = overrides(call);
    if (custom) return custom;
    if (call.method === 'GET' && call.path === '/v1/integrations/int_1/mapping') return [200, { mapping: SAVED, version: 2 }];
    if (call.method === 'POST' && call.path === '/v1/integrations/int_1/mapping/preview') return [200, previewOf((call.body as { mapping: MappingDocument }).mapping)];
    if (call.method === 'PUT' && call.path === '/v1/integrations/int_1/mapping') return [200, { mapping: { ...(call.body as { mapping: MappingDocument }).mapping, version: 3 }, version: 3 }];
    return undefined;
  });
}

describe('the mapping editor', () => {
  it('shows source, transforms and target of each field and previews the saved mapping on live records', async () => {
    const { session, calls } = setup();
    view = await renderWithSession(session, <MappingEditor base="/v1" integrationId="int_1" previewDelayMs={10} />);
    await wait(100);
    const { container } = view;
    expect(byAria(container, 'Source of email').value).toBe('Email');
    expect(byAria(container, 'Transform email step 1').value).toBe('lowercase');
    expect(byAria(container, 'Target field familyName').value).toBe('familyName');
    expect(byAria(container, 'familyName is required').checked).toBe(true);
    const previews = calls.filter((call) => call.path.endsWith('/mapping/preview'));
    expect(previews).toHaveLength(1);
    expect((previews[0]!.body as { mapping: MappingDocument }).mapping.targets[0]!.fields).toEqual(SAVED.targets[0]!.fields);
    expect(container.textContent).toContain('value of Email');
    expect(container.textContent).toContain('version 2');
  });

  it('previews each edit live, points a server error at its row, and saves the edited document', async () => {
    const { session, calls } = setup((call) => {
      const mapping = (call.body as { mapping?: MappingDocument } | undefined)?.mapping;
      const unknown = mapping?.targets[0]?.fields[1]?.transforms?.some((step) => step.name === 'nosuch');
      if (call.path.endsWith('/mapping/preview') && unknown) {
        return [400, { error: { code: 'VALIDATION_FAILED', message: 'Unknown transform "nosuch"', field: 'body.mapping/targets/0/fields/1/transforms/0/name' } }];
      }
      return undefined;
    });
    view = await renderWithSession(session, <MappingEditor base="/v1" integrationId="int_1" previewDelayMs={10} />);
    await wait(100);
    const { container } = view;

    await type(byAria(container, 'Source of email'), 'PersonalEmail');
    await wait(100);
    const last = () => (calls.filter((call) => call.path.endsWith('/mapping/preview')).at(-1)!.body as { mapping: MappingDocument }).mapping;
    expect(last().targets[0]!.fields[0]!.source).toBe('PersonalEmail');
    expect(container.textContent).toContain('value of PersonalEmail');

    // A transform with arguments on the second field.
    await click(button(container, 'Add transform to familyName'));
    await type(byAria(container, 'Transform familyName step 1'), 'nosuch');
    await wait(100);
    const row = byAria(container, 'Source of familyName').closest('tr')!;
    expect(row.textContent).toContain('Unknown transform "nosuch"');
    expect(byAria(container, 'Source of familyName').getAttribute('aria-invalid')).toBe('true');

    await type(byAria(container, 'Transform familyName step 1'), 'truncate');
    await type(byAria(container, 'Arguments of familyName step 1'), '[40]');
    await wait(100);
    expect(last().targets[0]!.fields[1]!.transforms).toEqual([{ name: 'truncate', args: [40] }]);
    expect(row.textContent).not.toContain('Unknown transform');

    // A new field, then save.
    await click(button(container, 'Add field to person'));
    await type(byAria(container, 'Source of new field'), 'Title');
    await type(byAria(container, 'Target field new field'), 'jobTitle');
    await click(button(container, 'Save mapping'));
    await settle();
    const put = calls.find((call) => call.method === 'PUT')!;
    expect((put.body as { mapping: MappingDocument }).mapping.targets[0]!.fields).toEqual([
      { source: 'PersonalEmail', target: 'email', transforms: [{ name: 'lowercase' }] },
      { source: 'LastName', target: 'familyName', required: true, transforms: [{ name: 'truncate', args: [40] }] },
      { source: 'Title', target: 'jobTitle' },
    ]);
    expect(container.textContent).toContain('Mapping saved as version 3.');
    expect(button(container, 'Save mapping').disabled).toBe(true);
  });

  it('refuses arguments that are not a JSON array without sending them', async () => {
    const { session, calls } = setup();
    view = await renderWithSession(session, <MappingEditor base="/v1" integrationId="int_1" previewDelayMs={10} />);
    await wait(100);
    const { container } = view;
    const args = byAria(container, 'Arguments of email step 1');
    await type(args, '{"not": "an array"}');
    await wait(100);
    expect(args.getAttribute('aria-invalid')).toBe('true');
    expect(container.textContent).toContain('Arguments are a JSON array');
    const sent = calls.filter((call) => call.path.endsWith('/mapping/preview')).map((call) => (call.body as { mapping: MappingDocument }).mapping.targets[0]!.fields[0]!.transforms);
    expect(sent.every((steps) => JSON.stringify(steps) === '[{"name":"lowercase"}]')).toBe(true);
  });

  it("suggests the platform's transforms by name, with their arguments and description, as a tenant admin's mapping is edited", async () => {
    const trim = { name: 'trim', description: 'Removes surrounding whitespace.', input: 'string', output: 'string', args: [], minArgs: 0, maxArgs: 0, invertible: true, inverse: 'normalizing', multiSource: false };
    const hash = { name: 'hash', description: 'A digest of the value.', input: 'any', output: 'string', args: [{ name: 'algorithm', type: 'string', required: false, description: '' }], minArgs: 0, maxArgs: 1, invertible: false, inverse: null, multiSource: false };
    // Admin keys edit a tenant's mapping under /v1/tenants/:id; the transform list is served at /v1 for every key.
    const { session, calls } = fakeSession((call) => {
      if (call.path === '/v1/mapping/transforms') return [200, { items: [trim, hash] }];
      if (call.method === 'GET' && call.path === '/v1/tenants/ten_1/integrations/int_1/mapping') return [200, { mapping: SAVED, version: 2 }];
      if (call.path.endsWith('/mapping/preview')) return [200, previewOf(SAVED)];
      return undefined;
    });
    view = await renderWithSession(session, <MappingEditor base="/v1/tenants/ten_1" integrationId="int_1" previewDelayMs={10} />);
    await wait(100);
    const input = byAria(view.container, 'Transform email step 1');
    const list = view.container.querySelector(`datalist#${CSS.escape(input.getAttribute('list') ?? '')}`);
    const options = [...(list?.querySelectorAll('option') ?? [])].map((option) => [option.value, option.getAttribute('label')]);
    expect(options).toEqual([
      ['hash', '(algorithm?) one-way: A digest of the value.'],
      ['lowercase', null],
      ['trim', '(): Removes surrounding whitespace.'],
    ]);
    expect(calls.filter((call) => call.path === '/v1/mapping/transforms')).toHaveLength(1);
  });

  it('edits documents immutably and reads error paths and suggestions from them', () => {
    const removed = withField(SAVED, 0, 0, () => null);
    expect(removed.targets[0]!.fields.map((field) => field.target)).toEqual(['familyName']);
    expect(SAVED.targets[0]!.fields).toHaveLength(2);
    expect(fieldAt('body.mapping/targets/0/fields/2/transforms/0/name')).toEqual({ target: 0, field: 2 });
    expect(fieldAt('/source/object')).toBeNull();
    expect(transformNames(SAVED)).toEqual([{ name: 'lowercase', description: '' }]);
    expect(sourcePaths(SAVED)).toEqual(['Email', 'LastName']);
  });
});
