/**
 * Reading one sObject row and writing rows: create (POST, 201 `{id}`), update (PATCH,
 * 204) with Salesforce's preconditions, delete, and batched creates through the
 * composite sObject collections endpoint (`composite/sobjects`, allOrNone false, 200
 * rows a call).
 *
 * Versions are SystemModstamp (what SOQL returns, so the sync engine compares like with
 * like). On update with `expectedVersion`:
 * - Account: an ETag (`"…"`) is sent as `If-Match`; a SystemModstamp is checked by a GET
 *   that also reads the row's ETag, which is then sent as `If-Match`, so a change between
 *   the check and the write still fails with 412.
 * - other objects: `If-Unmodified-Since` (second precision, as HTTP dates are).
 * A failed precondition is a CONFLICT error. Writes answer no body, so update and create
 * read the row back to return it.
 */
import { TributaryError } from '../../../domain/errors.ts';
import type { ExternalRecord, ProviderContext, WriteOptions } from '../../provider.ts';
import { asObject, dataPath, describeSObject, describeSObjectCached, parseSfDate, queryFields, selectableFields, soqlString, toRecord } from '../client.ts';
import { salesforceErrorOf, statusOfError } from '../errors.ts';

/** Rows per composite sObject collections call (Salesforce's limit). */
export const COMPOSITE_BATCH_SIZE = 200;

const rowPath = (type: string, id: string) => dataPath(`sobjects/${encodeURIComponent(type)}/${encodeURIComponent(id)}`);
const isEtag = (version: string) => /^(W\/)?".*"$/.test(version.trim());

/**
 * One row by id, with the parent fields among `paths` (`Account.Name`) as a pull's query
 * selects them (queryFields), so that a record a webhook names maps as a pulled one does.
 * Those come only from a query; without them, the row's own resource.
 */
export async function fetchSObject(ctx: ProviderContext, type: string, id: string, paths: readonly string[] = []): Promise<ExternalRecord | null> {
  if (paths.some((path) => path.includes('.'))) {
    const fields = await queryFields(ctx, await describeSObjectCached(ctx, type), paths, describeSObjectCached);
    if (fields.some((field) => field.includes('.'))) return (await fetchMany(ctx, type, [id], fields))[0] ?? null;
  }
  return (await fetchWithEtag(ctx, type, id))?.record ?? null;
}

async function fetchWithEtag(ctx: ProviderContext, type: string, id: string): Promise<{ record: ExternalRecord; etag: string | null } | null> {
  try {
    const response = await ctx.http.request({ method: 'GET', path: rowPath(type, id), operation: 'read' });
    return { record: toRecord(asObject(response.body, 'a record read')), etag: response.headers.etag ?? null };
  } catch (error) {
    if (statusOfError(error) === 404) return null;
    throw error;
  }
}

function conflict(type: string, id: string, expected: string, actual: string | null): TributaryError {
  return new TributaryError('CONFLICT', `Salesforce ${type} ${id} changed since version ${expected}`, {
    details: { provider: 'salesforce', status: 412, object: type, id, expectedVersion: expected, actualVersion: actual },
  });
}

async function readBack(ctx: ProviderContext, type: string, id: string): Promise<ExternalRecord> {
  const record = await fetchSObject(ctx, type, id);
  if (!record) throw new TributaryError('PROVIDER_REJECTED', `Salesforce ${type} ${id} vanished right after the write`, { details: { provider: 'salesforce', status: 404, object: type, id } });
  return record;
}

export async function createSObject(ctx: ProviderContext, type: string, data: Record<string, unknown>): Promise<ExternalRecord> {
  const response = await ctx.http.request({ method: 'POST', path: dataPath(`sobjects/${encodeURIComponent(type)}/`), body: data, operation: 'write' });
  const id = asObject(response.body, 'a create').id;
  if (typeof id !== 'string') throw new TributaryError('PROVIDER_UNAVAILABLE', `Salesforce create of ${type} answered no id`, { details: { provider: 'salesforce' } });
  return readBack(ctx, type, id);
}

async function preconditionHeaders(ctx: ProviderContext, type: string, id: string, expected: string): Promise<Record<string, string>> {
  if (isEtag(expected)) {
    if (type !== 'Account') {
      throw new TributaryError('PROVIDER_BAD_DATA', `Salesforce supports ETag preconditions on Account only, not ${type}`, { details: { provider: 'salesforce', object: type } });
    }
    return { 'if-match': expected };
  }
  const expectedMs = parseSfDate(expected);
  if (expectedMs === null) throw new TributaryError('VALIDATION_FAILED', `Not a Salesforce version: ${expected}`, { field: 'expectedVersion' });
  if (type === 'Account') {
    const current = await fetchWithEtag(ctx, type, id);
    if (!current) throw new TributaryError('PROVIDER_REJECTED', `Salesforce ${type} ${id} does not exist`, { details: { provider: 'salesforce', status: 404, object: type, id } });
    if (parseSfDate(current.record.version) !== expectedMs) throw conflict(type, id, expected, current.record.version);
    if (current.etag) return { 'if-match': current.etag };
  }
  return { 'if-unmodified-since': new Date(expectedMs).toUTCString() };
}

