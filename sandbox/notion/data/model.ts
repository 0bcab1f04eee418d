/**
 * The Notion simulator's records, as it keeps them (not as the API shows them: see
 * serialize.ts). Times are epoch ms; the API shows them rounded down to the minute.
 */

export type PropertyType =
  | 'title'
  | 'rich_text'
  | 'number'
  | 'select'
  | 'multi_select'
  | 'status'
  | 'date'
  | 'people'
  | 'files'
  | 'checkbox'
  | 'url'
  | 'email'
  | 'phone_number'
  | 'formula'
  | 'relation'
  | 'rollup'
  | 'created_time'
  | 'created_by'
  | 'last_edited_time'
  | 'last_edited_by'
  | 'unique_id';

/** Types whose values Notion computes; writes to them are validation errors. */
export const COMPUTED_TYPES: ReadonlySet<PropertyType> = new Set([
  'formula',
  'rollup',
  'created_time',
  'created_by',
  'last_edited_time',
  'last_edited_by',
  'unique_id',
]);

export interface SelectOption {
  id: string;
  name: string;
  color: string;
  description?: string | null;
}

export interface RichText {
  type: 'text';
  text: { content: string; link: { url: string } | null };
  annotations: {
    bold: boolean;
    italic: boolean;
    strikethrough: boolean;
    underline: boolean;
    code: boolean;
    color: string;
  };
  plain_text: string;
  href: string | null;
}

export interface DateValue {
  start: string;
  end: string | null;
  time_zone: string | null;
}

export interface FileValue {
  name: string;
  type: 'external';
  external: { url: string };
}

/** One column of a data source, with the configuration Notion shows in its schema. */
export interface PropertySchema {
  id: string;
  name: string;
  type: PropertyType;
  description?: string;
  /** The type-specific configuration object (`{ options: [...] }`, `{ format: 'number' }`, ...). */
  config: Record<string, unknown>;
}

/**
 * The stored value of a writable property, in Notion's inner value shape:
 * title/rich_text -> RichText[], number -> number|null, select/status -> SelectOption|null,
 * multi_select -> SelectOption[], date -> DateValue|null, people -> user ids, files ->
 * FileValue[], checkbox -> boolean, url/email/phone_number -> string|null, relation -> page ids.
 */
export type StoredValue = RichText[] | number | null | SelectOption | SelectOption[] | DateValue | string[] | FileValue[] | boolean | string;

export interface NotionUser {
  id: string;
  type: 'person' | 'bot';
  name: string;
  email: string | null;
  avatarUrl: string | null;
}

export interface DatabaseRecord {
  id: string;
  title: string;
  createdAt: number;
  editedAt: number;
  createdBy: string;
  editedBy: string;
  inTrash: boolean;
  dataSourceIds: string[];
}

export interface DataSourceRecord {
  id: string;
  databaseId: string;
  name: string;
  createdAt: number;
  editedAt: number;
  createdBy: string;
  editedBy: string;
  inTrash: boolean;
  /** Ordered schema; `title` is always present and has id `title`. */
  properties: PropertySchema[];
  /** Prefix for `unique_id` values, and the next number to hand out. */
  uniquePrefix: string | null;
  nextUniqueNumber: number;
  /** The object name the control API uses (`contacts`, `tasks`). */
  objectName: string;
}

export interface PageRecord {
  id: string;
  dataSourceId: string;
  databaseId: string;
  createdAt: number;
  editedAt: number;
  createdBy: string;
  editedBy: string;
  inTrash: boolean;
  uniqueNumber: number;
  /** Writable property values by property id. */
  values: Map<string, StoredValue>;
  blockIds: string[];
}

export interface BlockRecord {
  id: string;
  pageId: string;
  createdAt: number;
  editedAt: number;
  createdBy: string;
  editedBy: string;
  inTrash: boolean;
  type: string;
  /** The type-specific body (`{ rich_text: [...], color: 'default' }`). */
  content: Record<string, unknown>;
}
