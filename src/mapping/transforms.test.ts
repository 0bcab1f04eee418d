import { describe, expect, it } from 'vitest';
import { TRANSFORMS, listTransforms } from './transforms/registry.ts';
import { TransformError } from './transforms/types.ts';
import type { TransformContext } from './transforms/types.ts';

const ctx: TransformContext = { defaultRegion: 'US', timeZone: 'UTC' };

interface Case {
  args?: unknown[];
  in: unknown;
  out: unknown;
  ctx?: Partial<TransformContext>;
  sources?: number;
}

interface Spec {
  cases: Case[];
  /** Inputs the transform must refuse with a TransformError. */
  fails?: { args?: unknown[]; in: unknown }[];
  /** Skip the automatic round-trip check for these cases (by index), with a reason. */
  noRoundTrip?: number[];
}

function forward(name: string, args: unknown[] = [], c: Partial<TransformContext> = {}) {
  const def = TRANSFORMS.get(name);
  if (!def) throw new Error(`no transform ${name}`);
  const fn = def.make(args);
  return (v: unknown) => fn(v, { ...ctx, ...c });
}

function inverse(name: string, args: unknown[] = [], sources = 1, c: Partial<TransformContext> = {}) {
  const def = TRANSFORMS.get(name);
  if (!def?.inverse) throw new Error(`no inverse for ${name}`);
  const fn = def.inverse.make(args, sources);
  return (v: unknown) => fn(v, { ...ctx, ...c });
}

const richText = [
  { type: 'text', text: { content: 'Hello ', link: null }, annotations: { bold: false }, plain_text: 'Hello ', href: null },
  { type: 'text', text: { content: 'world', link: null }, annotations: { bold: true }, plain_text: 'world', href: null },
];

