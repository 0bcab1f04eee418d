/**
 * Notion values: rich text arrays and property values. Shapes follow the Notion API's
 * page property values (`{ id, type, [type]: value }`) and rich text objects
 * (`{ type: "text", text: { content, link }, annotations, plain_text, href }`).
 */
import type { TransformDef } from './types.ts';
import { TransformError, arg, describe, expectArray, expectString } from './types.ts';
import { setOwn } from '../path.ts';

/** Notion rejects rich text objects whose content exceeds 2,000 characters. */
const NOTION_TEXT_LIMIT = 2000;

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Concatenated `plain_text` (or `text.content`) of a rich text array. */
export function richTextToPlain(value: unknown): string {
  return expectArray(value, 'notion_rich_text')
    .map((part) => {
      if (!isObject(part)) return '';
      if (typeof part.plain_text === 'string') return part.plain_text;
      const text = part.text;
      return isObject(text) && typeof text.content === 'string' ? text.content : '';
    })
    .join('');
}

/** Plain text as a Notion rich text array, cut into 2,000-character text objects. */
export function plainToRichText(text: string): Json[] {
  const chars = Array.from(text);
  const out: Json[] = [];
  for (let i = 0; i < chars.length; i += NOTION_TEXT_LIMIT) {
    out.push({ type: 'text', text: { content: chars.slice(i, i + NOTION_TEXT_LIMIT).join('') } });
  }
  return out;
}

function nameOf(option: unknown): string | null {
  return isObject(option) && typeof option.name === 'string' ? option.name : null;
}

function idsOf(list: unknown): string[] {
  return Array.isArray(list) ? list.filter(isObject).map((x) => String(x.id)) : [];
}

/**
 * One property value -> a plain entity value chosen by the property's type: text for
 * title/rich_text, the option name for select/status, names for multi_select, the start
 * for dates, ids for people/relation, URLs for files, the computed value for formula and
 * rollup, `PREFIX-123` for unique_id.
 */
export function notionPropertyValue(property: unknown): unknown {
  if (!isObject(property) || typeof property.type !== 'string') throw new TransformError(`not a Notion property value: ${describe(property)}`);
  const type = property.type;
  const v = property[type];
  switch (type) {
    case 'title':
    case 'rich_text':
      return richTextToPlain(v ?? []);
    case 'number':
    case 'checkbox':
    case 'url':
    case 'email':
    case 'phone_number':
    case 'created_time':
    case 'last_edited_time':
      return v ?? null;
    case 'select':
    case 'status':
      return nameOf(v);
    case 'multi_select':
      return Array.isArray(v) ? v.map(nameOf).filter((x) => x !== null) : [];
    case 'date':
      return isObject(v) ? (v.start ?? null) : null;
    case 'people':
    case 'relation':
      return idsOf(v);
    case 'created_by':
    case 'last_edited_by':
      return isObject(v) ? (v.id ?? null) : null;
    case 'files':
      return Array.isArray(v)
        ? v.filter(isObject).map((f) => {
            const holder = f[String(f.type)];
            return isObject(holder) && typeof holder.url === 'string' ? holder.url : f.name;
          })
        : [];
    case 'formula':
    case 'rollup': {
      if (!isObject(v)) return null;
      const inner = v[String(v.type)];
      if (v.type === 'date') return isObject(inner) ? (inner.start ?? null) : null;
      if (v.type === 'array') return Array.isArray(inner) ? inner.map((p) => (isObject(p) && typeof p.type === 'string' ? notionPropertyValue(p) : p)) : [];
      return inner ?? null;
    }
    case 'unique_id':
      return isObject(v) && v.number !== null && v.number !== undefined ? (v.prefix ? `${String(v.prefix)}-${String(v.number)}` : v.number) : null;
    case 'verification':
      return isObject(v) ? (v.state ?? null) : null;
    default:
      return null;
  }
}

/** Property types a page update can write, and how to build their input value. */
const WRITERS: Record<string, (v: unknown) => unknown> = {
  title: (v) => plainToRichText(v === null ? '' : expectString(v, 'notion_property')),
  rich_text: (v) => plainToRichText(v === null ? '' : expectString(v, 'notion_property')),
  number: (v) => v,
  checkbox: (v) => v,
  url: (v) => v,
  email: (v) => v,
  phone_number: (v) => v,
  select: (v) => (v === null ? null : { name: expectString(v, 'notion_property') }),
  status: (v) => (v === null ? null : { name: expectString(v, 'notion_property') }),
  multi_select: (v) => expectArray(v ?? [], 'notion_property').map((name) => ({ name: String(name) })),
  date: (v) => (v === null ? null : { start: expectString(v, 'notion_property') }),
  people: (v) => expectArray(v ?? [], 'notion_property').map((id) => ({ object: 'user', id: String(id) })),
  relation: (v) => expectArray(v ?? [], 'notion_property').map((id) => ({ id: String(id) })),
};

export const NOTION_PROPERTY_TYPES = [
  'title', 'rich_text', 'number', 'select', 'multi_select', 'status', 'date', 'people', 'files', 'checkbox', 'url', 'email',
  'phone_number', 'formula', 'relation', 'rollup', 'created_time', 'created_by', 'last_edited_time', 'last_edited_by', 'unique_id', 'verification',
] as const;

export const NOTION_TRANSFORMS: readonly TransformDef[] = [
  {
    name: 'notion_rich_text',
    doc: 'A Notion rich text array -> plain text. Inverse: plain text -> a rich text array (2,000-character pieces).',
    input: 'array',
    output: 'string',
    args: [],
    make: () => (v) => richTextToPlain(v),
    inverse: { kind: 'exact', make: () => (v) => plainToRichText(expectString(v, 'notion_rich_text')) },
  },
  {
    name: 'notion_property',
    doc: 'A Notion property value (`properties.Status`) -> a plain value by its type. Inverse when `type` is given and writable (title, rich_text, number, select, multi_select, status, date, people, relation, checkbox, url, email, phone_number): the property input value.',
    input: 'object',
    output: 'any',
    args: [{ name: 'type', type: 'string', required: false, doc: 'The property type, needed to write back.', oneOf: NOTION_PROPERTY_TYPES }],
    make: (args) => {
      const type = arg<string | null>(args, 0, null);
      return (v) => {
        if (type === null || !isObject(v)) return notionPropertyValue(v);
        // Property input values (what the inverse writes) carry no `type`.
        if (v.type === undefined && Object.hasOwn(v, type)) return notionPropertyValue({ ...v, type });
        if (v.type !== type) throw new TransformError(`property is ${describe(v.type)}, not ${type}`);
        return notionPropertyValue(v);
      };
    },
    inverse: {
      kind: 'exact',
      available: (args) => typeof args[0] === 'string' && Object.hasOwn(WRITERS, args[0]),
      make: (args) => {
        const type = String(args[0]);
        const write = WRITERS[type] as (v: unknown) => unknown;
        return (v) => ({ [type]: write(v) });
      },
    },
  },
  {
    name: 'notion_properties',
    doc: 'A page\'s whole `properties` object -> { name: plain value } for every property, each read by its type. Not invertible (the types are not in the values).',
    input: 'object',
    output: 'object',
    args: [],
    make: () => (v) => {
      if (!isObject(v)) throw new TransformError(`not a Notion properties object: ${describe(v)}`);
      const out: Json = {};
      for (const [name, property] of Object.entries(v)) {
        let plain: unknown = null;
        try {
          plain = notionPropertyValue(property);
        } catch {
          plain = null;
        }
        setOwn(out, name, plain);
      }
      return out;
    },
  },
];
