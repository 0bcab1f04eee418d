/**
 * Small helpers over ProviderHttp for Salesforce's REST API v60.0: paths under the
 * connection's instance URL, Salesforce's datetime format, the describe call, and the
 * one place that turns an sObject row into an ExternalRecord.
 *
 * Paths are relative (no leading slash) so that they resolve under the connection's
 * base URL even when it has a path (the sandbox mounts Salesforce under `/salesforce`);
 * paths Salesforce hands back (`nextRecordsUrl`, `/services/data/...`) go through
 * `relativePath` for the same reason.
 */
import { TributaryError } from '../../domain/errors.ts';
import type { ExternalRecord, ProviderContext } from '../provider.ts';
import { statusOfError } from './errors.ts';

export const SALESFORCE_API_VERSION = 'v60.0';

/** A REST path under `/services/data/v60.0/`. */
export function dataPath(rest: string): string {
  return `services/data/${SALESFORCE_API_VERSION}/${rest.replace(/^\//, '')}`;
}

/** A path Salesforce returned (absolute from the instance root) as one under the base URL. */
export function relativePath(path: string): string {
  return /^https?:\/\//i.test(path) ? path : path.replace(/^\/+/, '');
}

/** Epoch ms of a Salesforce datetime (`2024-01-15T10:30:00.000+0000`, or any ISO 8601). */
export function parseSfDate(value: unknown): number | null {
  if (typeof value !== 'string' || value === '') return null;
  const ms = Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isNaN(ms) ? null : ms;
}

/** A datetime literal SOQL and the replication endpoints accept: `2024-01-15T10:30:00.000Z`. */
export function sfDateTime(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * The current time for replication windows. ProviderContext has no clock yet; an engine
 * that passes `now()` on the context (the sandbox-synced clock in tests, an injected
 * Clock in production) is honoured, otherwise the system time.
 */
export function nowOf(ctx: ProviderContext): number {
  const now = (ctx as { now?: unknown }).now;
  return typeof now === 'function' ? Number((now as () => number)()) : Date.now();
}

export function asObject(value: unknown, what: string): Record<string, unknown> {
  if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  throw new TributaryError('PROVIDER_UNAVAILABLE', `Salesforce answered ${what} with an unexpected body`, { details: { provider: 'salesforce' } });
}

// The shape Salesforce gives every datetime field: milliseconds and an explicit UTC offset.
const UTC_STAMP = /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}\+0000$/;

/**
 * A Salesforce datetime as ISO 8601 in UTC (`2024-01-15T10:30:00.000Z`), or null when it
 * is not one. Every record of a pull passes here (its SystemModstamp): the UTC shape
 * Salesforce sends is rewritten in place, without parsing it into a Date and printing it
 * back; any other form goes through `parseSfDate`.
 */
export function sfIso(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const utc = UTC_STAMP.exec(value);
  if (utc !== null) {
    const month = Number(utc[2]);
    const day = Number(utc[3]);
    if (month >= 1 && month <= 12 && day >= 1 && day <= daysIn(Number(utc[1]), month)) return `${value.slice(0, 23)}Z`;
  }
  const ms = parseSfDate(value);
  return ms === null ? null : sfDateTime(ms);
}

function daysIn(year: number, month: number): number {
  if (month !== 2) return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
}

/** An sObject row as an ExternalRecord: id = Id, version = modifiedAt = SystemModstamp. */
export function toRecord(row: Record<string, unknown>): ExternalRecord {
  const id = typeof row.Id === 'string' ? row.Id : '';
  const iso = sfIso(row.SystemModstamp) ?? sfIso(row.LastModifiedDate);
  return { id, version: iso, modifiedAt: iso, data: row };
}

export interface DescribeField {
  name: string;
  label?: string;
  type: string;
  custom?: boolean;
  nillable?: boolean;
  createable?: boolean;
  updateable?: boolean;
  defaultedOnCreate?: boolean;
  picklistValues?: { value: string; active?: boolean }[];
  referenceTo?: string[];
  /** A reference field's name for its parent in SOQL (`Account` for AccountId), null for others. */
  relationshipName?: string | null;
}

export interface SObjectDescribe {
  name: string;
  label: string;
  custom?: boolean;
  createable?: boolean;
  updateable?: boolean;
  deletable?: boolean;
  fields: DescribeField[];
}