const SPECS: Record<string, Spec> = {
  trim: { cases: [{ in: '  Ada \n', out: 'Ada' }, { in: 42, out: '42' }], fails: [{ in: { a: 1 } }] },
  collapse_whitespace: { cases: [{ in: ' a \t b\n\nc ', out: 'a b c' }] },
  lower: { cases: [{ in: 'ÀDA', out: 'àda' }] },
  upper: { cases: [{ in: 'straße', out: 'STRASSE' }] },
  title_case: { cases: [{ in: "ada LOVELACE-byron o'neil", out: "Ada Lovelace-Byron O'Neil" }] },
  truncate: {
    cases: [
      { args: [5], in: 'abcdefgh', out: 'abcde' },
      { args: [5, '…'], in: 'abcdefgh', out: 'abcd…' },
      { args: [10], in: 'short', out: 'short' },
      { args: [3], in: '😀😀😀😀', out: '😀😀😀' },
    ],
  },
  to_string: { cases: [{ in: 12.5, out: '12.5' }, { in: true, out: 'true' }, { in: ['a', 1], out: 'a, 1' }, { in: { a: 1 }, out: '{"a":1}' }] },
  prefix: { cases: [{ args: ['gh-'], in: '42', out: 'gh-42' }] },
  template: {
    cases: [
      { args: ['{0} ({1})'], in: ['Acme', 'US'], out: 'Acme (US)' },
      { args: ['{0} ({1})'], in: ['Acme', null], out: 'Acme ()' },
      { args: ['{city}, {country}'], in: { city: 'Paris', country: 'FR' }, out: 'Paris, FR' },
      { args: ['#{}'], in: 7, out: '#7' },
    ],
  },
  concat: { cases: [{ args: [' '], in: ['Ada', null, '', 'Lovelace'], out: 'Ada Lovelace' }, { in: ['a', 'b'], out: 'ab' }], fails: [{ in: 'x' }] },
  compound_key: { cases: [{ in: ['C1', '1355517523.000005'], out: 'C1:1355517523.000005' }, { in: [null, '1.2'], out: null }, { args: ['/'], in: ['a', 2], out: 'a/2' }] },
  regex_extract: {
    cases: [
      { args: ['\\d+'], in: 'order 1234 shipped', out: '1234' },
      { args: ['repos/([^/]+/[^/]+)$', 1], in: 'https://api.github.com/repos/octo/hello', out: 'octo/hello' },
      { args: ['^x'], in: 'abc', out: null },
      { args: ['ABC', 0, 'i'], in: 'xabcx', out: 'abc' },
    ],
  },
  regex_replace: { cases: [{ args: ['[^0-9]', ''], in: '+1 (415) 555', out: '1415555' }, { args: ['(\\w+)@', '$1 at '], in: 'ada@x', out: 'ada at x' }] },
  slugify: { cases: [{ in: 'Héllo, World!  2024', out: 'hello-world-2024' }] },
  nullify_empty: { cases: [{ in: '  ', out: null }, { in: [], out: null }, { in: 'x', out: 'x' }, { in: 0, out: 0 }] },
  split_name: {
    cases: [
      { in: 'Ada Lovelace', out: ['Ada', 'Lovelace'] },
      { in: 'Ada King Lovelace', out: ['Ada King', 'Lovelace'] },
      { in: 'Lovelace, Ada', out: ['Ada', 'Lovelace'] },
      { in: 'Ludwig van Beethoven', out: ['Ludwig', 'van Beethoven'] },
      { in: 'Cher', out: ['Cher', ''] },
    ],
    noRoundTrip: [4],
  },
  join_name: { cases: [{ in: ['Ada', 'Lovelace'], out: 'Ada Lovelace' }, { in: [null, 'Lovelace'], out: 'Lovelace' }, { in: [null, null], out: null }], fails: [{ in: ['a'] }] },
  given_name: { cases: [{ in: 'Ada King Lovelace', out: 'Ada King' }, { in: '', out: null }] },
  family_name: { cases: [{ in: 'Ada King Lovelace', out: 'Lovelace' }, { in: 'Cher', out: null }] },
  email: {
    cases: [
      { in: '  Ada.Lovelace@Example.COM ', out: 'ada.lovelace@example.com' },
      { in: 'Ada <ada@example.com>', out: 'ada@example.com' },
      { in: 'mailto:ada@example.com', out: 'ada@example.com' },
    ],
    fails: [{ in: 'not an email' }, { in: 'a@b' }, { in: 'a b@c.com' }],
  },
  phone_e164: {
    cases: [
      { in: '(415) 555-2671', out: '+14155552671' },
      { in: '+44 20 7946 0958', out: '+442079460958' },
      { args: ['GB'], in: '020 7946 0958', out: '+442079460958' },
      { in: '030 123456', out: '+4930123456', ctx: { defaultRegion: 'DE' } },
      { in: '+1 415-555-2671 ext. 12', out: '+14155552671' },
    ],
    fails: [{ in: 'call me' }, { in: '12' }],
  },
  domain_from_email: { cases: [{ in: 'ada@Mail.Example.com', out: 'mail.example.com' }], fails: [{ in: 'nope' }] },
  domain_from_url: { cases: [{ in: 'https://www.Acme.com/about?x=1', out: 'acme.com' }, { in: 'acme.io', out: 'acme.io' }], fails: [{ in: 'http://' }] },
  url: {
    cases: [
      { in: 'Acme.com', out: 'https://acme.com' },
      { in: 'HTTP://www.Acme.com:80/a/b?x=1#top', out: 'http://www.acme.com/a/b?x=1#top' },
      { in: 'https://acme.com/', out: 'https://acme.com' },
    ],
    fails: [{ in: 'mailto:a@b.c' }, { in: 'http://' }],
  },
  country_code: {
    cases: [
      { in: 'Germany', out: 'DE' },
      { in: 'united kingdom', out: 'GB' },
      { in: 'UK', out: 'GB' },
      { in: 'USA', out: 'US' },
      { in: 'U.S.', out: 'US' },
      { in: 'fr', out: 'FR' },
      { in: 'DEU', out: 'DE' },
    ],
    fails: [{ in: 'Atlantis' }],
  },
  country_name: { cases: [{ in: 'DE', out: 'Germany' }, { in: 'gb', out: 'United Kingdom' }], fails: [{ in: 'XX' }, { in: 'EU' }] },
  datetime: {
    cases: [
      { in: '2024-01-15T10:30:00.000+0000', out: '2024-01-15T10:30:00.000Z' },
      { in: '2024-01-15T11:30:00+01:00', out: '2024-01-15T10:30:00.000Z' },
      { in: '2024-03-10T02:30:00', out: '2024-03-10T02:30:00.000Z' },
      { in: '2024-07-01T12:00:00', out: '2024-07-01T10:00:00.000Z', ctx: { timeZone: 'Europe/Paris' } },
      { args: [null, 'America/New_York'], in: '2024-01-15 09:00', out: '2024-01-15T14:00:00.000Z' },
      { args: ['Europe/Paris'], in: '2024-07-01T10:00:00Z', out: '2024-07-01T12:00:00.000+02:00' },
      { args: ['America/New_York'], in: '2024-01-15T10:30:00Z', out: '2024-01-15T05:30:00.000-05:00' },
      { args: ['Asia/Kolkata'], in: 1705314600, out: '2024-01-15T16:00:00.000+05:30' },
      { in: 1705314600000, out: '2024-01-15T10:30:00.000Z' },
      { in: '2024-02-29', out: '2024-02-29T00:00:00.000Z' },
    ],
    fails: [{ in: 'next tuesday' }, { in: '2023-02-29' }, { in: '2024-01-15T25:00:00Z' }, { in: { a: 1 } }],
  },
  date: {
    cases: [
      { in: '2024-01-15', out: '2024-01-15' },
      { in: '2024/1/5', out: '2024-01-05' },
      { in: '2024-01-15T23:30:00Z', out: '2024-01-15' },
      { args: ['Asia/Tokyo'], in: '2024-01-15T23:30:00Z', out: '2024-01-16' },
      { in: '2024-01-15T23:30:00Z', out: '2024-01-15', ctx: { timeZone: 'America/Los_Angeles' } },
      { in: '2024-01-16', out: '2024-01-16', ctx: { timeZone: 'Pacific/Kiritimati' } },
    ],
    fails: [{ in: '15/01/2024' }],
  },
  epoch_to_iso: { cases: [{ in: 1705314600, out: '2024-01-15T10:30:00.000Z' }, { args: ['ms'], in: '1705314600000', out: '2024-01-15T10:30:00.000Z' }], fails: [{ in: 'soon' }] },
  iso_to_epoch: { cases: [{ in: '2024-01-15T10:30:00Z', out: 1705314600 }, { args: ['ms'], in: '2024-01-15T11:30:00+01:00', out: 1705314600000 }] },
  slack_ts_to_iso: { cases: [{ in: '1355517523.000005', out: '2012-12-14T20:38:43.000Z' }], fails: [{ in: 'x' }] },
  to_number: {
    cases: [
      { in: '1,234.56', out: 1234.56 },
      { in: '1.234,56', out: 1234.56 },
      { in: '1 234,56', out: 1234.56 },
      { in: "1'234.5", out: 1234.5 },
      { in: '€ 12,50', out: 12.5 },
      { in: '(12.5)', out: -12.5 },
      { in: '-3', out: -3 },
      { in: '1,234', out: 1234 },
      { args: [','], in: '1,234', out: 1.234 },
      { in: '0,5', out: 0.5 },
      { in: 7, out: 7 },
    ],
    fails: [{ in: 'twelve' }, { in: '' }, { in: Number.NaN }],
  },
  to_integer: { cases: [{ in: '41.6', out: 42 }, { in: '1.000.000', out: 1000000 }] },
  round: { cases: [{ args: [2], in: 1.005, out: 1.01 }, { in: -2.5, out: -3 }, { args: [1], in: '3.14159', out: 3.1 }] },
  multiply: { cases: [{ args: [0.01], in: 1250, out: 12.5 }, { args: [100], in: '0.25', out: 25 }] },
  currency: {
    cases: [
      { args: ['EUR'], in: 12.5, out: { amount: 12.5, currency: 'EUR' } },
      { in: 'USD 1,234.50', out: { amount: 1234.5, currency: 'USD' } },
      { in: '€1.234,50', out: { amount: 1234.5, currency: 'EUR' } },
      { args: ['USD'], in: 'USD 3', out: { amount: 3, currency: 'USD' } },
      { in: [99, 'gbp'], out: { amount: 99, currency: 'GBP' }, sources: 2 },
      { args: ['USD'], in: [99, null], out: { amount: 99, currency: 'USD' }, sources: 2 },
    ],
    fails: [{ in: 12 }, { in: 'abc 12' }],
  },
  to_boolean: {
    cases: [
      { in: 'Yes', out: true },
      { in: 'n', out: false },
      { in: 1, out: true },
      { in: '0', out: false },
      { in: 'TRUE', out: true },
      { in: 'off', out: false },
      { args: ['Y', 'N'], in: 'Y', out: true },
    ],
    fails: [{ in: 'maybe' }, { in: 2 }],
  },
  not: { cases: [{ in: true, out: false }, { in: 'no', out: true }] },
  default: { cases: [{ args: ['n/a'], in: null, out: 'n/a' }, { args: [0], in: undefined, out: 0 }, { args: ['x'], in: '', out: 'x' }, { args: ['x'], in: 'y', out: 'y' }] },
  constant: { cases: [{ args: ['salesforce'], in: undefined, out: 'salesforce' }] },
  coalesce: { cases: [{ in: [null, '', [], 'b', 'c'], out: 'b' }, { in: [null, undefined], out: null }] },
  exists: { cases: [{ in: { url: 'x' }, out: true }, { in: undefined, out: false }, { in: null, out: false }, { in: false, out: true }] },
  equals: { cases: [{ args: ['cancelled'], in: 'cancelled', out: true }, { args: ['cancelled'], in: 'confirmed', out: false }] },
  map_values: {
    cases: [
      { args: [{ 'Closed Won': 'won', 'Closed Lost': 'lost' }], in: 'Closed Won', out: 'won' },
      { args: [{ 'Closed Won': 'won' }, 'open'], in: 'Prospecting', out: 'open' },
      { args: [{ 1: 'high', 2: 'low' }], in: 1, out: 'high' },
    ],
    fails: [{ args: [{ a: 'b' }], in: 'zzz' }],
    noRoundTrip: [1],
  },
  first: { cases: [{ in: ['a', 'b'], out: 'a' }, { in: [], out: undefined }, { in: 'solo', out: 'solo' }], noRoundTrip: [1] },
  last: { cases: [{ in: ['a', 'b'], out: 'b' }, { in: [], out: undefined }], noRoundTrip: [1] },
  join: { cases: [{ in: ['a', null, 'b'], out: 'a, b' }, { args: ['|'], in: ['x', 'y'], out: 'x|y' }] },
  split: { cases: [{ in: 'a, b,,c ', out: ['a', 'b', 'c'] }, { args: [';'], in: 'x;y', out: ['x', 'y'] }] },
  flatten: { cases: [{ in: [[1, 2], [3, [4]]], out: [1, 2, 3, [4]] }, { args: [2], in: [[1, [2]]], out: [1, 2] }] },
  unique: { cases: [{ in: ['a', 'b', 'a', 1, '1', { x: 1 }, { x: 1 }], out: ['a', 'b', 1, '1', { x: 1 }] }] },
  compact: { cases: [{ in: ['a', null, '', 0, false], out: ['a', 0, false] }] },
  pluck: { cases: [{ args: ['name'], in: [{ name: 'bug' }, { name: 'ui' }, 'x'], out: ['bug', 'ui'] }] },
  count: { cases: [{ in: [1, 2, 3], out: 3 }, { in: 'abc', out: 3 }], fails: [{ in: { a: 1 } }] },
  wrap: { cases: [{ in: 'a', out: ['a'] }, { in: ['a'], out: ['a'] }] },
  get: { cases: [{ args: ['address.city'], in: { address: { city: 'Paris' } }, out: 'Paris' }, { args: ['a[0]'], in: { a: [] }, out: null }], noRoundTrip: [1] },
  json_parse: { cases: [{ in: '{"a":[1,2]}', out: { a: [1, 2] } }], fails: [{ in: '{oops' }] },
  json_stringify: { cases: [{ in: { a: [1, 2] }, out: '{"a":[1,2]}' }] },
  html_to_text: {
    cases: [
      { in: '<p>Hello&nbsp;<b>world</b></p><p>Line&amp;2<br/>next</p><script>x()</script>', out: 'Hello world\n\nLine&2\nnext' },
      { in: '<ul><li>one</li><li>two</li></ul> &#8364;5 &#x41;', out: 'one\ntwo\n€5 A' },
    ],
  },
  markdown_to_text: {
    cases: [
      { in: '# Title\n\nSome **bold** and _it_ with [a link](https://x.y) and `code`.\n- item\n> quote', out: 'Title\n\nSome bold and it with a link and code.\nitem\nquote' },
      { in: '![alt text](img.png) ~~gone~~ 2 \\* 3', out: 'alt text gone 2 * 3' },
    ],
  },
  slack_to_text: {
    cases: [
      { in: 'Hi <@U123|ada>, see <#C9|general> and <https://x.io|the doc> *now* _please_ &lt;3 <!here>', out: 'Hi @ada, see #general and the doc now please <3 @here' },
      { in: '<@U123> ~struck~ `x` <https://x.io>', out: '@U123 struck x https://x.io' },
    ],
  },
  notion_rich_text: { cases: [{ in: richText, out: 'Hello world' }, { in: [{ type: 'text', text: { content: 'raw' } }], out: 'raw' }, { in: [], out: '' }], fails: [{ in: 'text' }] },
  notion_property: {
    cases: [
      { in: { id: 'a', type: 'title', title: richText }, out: 'Hello world' },
      { args: ['select'], in: { type: 'select', select: { id: 'x', name: 'High', color: 'red' } }, out: 'High' },
      { args: ['status'], in: { type: 'status', status: { name: 'Done' } }, out: 'Done' },
      { args: ['multi_select'], in: { type: 'multi_select', multi_select: [{ name: 'a' }, { name: 'b' }] }, out: ['a', 'b'] },
      { args: ['date'], in: { type: 'date', date: { start: '2024-05-01', end: null, time_zone: null } }, out: '2024-05-01' },
      { args: ['number'], in: { type: 'number', number: 3 }, out: 3 },
      { args: ['checkbox'], in: { type: 'checkbox', checkbox: true }, out: true },
      { args: ['people'], in: { type: 'people', people: [{ object: 'user', id: 'u1' }] }, out: ['u1'] },
      { args: ['relation'], in: { type: 'relation', relation: [{ id: 'p1' }], has_more: false }, out: ['p1'] },
      { args: ['rich_text'], in: { type: 'rich_text', rich_text: richText }, out: 'Hello world' },
      { in: { type: 'formula', formula: { type: 'number', number: 42 } }, out: 42 },
      { in: { type: 'rollup', rollup: { type: 'date', date: { start: '2024-01-01' }, function: 'latest_date' } }, out: '2024-01-01' },
      { in: { type: 'unique_id', unique_id: { prefix: 'TASK', number: 7 } }, out: 'TASK-7' },
      { in: { type: 'files', files: [{ name: 'a.pdf', type: 'external', external: { url: 'https://x/a.pdf' } }] }, out: ['https://x/a.pdf'] },
      { in: { type: 'created_by', created_by: { object: 'user', id: 'u9' } }, out: 'u9' },
      { in: { type: 'select', select: null }, out: null },
    ],
    fails: [{ in: 'x' }, { args: ['number'], in: { type: 'select', select: null } }],
  },
  notion_properties: {
    cases: [
      {
        in: { Name: { type: 'title', title: richText }, Done: { type: 'checkbox', checkbox: false }, Odd: 'not a property' },
        out: { Name: 'Hello world', Done: false, Odd: null },
      },
    ],
  },
};