export async function updateSObject(ctx: ProviderContext, type: string, id: string, patch: Record<string, unknown>, options: WriteOptions = {}): Promise<ExternalRecord> {
  const headers = options.expectedVersion ? await preconditionHeaders(ctx, type, id, options.expectedVersion) : {};
  await ctx.http.request({ method: 'PATCH', path: rowPath(type, id), headers, body: patch, operation: 'write' });
  return readBack(ctx, type, id);
}

/**
 * Deletes a row; deleting one already gone succeeds (the call is idempotent). Salesforce
 * has no conditional DELETE, so `expectedVersion` is checked by a read first (a race
 * between the read and the delete is not detected).
 */
export async function deleteSObject(ctx: ProviderContext, type: string, id: string, options: WriteOptions = {}): Promise<void> {
  if (options.expectedVersion) {
    const current = await fetchSObject(ctx, type, id);
    if (!current) return;
    if (parseSfDate(current.version) !== parseSfDate(options.expectedVersion)) throw conflict(type, id, options.expectedVersion, current.version);
  }
  try {
    await ctx.http.request({ method: 'DELETE', path: rowPath(type, id), operation: 'write' });
  } catch (error) {
    if (statusOfError(error) === 404) return;
    throw error;
  }
}

interface CompositeResult {
  id?: string | null;
  success?: boolean;
  errors?: { statusCode?: string; message?: string; fields?: string[] }[];
}

/**
 * Creates rows in batches of 200 with allOrNone false, then reads them back with one
 * SOQL query per batch. When some rows fail, the rows that were created stay created
 * and a PROVIDER_BAD_DATA error lists every row's outcome in `details.results`
 * (`{index, id}` or `{index, errors}`), so the caller can record the created ids and
 * fix the others.
 */
export async function createManySObjects(ctx: ProviderContext, type: string, items: Record<string, unknown>[]): Promise<ExternalRecord[]> {
  const results: { index: number; id?: string; errors?: unknown[] }[] = [];
  const created: (string | null)[] = [];
  for (let offset = 0; offset < items.length; offset += COMPOSITE_BATCH_SIZE) {
    const batch = items.slice(offset, offset + COMPOSITE_BATCH_SIZE);
    const response = await ctx.http.request({
      method: 'POST',
      path: dataPath('composite/sobjects'),
      body: { allOrNone: false, records: batch.map((item) => ({ attributes: { type }, ...item })) },
      operation: 'write',
      bucket: 'composite',
    });
    const answers = Array.isArray(response.body) ? (response.body as CompositeResult[]) : [];
    batch.forEach((_, i) => {
      const answer = answers[i];
      if (answer?.success && typeof answer.id === 'string') {
        results.push({ index: offset + i, id: answer.id });
        created.push(answer.id);
      } else {
        results.push({ index: offset + i, errors: answer?.errors ?? [salesforceErrorOf(response.body) ?? { message: 'no result for this row' }] });
        created.push(null);
      }
    });
  }
  const records = await fetchMany(ctx, type, created.filter((id): id is string => id !== null));
  if (results.some((r) => r.errors)) {
    const failed = results.filter((r) => r.errors).length;
    throw new TributaryError('PROVIDER_BAD_DATA', `Salesforce refused ${failed} of ${items.length} ${type} rows`, { details: { provider: 'salesforce', object: type, results } });
  }
  return records;
}

/** Reads rows by id (200 per SOQL query), in the order of `ids`, with `select`'s fields or every selectable one. */
async function fetchMany(ctx: ProviderContext, type: string, ids: string[], select?: readonly string[]): Promise<ExternalRecord[]> {
  if (ids.length === 0) return [];
  const fields = select ?? selectableFields(await describeSObject(ctx, type));
  const byId = new Map<string, ExternalRecord>();
  for (let offset = 0; offset < ids.length; offset += COMPOSITE_BATCH_SIZE) {
    const chunk = ids.slice(offset, offset + COMPOSITE_BATCH_SIZE);
    const q = `SELECT ${fields.join(', ')} FROM ${type} WHERE Id IN (${chunk.map(soqlString).join(', ')})`;
    const body = asObject((await ctx.http.request({ method: 'GET', path: dataPath('query/'), query: { q }, operation: 'read', bucket: 'query' })).body, 'query');
    for (const row of Array.isArray(body.records) ? (body.records as Record<string, unknown>[]) : []) {
      const record = toRecord(row);
      byId.set(record.id, record);
    }
  }
  return ids.map((id) => byId.get(id)).filter((r): r is ExternalRecord => r !== undefined);
}