/** `GET sobjects/{Type}/describe`: the object's fields, including custom `__c` ones. */
export async function describeSObject(ctx: ProviderContext, type: string): Promise<SObjectDescribe> {
  const response = await ctx.http.request({ method: 'GET', path: dataPath(`sobjects/${encodeURIComponent(type)}/describe`), operation: 'read', bucket: 'describe' });
  const body = asObject(response.body, 'describe');
  if (!Array.isArray(body.fields)) throw new TributaryError('PROVIDER_UNAVAILABLE', `Salesforce describe of ${type} has no fields`, { details: { provider: 'salesforce' } });
  return body as unknown as SObjectDescribe;
}

/** How long `describeSObjectCached` keeps a describe, and for how many (connection, type) pairs at most. */
const DESCRIBE_TTL_MS = 10 * 60_000;
const DESCRIBES_KEPT = 1_000;
const describes = new Map<string, { until: number; describe: Promise<SObjectDescribe> }>();

/**
 * A describe kept for ten minutes per connection and type, for reads that would otherwise
 * describe every time (`fetchOne` of each record a webhook names). Fields change rarely;
 * a run's reads describe afresh (readSObjectPage). A failed describe is not kept, but a
 * type that does not exist for this user (404) stays unknown as long.
 */
export function describeSObjectCached(ctx: ProviderContext, type: string): Promise<SObjectDescribe> {
  const key = `${ctx.connection.id}\u0000${type}`;
  const now = Date.now();
  const kept = describes.get(key);
  if (kept !== undefined && kept.until > now) return kept.describe;
  const describe = describeSObject(ctx, type);
  describes.delete(key);
  describes.set(key, { until: now + DESCRIBE_TTL_MS, describe });
  describe.catch((error: unknown) => {
    if (statusOfError(error) !== 404 && describes.get(key)?.describe === describe) describes.delete(key);
  });
  // Insertion order: the first key is the oldest.
  if (describes.size > DESCRIBES_KEPT) describes.delete(describes.keys().next().value!);
  return describe;
}

/** Types SOQL cannot select in a multi-row query, or that only repeat other columns. */
const UNSELECTABLE = new Set(['base64', 'address', 'location']);

const selectable = (field: DescribeField): boolean => !UNSELECTABLE.has(field.type);

/** The field names a sync selects: every field except compound and binary ones. */
export function selectableFields(describe: SObjectDescribe): string[] {
  return describe.fields.filter(selectable).map((f) => f.name);
}

/**
 * The fields a read selects: every selectable field, and each parent field among `paths`
 * (`Account.Name`, where the mapping reads it). Salesforce sends a parent's fields only
 * when the query names them, and refuses a whole query that names one it does not know
 * (INVALID_FIELD). So a parent path is selected only when the describes know both its
 * relationship on this object (with one parent type: a polymorphic one such as Who is
 * left out) and its field on the parent (a parent type that cannot be described is left
 * out). A path left out reads as missing, as every parent path did before. One level up
 * only: `Account.Owner.Name` is left out. Each parent type is described once, with
 * `describeParent`.
 */
export async function queryFields(
  ctx: ProviderContext,
  describe: SObjectDescribe,
  paths: readonly string[] = [],
  describeParent: (ctx: ProviderContext, type: string) => Promise<SObjectDescribe> = describeSObject,
): Promise<string[]> {
  const fields = selectableFields(describe);
  const parents = new Map<string, Promise<SObjectDescribe | null>>();
  for (const path of paths) {
    const [relationship, name, ...deeper] = path.split('.');
    if (name === undefined || deeper.length > 0) continue;
    const via = describe.fields.find((f) => f.relationshipName?.toLowerCase() === relationship!.toLowerCase());
    const parentType = via?.referenceTo?.length === 1 ? via.referenceTo[0]! : null;
    if (!via || parentType === null) continue;
    let parent = parents.get(parentType);
    if (parent === undefined) {
      // A parent type this user cannot describe (404) cannot be queried either; other failures fail the read.
      parent = describeParent(ctx, parentType).catch((error: unknown) => (statusOfError(error) === 404 ? null : Promise.reject(error)));
      parents.set(parentType, parent);
    }
    const field = (await parent)?.fields.find((f) => f.name.toLowerCase() === name.toLowerCase() && selectable(f));
    const column = field === undefined ? null : `${via.relationshipName}.${field.name}`;
    if (column !== null && !fields.includes(column)) fields.push(column);
  }
  return fields;
}

/** Quotes a value for a SOQL string literal. */
export function soqlString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
