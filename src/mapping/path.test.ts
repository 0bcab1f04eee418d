import { describe, expect, it } from 'vitest';
import { PathSyntaxError, compilePath, getField, parsePath, setField, setPath } from './path.ts';

function get(path: string, record: unknown, vars?: unknown): unknown {
  return compilePath(parsePath(path))({ current: record, record, vars });
}

const google = {
  names: [
    { metadata: { primary: false }, givenName: 'Augusta' },
    { metadata: { primary: true }, givenName: 'Ada' },
  ],
  emailAddresses: [{ value: 'a@x.org', type: 'work' }, { value: 'b@y.org', type: 'home' }],
};

describe('source paths', () => {
  it('reads dotted keys, including Salesforce relationship fields and custom fields', () => {
    const contact = { Account: { Name: 'Acme' }, Customer_Tier__c: 'Gold' };
    expect(get('Account.Name', contact)).toBe('Acme');
    expect(get('Customer_Tier__c', contact)).toBe('Gold');
  });

  it('gives undefined, never throws, for missing parts or wrong shapes', () => {
    expect(get('a.b.c', { a: null })).toBeUndefined();
    expect(get('a.b', { a: 'text' })).toBeUndefined();
    expect(get('a[0]', { a: { 0: 'not an array' } })).toBeUndefined();
    expect(get('a', null)).toBeUndefined();
    expect(get('a.b', 42)).toBeUndefined();
  });

  it('does not read inherited properties', () => {
    expect(get('constructor', {})).toBeUndefined();
    expect(get('a.toString', { a: {} })).toBeUndefined();
  });

  it('indexes arrays, negative indexes counting from the end', () => {
    expect(get('names[0].givenName', google)).toBe('Augusta');
    expect(get('names[-1].givenName', google)).toBe('Ada');
    expect(get('names[5].givenName', google)).toBeUndefined();
  });

  it('projects with [*] over arrays and .* over object values', () => {
    expect(get('emailAddresses[*].value', google)).toEqual(['a@x.org', 'b@y.org']);
    expect(get('props.*.n', { props: { a: { n: 1 }, b: { n: 2 }, c: {} } })).toEqual([1, 2]);
    expect(get('missing[*].value', google)).toEqual([]);
  });

  it('filters by truthiness, negation and equality with JSON literals', () => {
    expect(get('names[?metadata.primary].givenName', google)).toEqual(['Ada']);
    expect(get('names[?!metadata.primary].givenName', google)).toEqual(['Augusta']);
    expect(get('emailAddresses[?type=="home"].value', google)).toEqual(['b@y.org']);
    expect(get("emailAddresses[?type=='work'].value", google)).toEqual(['a@x.org']);
    expect(get('emailAddresses[?type!="home"].value', google)).toEqual(['a@x.org']);
    expect(get('xs[?n==2].id', { xs: [{ n: 2, id: 'a' }, { n: '2', id: 'b' }] })).toEqual(['a']);
  });

  it('filters the elements of arrays met along a projection', () => {
    const rows = { rows: [{ people: [{ id: 1, bot: false }, { id: 2, bot: true }] }, { people: [{ id: 3, bot: false }] }] };
    expect(get('rows[*].people[?!bot].id', rows)).toEqual([1, 3]);
    expect(get('rows[*].people[0].id', rows)).toEqual([1, 3]);
  });

  it('tests an object itself when a filter meets an object', () => {
    const repo = { owner: { type: 'User', id: 7 } };
    expect(get('owner[?type=="User"].id', repo)).toEqual([7]);
    expect(get('owner[?type=="Organization"].id', repo)).toEqual([]);
  });

  it('reads Notion property values, by name (quoted when it has spaces or dots) and by type', () => {
    const page = {
      properties: {
        Name: { type: 'title', title: [{ plain_text: 'Launch' }, { plain_text: ' plan' }] },
        'Due date': { type: 'date', date: { start: '2024-05-01' } },
        'v1.2': { type: 'number', number: 3 },
      },
    };
    expect(get('properties.Name.title[*].plain_text', page)).toEqual(['Launch', ' plan']);
    expect(get('properties.Due date.date.start', page)).toBe('2024-05-01');
    expect(get('properties["v1.2"].number', page)).toBe(3);
    expect(get('properties.*[?type=="title"].title[0].plain_text', page)).toEqual(['Launch']);
  });

  it('reaches the context vars and the whole record from anywhere', () => {
    expect(get('$vars.channel', {}, { channel: 'C1' })).toBe('C1');
    const scope = { current: { email: 'x' }, record: { id: 'r1' }, vars: undefined };
    expect(compilePath(parsePath('$record.id'))(scope)).toBe('r1');
    expect(compilePath(parsePath('email'))(scope)).toBe('x');
  });

  it('marks projections and context paths as not writable', () => {
    expect(parsePath('Account.Name').writable).toBe(true);
    expect(parsePath('names[0].givenName').writable).toBe(true);
    expect(parsePath('names[*].givenName').writable).toBe(false);
    expect(parsePath('names[?metadata.primary].givenName').projection).toBe(true);
    expect(parsePath('$vars.x').writable).toBe(false);
    expect(parsePath('__proto__.polluted').writable).toBe(false);
    expect(parsePath('a.constructor').writable).toBe(false);
  });

  it('rejects malformed paths with the position of the problem', () => {
    for (const bad of ['', 'a..b', 'a.', 'a[', 'a[x]', 'a[?]', 'a]', 'a[?b==nope]']) {
      expect(() => parsePath(bad), bad).toThrow(PathSyntaxError);
    }
    try {
      parsePath('a..b');
    } catch (e) {
      expect((e as PathSyntaxError).position).toBe(2);
    }
  });

  it('writes patches through plain paths, creating objects and arrays', () => {
    const patch: Record<string, unknown> = {};
    setPath(patch, parsePath('names[0].givenName'), 'Ada');
    setPath(patch, parsePath('names[0].familyName'), 'Lovelace');
    setPath(patch, parsePath('properties.Status'), { status: { name: 'Done' } });
    expect(patch).toEqual({ names: [{ givenName: 'Ada', familyName: 'Lovelace' }], properties: { Status: { status: { name: 'Done' } } } });
    expect(() => setPath(patch, parsePath('a[*].b'), 1)).toThrow();
  });

  it('reads and writes nested entity fields by dotted name', () => {
    const fields: Record<string, unknown> = {};
    setField(fields, 'address.city', 'Paris');
    expect(fields).toEqual({ address: { city: 'Paris' } });
    expect(getField(fields, 'address.city')).toEqual({ found: true, value: 'Paris' });
    expect(getField(fields, 'address.zip').found).toBe(false);
  });
});
