/** Text transforms: whitespace, case, truncation, templates, regular expressions. */
import type { TransformDef } from './types.ts';
import { TransformError, arg, expectArray, expectString, identity, normalizingInverse } from './types.ts';

function titleCase(text: string): string {
  return text.toLowerCase().replace(/(^|[\s\-'’(/])(\p{L})/gu, (_m, sep: string, ch: string) => sep + ch.toUpperCase());
}

function isEmpty(v: unknown): boolean {
  return v === null || v === undefined || v === '';
}

export const TEXT_TRANSFORMS: readonly TransformDef[] = [
  {
    name: 'trim',
    doc: 'Removes leading and trailing whitespace.',
    input: 'string',
    output: 'string',
    args: [],
    make: () => (v) => expectString(v, 'trim').trim(),
    inverse: normalizingInverse,
  },
  {
    name: 'collapse_whitespace',
    doc: 'Trims and turns every run of whitespace into one space.',
    input: 'string',
    output: 'string',
    args: [],
    make: () => (v) => expectString(v, 'collapse_whitespace').replace(/\s+/g, ' ').trim(),
    inverse: normalizingInverse,
  },
  {
    name: 'lower',
    doc: 'Lower case.',
    input: 'string',
    output: 'string',
    args: [],
    make: () => (v) => expectString(v, 'lower').toLowerCase(),
    inverse: normalizingInverse,
  },
  {
    name: 'upper',
    doc: 'Upper case.',
    input: 'string',
    output: 'string',
    args: [],
    make: () => (v) => expectString(v, 'upper').toUpperCase(),
    inverse: normalizingInverse,
  },
  {
    name: 'title_case',
    doc: 'Capitalises the first letter of every word ("ada LOVELACE" -> "Ada Lovelace").',
    input: 'string',
    output: 'string',
    args: [],
    make: () => (v) => titleCase(expectString(v, 'title_case')),
    inverse: normalizingInverse,
  },
  {
    name: 'truncate',
    doc: 'Cuts text to at most `length` characters, ending with `ellipsis` (default none) when cut. Not invertible.',
    input: 'string',
    output: 'string',
    args: [
      { name: 'length', type: 'integer', required: true, doc: 'Maximum length, at least 1.' },
      { name: 'ellipsis', type: 'string', required: false, doc: 'Appended when cut; counts toward the length.' },
    ],
    make: (args) => {
      const max = Math.max(1, arg(args, 0, 1));
      const ellipsis = arg(args, 1, '');
      return (v) => {
        const chars = Array.from(expectString(v, 'truncate'));
        if (chars.length <= max) return chars.join('');
        return chars.slice(0, Math.max(0, max - ellipsis.length)).join('') + ellipsis.slice(0, max);
      };
    },
  },
  {
    name: 'to_string',
    doc: 'Converts numbers and booleans to text; arrays are joined with ", "; objects as JSON. Not invertible.',
    input: 'any',
    output: 'string',
    args: [],
    make: () => (v) => {
      if (typeof v === 'string') return v;
      if (Array.isArray(v)) return v.map((x) => (typeof x === 'object' && x !== null ? JSON.stringify(x) : String(x))).join(', ');
      if (typeof v === 'object') return JSON.stringify(v);
      return String(v);
    },
  },
  {
    name: 'prefix',
    doc: 'Puts `text` in front of the value; the inverse removes it.',
    input: 'string',
    output: 'string',
    args: [{ name: 'text', type: 'string', required: true, doc: 'The prefix.' }],
    make: (args) => {
      const p = arg(args, 0, '');
      return (v) => p + expectString(v, 'prefix');
    },
    inverse: {
      kind: 'exact',
      make: (args) => {
        const p = arg(args, 0, '');
        return (v) => {
          const s = expectString(v, 'prefix');
          if (!s.startsWith(p)) throw new TransformError(`value does not start with ${JSON.stringify(p)}`);
          return s.slice(p.length);
        };
      },
    },
  },
  {
    name: 'template',
    doc: 'Fills a template: `{0}`, `{1}` take elements of the sources array, `{name}` keys of an object, `{}` the value itself; missing parts become empty. Not invertible.',
    input: 'any',
    output: 'string',
    args: [{ name: 'template', type: 'string', required: true, doc: 'For example "{0} ({1})".' }],
    acceptsNullish: true,
    multiSource: true,
    make: (args) => {
      const template = arg(args, 0, '');
      return (v) =>
        template
          .replace(/\{([^{}]*)\}/g, (_m, key: string) => {
            let part: unknown;
            if (key === '') part = v;
            else if (Array.isArray(v) && /^\d+$/.test(key)) part = v[Number(key)];
            else if (typeof v === 'object' && v !== null) part = (v as Record<string, unknown>)[key];
            return isEmpty(part) ? '' : typeof part === 'object' ? JSON.stringify(part) : String(part);
          })
          .trim();
    },
  },
  {
    name: 'concat',
    doc: 'Joins the non-empty values of an array (or a field\'s sources) with `separator` (default ""). Not invertible.',
    input: 'array',
    output: 'string',
    args: [{ name: 'separator', type: 'string', required: false, doc: 'Placed between values.' }],
    multiSource: true,
    make: (args) => {
      const sep = arg(args, 0, '');
      return (v) => {
        const parts = expectArray(v, 'concat').filter((x) => !isEmpty(x));
        return parts.map((x) => (typeof x === 'object' ? JSON.stringify(x) : String(x))).join(sep);
      };
    },
  },
  {
    name: 'compound_key',
    doc: 'Joins every element of an array (a field\'s sources) with `separator` (default ":"); null when any is missing. For ids made of several parts (Slack channel + ts). Not invertible.',
    input: 'array',
    output: 'string',
    args: [{ name: 'separator', type: 'string', required: false, doc: 'Default ":".' }],
    multiSource: true,
    make: (args) => {
      const sep = arg(args, 0, ':');
      return (v) => {
        const parts = expectArray(v, 'compound_key');
        if (parts.some((x) => isEmpty(x) || typeof x === 'object')) return null;
        return parts.map(String).join(sep);
      };
    },
  },
  {
    name: 'regex_extract',
    doc: 'The first match of `pattern` (or its capture `group`, default 0); no match gives null. Not invertible.',
    input: 'string',
    output: 'string',
    args: [
      { name: 'pattern', type: 'regex', required: true, doc: 'A JavaScript regular expression source.' },
      { name: 'group', type: 'integer', required: false, doc: 'Capture group number (default 0, the whole match).' },
      { name: 'flags', type: 'string', required: false, doc: 'Regular expression flags, such as "i".' },
    ],
    make: (args) => {
      const re = new RegExp(arg(args, 0, ''), arg(args, 2, '').replace('g', ''));
      const group = arg(args, 1, 0);
      return (v) => {
        const m = re.exec(expectString(v, 'regex_extract'));
        return m ? (m[group] ?? null) : null;
      };
    },
  },
  {
    name: 'regex_replace',
    doc: 'Replaces every match of `pattern` by `replacement` (`$1` refers to groups). Not invertible.',
    input: 'string',
    output: 'string',
    args: [
      { name: 'pattern', type: 'regex', required: true, doc: 'A JavaScript regular expression source.' },
      { name: 'replacement', type: 'string', required: true, doc: 'Replacement text.' },
      { name: 'flags', type: 'string', required: false, doc: 'Extra flags ("i"); "g" is always on.' },
    ],
    make: (args) => {
      const flags = arg(args, 2, '');
      const re = new RegExp(arg(args, 0, ''), flags.includes('g') ? flags : `${flags}g`);
      const replacement = arg(args, 1, '');
      return (v) => expectString(v, 'regex_replace').replace(re, replacement);
    },
  },
  {
    name: 'slugify',
    doc: 'Lower-case ASCII words joined by "-" ("Héllo World!" -> "hello-world"). Not invertible.',
    input: 'string',
    output: 'string',
    args: [],
    make: () => (v) =>
      expectString(v, 'slugify')
        .normalize('NFKD')
        .replace(/[\u0300-\u036f]/g, '')
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-+|-+$/g, ''),
  },
  {
    name: 'nullify_empty',
    doc: 'Turns "", whitespace-only text and empty arrays into null (so defaults apply).',
    input: 'any',
    output: 'any',
    args: [],
    make: () => (v) => ((typeof v === 'string' && v.trim() === '') || (Array.isArray(v) && v.length === 0) ? null : v),
    inverse: { kind: 'normalizing', make: () => identity },
  },
];