describe('built-in transforms', () => {
  for (const [name, spec] of Object.entries(SPECS)) {
    describe(name, () => {
      spec.cases.forEach((c, i) => {
        it(`maps ${JSON.stringify(c.in)?.slice(0, 60)} with ${JSON.stringify(c.args ?? [])} to ${JSON.stringify(c.out)?.slice(0, 60)}`, () => {
          expect(forward(name, c.args, c.ctx)(c.in)).toEqual(c.out);
        });
        const def = TRANSFORMS.get(name);
        const invertible = def?.inverse && (!def.inverse.available || def.inverse.available(c.args ?? []));
        if (invertible && !spec.noRoundTrip?.includes(i) && c.out !== null && c.out !== undefined) {
          it(`round-trips case ${i} through its inverse`, () => {
            const back = inverse(name, c.args, c.sources ?? 1, c.ctx)(c.out);
            expect(forward(name, c.args, c.ctx)(back)).toEqual(c.out);
          });
        }
      });
      for (const f of spec.fails ?? []) {
        it(`refuses ${JSON.stringify(f.in)} with a reason`, () => {
          expect(() => forward(name, f.args)(f.in)).toThrow(TransformError);
        });
      }
    });
  }

  it('has a test table entry for every registered transform, and at least 30 of them', () => {
    const registered = listTransforms().map((t) => t.name).sort();
    expect(Object.keys(SPECS).sort()).toEqual(registered);
    expect(registered.length).toBeGreaterThanOrEqual(30);
  });

  it('lists each transform with its doc, arity and inverse kind for the API', () => {
    const list = listTransforms();
    const phone = list.find((t) => t.name === 'phone_e164');
    expect(phone).toMatchObject({ minArgs: 0, maxArgs: 1, inverse: 'normalizing', input: 'string', output: 'string' });
    expect(list.find((t) => t.name === 'map_values')?.inverse).toBe('conditional');
    expect(list.find((t) => t.name === 'truncate')?.inverse).toBeNull();
    for (const t of list) expect(t.doc.length, t.name).toBeGreaterThan(10);
  });

  it('gives exact inverses their documented results', () => {
    expect(inverse('map_values', [{ 'Closed Won': 'won', 'Closed Lost': 'lost' }])('lost')).toBe('Closed Lost');
    expect(TRANSFORMS.get('map_values')?.inverse?.available?.([{ a: 'x', b: 'x' }])).toBe(false);
    expect(inverse('join_name')('Ada King Lovelace')).toEqual(['Ada King', 'Lovelace']);
    const pieces = inverse('notion_rich_text')('a'.repeat(4500)) as { text: { content: string } }[];
    expect(pieces.map((p) => p.text.content.length)).toEqual([2000, 2000, 500]);
    expect(inverse('notion_property', ['select'])('High')).toEqual({ select: { name: 'High' } });
    expect(inverse('notion_property', ['title'])('Plan')).toEqual({ title: [{ type: 'text', text: { content: 'Plan' } }] });
    expect(TRANSFORMS.get('notion_property')?.inverse?.available?.(['formula'])).toBe(false);
    expect(inverse('currency', [], 2)({ amount: 5, currency: 'EUR' })).toEqual([5, 'EUR']);
    expect(inverse('currency', ['EUR'], 1)({ amount: 5, currency: 'EUR' })).toBe(5);
    expect(inverse('currency', [], 1)({ amount: 5, currency: 'EUR' })).toBe('EUR 5');
    expect(() => inverse('currency', ['USD'], 1)({ amount: 5, currency: 'EUR' })).toThrow(TransformError);
    expect(inverse('to_boolean', ['Y', 'N'])(false)).toBe('N');
    expect(inverse('slack_to_text')('a < b & c')).toBe('a &lt; b &amp; c');
    expect(inverse('html_to_text')('a < b\nc')).toBe('a &lt; b<br>c');
    expect(inverse('get', ['address.city'])('Paris')).toEqual({ address: { city: 'Paris' } });
    expect(inverse('country_code')('DE')).toBe('Germany');
    expect(inverse('multiply', [0.01])(12.5)).toBeCloseTo(1250);
    expect(inverse('epoch_to_iso')('2024-01-15T10:30:00.000Z')).toBe(1705314600);
    expect(() => inverse('prefix', ['gh-'])('42')).toThrow(TransformError);
  });

  it('keeps provider keys such as __proto__ as plain data', () => {
    const props = JSON.parse('{"__proto__": {"type": "number", "number": 1}, "x": {"type": "checkbox", "checkbox": true}}') as unknown;
    const out = forward('notion_properties')(props) as Record<string, unknown>;
    expect(Object.getOwnPropertyDescriptor(out, '__proto__')?.value).toBe(1);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).number).toBeUndefined();
  });

  it('reads dates without offsets in the given zone, across a daylight-saving change', () => {
    // 2024-03-31 02:30 does not exist in Paris (clocks jump 02:00 -> 03:00).
    expect(forward('datetime', [], { timeZone: 'Europe/Paris' })('2024-03-31T01:30:00')).toBe('2024-03-31T00:30:00.000Z');
    expect(forward('datetime', [], { timeZone: 'Europe/Paris' })('2024-03-31T03:30:00')).toBe('2024-03-31T01:30:00.000Z');
    // 2024-10-27 02:30 happens twice; the earlier instant is taken.
    expect(forward('datetime', [], { timeZone: 'Europe/Paris' })('2024-10-27T02:30:00')).toBe('2024-10-27T00:30:00.000Z');
    // 2024-03-31 02:30 never happens in Paris: read with the winter offset, it lands at 03:30 CEST.
    expect(forward('datetime', [], { timeZone: 'Europe/Paris' })('2024-03-31T02:30:00')).toBe('2024-03-31T01:30:00.000Z');
  });

  it('gives the same phone result from its cache as from a first parse', () => {
    const f = forward('phone_e164', ['GB']);
    expect(f('020 7946 0958')).toBe(f('020 7946 0958'));
    expect(() => forward('phone_e164', ['US'])('020 7946 0958')).toThrow(TransformError);
  });
});
