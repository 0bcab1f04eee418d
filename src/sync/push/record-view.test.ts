import { describe, expect, it } from 'vitest';
import { defaultMapping } from '../../mapping/index.ts';
import { baseAfterPush, patchFor, pushMappingOf, viewOf } from './record-view.ts';
import { pushSettingsOf } from './settings.ts';
import { checkBulkItem, checkFields } from './host-validation.ts';

const google = pushMappingOf(defaultMapping('google', 'contact')!);
const salesforce = pushMappingOf(defaultMapping('salesforce', 'Contact')!);

describe('the push view of a mapping', () => {
  it('sends fields that share a provider key together (People replaces names whole)', () => {
    expect(patchFor(google, ['givenName'], { givenName: 'Grace', familyName: 'Hopper', notes: 'x' })).toEqual({ names: [{ givenName: 'Grace', familyName: 'Hopper' }] });
    expect(patchFor(salesforce, ['title'], { title: 'CTO', givenName: 'Grace' })).toEqual({ Title: 'CTO' });
    expect(patchFor(salesforce, ['title'], {})).toEqual({ Title: null });
  });

  it('never sends read-only fields', () => {
    expect([...salesforce.writable.keys()]).toContain('title');
    expect([...salesforce.writable.keys()]).not.toContain('name');
    expect([...salesforce.writable.keys()]).not.toContain('organizationName');
    expect(() => patchFor(salesforce, ['organizationName'], { organizationName: 'Navy' })).not.toThrow();
    expect(patchFor(salesforce, ['organizationName'], { organizationName: 'Navy' })).toEqual({});
  });

  it('leaves the base in the mapping\'s key order, keeping read-only values the write response lacks and pending fields\' old base', () => {
    const record = { Id: '003x', FirstName: 'Grace', LastName: 'Hopper', Title: 'CTO', SystemModstamp: '2026-01-01T00:00:00.000+0000' };
    const view = viewOf(salesforce, { id: '003x', version: 'v', modifiedAt: null, data: record });
    expect(view).toMatchObject({ externalId: '003x', version: '2026-01-01T00:00:00.000+0000', fields: { givenName: 'Grace', title: 'CTO' } });
    const base = baseAfterPush(salesforce, view.fields, { organizationName: 'Navy', title: 'Old', givenName: 'G' }, new Set(['title']));
    expect(Object.keys(base)).toEqual(Object.keys(base).sort((a, b) => salesforce.fieldOrder.indexOf(a) - salesforce.fieldOrder.indexOf(b)));
    expect(base).toMatchObject({ givenName: 'Grace', title: 'Old', organizationName: 'Navy' });
  });
});

describe('push settings and host input', () => {
  it('reads conflictStrategy.push, refusing unknown keys and non-booleans by name', () => {
    expect(pushSettingsOf({ conflictStrategy: {} })).toEqual({ createInProvider: false, deleteInProvider: false });
    expect(pushSettingsOf({ conflictStrategy: { push: { createInProvider: true } } })).toEqual({ createInProvider: true, deleteInProvider: false });
    expect(() => pushSettingsOf({ conflictStrategy: { push: { create: true } } })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', field: 'conflictStrategy.push.create' }));
    expect(() => pushSettingsOf({ conflictStrategy: { push: { deleteInProvider: 'yes' } } })).toThrow(expect.objectContaining({ field: 'conflictStrategy.push.deleteInProvider' }));
  });

  it('names the bad field of host input, nested and per bulk item', () => {
    expect(() => checkFields({ a: { b: [1, Number.NaN] } }, 'body.fields')).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED', field: 'body.fields.a.b[1]' }));
    expect(() => checkBulkItem({ op: 'delete', id: 'ent_1', fields: {} }, 'body.items[0]')).toThrow(expect.objectContaining({ field: 'body.items[0].fields' }));
    expect(() => checkBulkItem({ op: 'update', id: 'ent_1', fields: {}, expectedVersion: 0 }, 'body.items[1]')).toThrow(expect.objectContaining({ field: 'body.items[1].expectedVersion' }));
    expect(checkBulkItem({ op: 'update', id: 'ent_1', fields: { a: null }, expectedVersion: 2 }, 'x')).toEqual({ op: 'update', id: 'ent_1', fields: { a: null }, expectedVersion: 2 });
  });
});
