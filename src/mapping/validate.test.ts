import { describe, expect, it } from 'vitest';
import { TributaryError } from '../domain/errors.ts';
import type { MappingDocument } from '../domain/mapping.ts';
import { assertValidMapping, validateMapping } from './validate.ts';
import { compileMapping } from './compile.ts';

function doc(fields: unknown[], extra: Record<string, unknown> = {}): unknown {
  return {
    version: 1,
    source: { provider: 'salesforce', object: 'Contact' },
    targets: [{ entityType: 'person', key: 'Id', fields, ...extra }],
  };
}

function paths(d: unknown): string[] {
  return validateMapping(d).map((e) => e.path);
}

describe('mapping validation', () => {
  it('accepts a well-formed document', () => {
    expect(validateMapping(doc([{ target: 'email', source: 'Email', transforms: [{ name: 'email' }] }]))).toEqual([]);
  });

  it('names an unknown transform by its JSON path', () => {
    const errors = validateMapping(doc([{ target: 'email', source: 'Email', transforms: [{ name: 'trim' }, { name: 'shout' }] }]));
    expect(errors).toEqual([{ path: '/targets/0/fields/0/transforms/1/name', reason: 'unknown transform "shout"' }]);
  });

  it('checks arity and argument types', () => {
    const errors = validateMapping(
      doc([
        { target: 'a', source: 'A', transforms: [{ name: 'truncate' }] },
        { target: 'b', source: 'B', transforms: [{ name: 'truncate', args: ['ten'] }] },
        { target: 'c', source: 'C', transforms: [{ name: 'phone_e164', args: ['Narnia'] }] },
        { target: 'd', source: 'D', transforms: [{ name: 'datetime', args: ['Mars/Olympus'] }] },
        { target: 'e', source: 'E', transforms: [{ name: 'regex_extract', args: ['(unclosed'] }] },
        { target: 'f', source: 'F', transforms: [{ name: 'currency', args: ['XYZ'] }] },
        { target: 'g', source: 'G', transforms: [{ name: 'epoch_to_iso', args: ['minutes'] }] },
        { target: 'h', source: 'H', transforms: [{ name: 'trim', args: [1] }] },
        { target: 'i', source: 'I', transforms: [{ name: 'map_values', args: [['not', 'a map']] }] },
        { target: 'j', source: 'J', transforms: [{ name: 'regex_replace', args: ['a', 'b', 'qq'] }] },
      ]),
    );
    expect(errors.map((e) => e.path)).toEqual([
      '/targets/0/fields/0/transforms/0/args',
      '/targets/0/fields/1/transforms/0/args/0',
      '/targets/0/fields/2/transforms/0/args/0',
      '/targets/0/fields/3/transforms/0/args/0',
      '/targets/0/fields/4/transforms/0/args/0',
      '/targets/0/fields/5/transforms/0/args/0',
      '/targets/0/fields/6/transforms/0/args/0',
      '/targets/0/fields/7/transforms/0/args',
      '/targets/0/fields/8/transforms/0/args/0',
      '/targets/0/fields/9/transforms/0/args',
    ]);
    expect(errors[0]?.reason).toBe('truncate takes 1 to 2 argument(s), got 0');
    expect(errors[1]?.reason).toMatch(/length.*integer/);
    expect(errors[6]?.reason).toMatch(/one of "s", "ms"/);
  });

  it('reports bad paths with the syntax problem', () => {
    const errors = validateMapping(doc([{ target: 'a', source: 'Account..Name' }], { relationships: [{ kind: 'works_at', toEntityType: 'organization', via: 'x[' }] }));
    expect(errors.map((e) => e.path)).toEqual(['/targets/0/fields/0/source', '/targets/0/relationships/0/via']);
    expect(errors[0]?.reason).toMatch(/expected a key at position 8/);
  });

  it('reports duplicate and overlapping target fields, and duplicate target names', () => {
    expect(paths(doc([{ target: 'email', source: 'Email' }, { target: 'email', source: 'Other' }]))).toEqual(['/targets/0/fields/1/target']);
    expect(paths(doc([{ target: 'address', source: 'A' }, { target: 'address.city', source: 'C' }]))).toEqual(['/targets/0/fields/1/target']);
    const twoPeople = {
      version: 1,
      source: { provider: 'github', object: 'issue' },
      targets: [
        { entityType: 'issue', fields: [] },
        { entityType: 'person', key: 'user.id', fields: [] },
        { entityType: 'person', key: 'assignee.id', fields: [] },
      ],
    };
    expect(paths(twoPeople)).toEqual(['/targets/2/name']);
  });

  it('checks that transforms fit together along a chain', () => {
    const errors = validateMapping(doc([{ target: 'a', source: 'A', transforms: [{ name: 'to_number' }, { name: 'trim' }] }]));
    expect(errors).toEqual([{ path: '/targets/0/fields/0/transforms/1', reason: 'trim expects string but to_number gives number' }]);
    expect(validateMapping(doc([{ target: 'a', source: 'A', transforms: [{ name: 'to_integer' }, { name: 'round' }] }]))).toEqual([]);
  });

  it('requires a source, and only one of source and sources', () => {
    expect(paths(doc([{ target: 'a' }]))).toEqual(['/targets/0/fields/0/source']);
    expect(validateMapping(doc([{ target: 'a', transforms: [{ name: 'constant', args: ['x'] }] }]))).toEqual([]);
    expect(paths(doc([{ target: 'a', source: 'A', sources: ['B'] }]))).toEqual(['/targets/0/fields/0/sources']);
  });

  it('reports shape errors from the schema with their paths', () => {
    expect(validateMapping({ version: 1, source: { provider: 'x' }, targets: [] }).map((e) => e.path)).toEqual(
      expect.arrayContaining(['/source', '/targets']),
    );
    expect(paths(doc([{ target: '1bad', source: 'A' }]))).toEqual(['/targets/0/fields/0/target']);
    expect(paths(doc([{ target: 'a', source: 'A', colour: 'red' }]))).toEqual(['/targets/0/fields/0/colour']);
    expect(paths('not a document')).toEqual(['/']);
  });

  it('refuses names that would reach an object prototype', () => {
    expect(paths(doc([{ target: '__proto__.polluted', source: 'A' }]))).toEqual(['/targets/0/fields/0/target']);
    expect(paths(doc([{ target: 'a', source: 'A', transforms: [{ name: 'get', args: ['a..b'] }] }]))).toEqual(['/targets/0/fields/0/transforms/0/args/0']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('keeps the first target for the record itself', () => {
    expect(paths(doc([], { each: 'items' }))).toEqual(['/targets/0/each']);
    expect(paths(doc([], { object: 'Account' }))).toEqual(['/targets/0/object']);
  });

  it('throws VALIDATION_FAILED naming the first problem when asked to assert or compile', () => {
    const bad = doc([{ target: 'email', source: 'Email', transforms: [{ name: 'shout' }] }]);
    try {
      compileMapping(bad);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(TributaryError);
      expect((e as TributaryError).code).toBe('VALIDATION_FAILED');
      expect((e as TributaryError).field).toBe('/targets/0/fields/0/transforms/0/name');
      expect((e as TributaryError).details?.errors).toHaveLength(1);
    }
    expect(assertValidMapping(doc([]))).toMatchObject({ version: 1 } satisfies Partial<MappingDocument>);
  });
});
