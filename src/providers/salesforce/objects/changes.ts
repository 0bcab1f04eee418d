/**
 * Reading an sObject's changes page by page.
 *
 * A run is one SOQL query, `SELECT <every selectable field, and the parent fields the
 * mapping reads (queryFields)> FROM <Type> WHERE SystemModstamp > <watermark> ORDER BY
 * SystemModstamp, Id`, followed through `nextRecordsUrl`. A full sync has no WHERE and
 * reads in Id order (see `soql`). The cursor of a page in the middle of a run holds the
 * run's starting watermark, its fields, the next locator, the highest SystemModstamp seen
 * and, on a full sync, the last Id read, so a crash resumes with the next page. If the
 * locator has expired meanwhile (Salesforce keeps them 15 minutes idle, 10 per user), the
 * query is re-run after the last Id read (a full sync) or from the highest SystemModstamp
 * seen, inclusive.
 *
 * The cursor that ends a run has the next watermark: the highest SystemModstamp seen
 * minus WATERMARK_OVERLAP_MS, because a long transaction can commit rows whose
 * SystemModstamp is older than rows already read. Rows in the overlap are delivered once:
 * the cursor remembers (id, SystemModstamp) of the rows it delivered there and skips
 * them when they come back unchanged.
 *
 * Deletions come from `sobjects/{Type}/deleted/?start&end` on the first page of an
 * incremental run, covering [last run's latestDateCovered, now]. A window that starts
 * before `earliestDateAvailable` or more than 15 days ago cannot be answered: the page
 * throws a TributaryError with `details.reason = CURSOR_EXPIRED` and the engine resyncs.
 */
import { TributaryError } from '../../../domain/errors.ts';
import { CURSOR_EXPIRED, type ChangePage, type Cursor, type ExternalDeletion, type ExternalRecord, type ProviderContext, type ReadOptions } from '../../provider.ts';
import { asObject, dataPath, describeSObject, nowOf, parseSfDate, queryFields, relativePath, sfDateTime, sfIso, soqlString, toRecord } from '../client.ts';
import { errorCodeOfError } from '../errors.ts';

/** How far the next run's watermark stays behind the highest SystemModstamp seen. */
export const WATERMARK_OVERLAP_MS = 60_000;
/** getDeleted answers for at most 15 days back; we stop a little short of it. */
export const DELETED_WINDOW_MS = 15 * 86_400_000 - 10 * 60_000;
/** getDeleted needs end - start to exceed one minute. */
const MIN_DELETED_WINDOW_MS = 61_000;
/** At most this many overlap rows are remembered for de-duplication (beyond: re-delivered). */
const MAX_REMEMBERED = 2_000;

interface RunState {
  /** The SOQL lower bound (exclusive) of this run; null on a full sync. */
  from: string | null;
  /** The next page's locator path, null before the query ran. */
  next: string | null;
  maxSeen: string | null;
  fields: string[];
  /** Start of the next deletion window, decided when the run began. */
  nextDeletedSince: string | null;
  /**
   * On a full sync, read in Id order: the last Id read (null before the first page). Absent
   * on an incremental run, and on a full one that an earlier version began in
   * SystemModstamp order (it goes on in that order).
   */
  lastId?: string | null;
}

/** The JSON a Salesforce cursor holds (Cursor is opaque to everyone else). */
export interface SalesforceCursor {
  v: 1;
  /** Lower bound (exclusive) of the next run's query; null: never synced. */
  watermark: string | null;
  /** Start of the next getDeleted window (the last latestDateCovered). */
  deletedSince: string | null;
  /** id -> SystemModstamp of rows delivered inside the overlap window. */
  recent: Record<string, string>;
  /** Present while a run is in progress. */
  run?: RunState;
}

function parseCursor(cursor: Cursor | null): SalesforceCursor {
  if (!cursor || cursor.v !== 1) return { v: 1, watermark: null, deletedSince: null, recent: {} };
  const c = cursor as unknown as SalesforceCursor;
  return { v: 1, watermark: c.watermark ?? null, deletedSince: c.deletedSince ?? null, recent: { ...(c.recent ?? {}) }, ...(c.run ? { run: { ...c.run } } : {}) };
}

function expired(type: string, why: string): TributaryError {
  return new TributaryError('PROVIDER_REJECTED', `Salesforce ${type} deletions can no longer be read (${why}); a full resync is needed`, {
    details: { provider: 'salesforce', reason: CURSOR_EXPIRED, object: type },
  });
}

/** Deletions in [since, now]: the records and the start of the next window. */
export async function readDeletions(ctx: ProviderContext, type: string, since: string, now: number): Promise<{ deletions: ExternalDeletion[]; nextSince: string }> {
  const start = parseSfDate(since);
  if (start === null) throw expired(type, 'the cursor has no valid deletion start');
  if (now - start > DELETED_WINDOW_MS) throw expired(type, 'the last sync is more than 15 days old');
  if (now - start < MIN_DELETED_WINDOW_MS) return { deletions: [], nextSince: since };
  let body: Record<string, unknown>;
  try {
    const response = await ctx.http.request({
      method: 'GET',
      path: dataPath(`sobjects/${encodeURIComponent(type)}/deleted/`),
      query: { start: sfDateTime(start), end: sfDateTime(now) },
      operation: 'read',
    });
    body = asObject(response.body, 'getDeleted');
  } catch (error) {
    if (errorCodeOfError(error) === 'INVALID_REPLICATION_DATE') throw expired(type, 'Salesforce refused the window');
    throw error;
  }
  const earliest = parseSfDate(body.earliestDateAvailable);
  if (earliest !== null && earliest > start) throw expired(type, 'deleted records were purged since the last sync');
  const rows = Array.isArray(body.deletedRecords) ? (body.deletedRecords as Record<string, unknown>[]) : [];
  const deletions = rows
    .filter((r) => typeof r.id === 'string')
    .map((r) => ({ id: r.id as string, deletedAt: sfIso(r.deletedDate) }));
  const latest = parseSfDate(body.latestDateCovered);
  return { deletions, nextSince: latest === null ? since : sfDateTime(latest) };
}

/**
 * The run's query; `resume` re-runs it after an expired locator, from where the run got to.
 *
 * An incremental run reads in SystemModstamp order, which its resumption needs: every row
 * before the highest SystemModstamp seen has been read. A full sync reads in Id order, and
 * resumes after the last Id read. The rows then reach the entity store in the order of its
 * link index (connection, object, external id), so a page's lookups and inserts land on
 * neighbouring index pages instead of all over the index. bench:ingest (100,000 contacts),
 * six alternated pairs: bytes written 1,532-1,538 -> 1,296-1,301 MB, records/s a median 8 %
 * higher (-10..+12 %). The watermark a full sync ends with is still the highest
 * SystemModstamp seen, whatever the order.
 */
function soql(type: string, run: RunState, resume: boolean): string {
  const select = `SELECT ${run.fields.join(', ')} FROM ${type}`;
  if (run.lastId !== undefined) return `${select}${resume && run.lastId !== null ? ` WHERE Id > ${soqlString(run.lastId)}` : ''} ORDER BY Id`;
  const from = resume ? (run.maxSeen ?? run.from) : run.from;
  const where = from === null ? '' : ` WHERE SystemModstamp ${resume && run.maxSeen !== null ? '>=' : '>'} ${from}`;
  return `${select}${where} ORDER BY SystemModstamp, Id`;
}

async function runQuery(ctx: ProviderContext, type: string, run: RunState, pageSize: number | undefined): Promise<Record<string, unknown>> {
  const headers: Record<string, string> = {};
  if (pageSize !== undefined) headers['sforce-query-options'] = `batchSize=${Math.min(2000, Math.max(200, Math.floor(pageSize)))}`;
  const fetchPage = async (request: { path: string; query?: Record<string, string> }) =>
    asObject((await ctx.http.request({ method: 'GET', ...request, headers, operation: 'read', bucket: 'query' })).body, 'query');
  if (run.next === null) return fetchPage({ path: dataPath('query/'), query: { q: soql(type, run, false) } });
  try {
    return await fetchPage({ path: relativePath(run.next) });
  } catch (error) {
    if (errorCodeOfError(error) !== 'INVALID_QUERY_LOCATOR') throw error;
    // The locator expired: start again where the run got to (soql). From the highest
    // SystemModstamp seen, the cursor's de-duplication drops the rows already delivered.
    return fetchPage({ path: dataPath('query/'), query: { q: soql(type, run, true) } });
  }
}

/** One page of changes of `type` since `cursor` (null: a full sync). */
export async function readSObjectPage(ctx: ProviderContext, type: string, cursor: Cursor | null, options: ReadOptions): Promise<ChangePage> {
  const state = parseCursor(cursor);
  let deletions: ExternalDeletion[] = [];
  let run = state.run;
  if (!run) {
    const now = nowOf(ctx);
    let nextDeletedSince: string | null = sfDateTime(now);
    if (state.watermark !== null && state.deletedSince !== null) {
      const read = await readDeletions(ctx, type, state.deletedSince, now);
      deletions = read.deletions;
      nextDeletedSince = read.nextSince;
    }
    const fields = await queryFields(ctx, await describeSObject(ctx, type), options.paths);
    run = { from: state.watermark, next: null, maxSeen: null, fields, nextDeletedSince, ...(state.watermark === null ? { lastId: null } : {}) };
  }

  const body = await runQuery(ctx, type, run, options.pageSize);
  const rows = Array.isArray(body.records) ? (body.records as Record<string, unknown>[]) : [];
  const records: ExternalRecord[] = [];
  let maxSeen = parseSfDate(run.maxSeen);
  for (const row of rows) {
    const record = toRecord(row);
    // toRecord's version is ISO 8601 in UTC (or null), which Date.parse reads directly.
    const stamp = record.version === null ? null : Date.parse(record.version);
    if (stamp !== null && (maxSeen === null || stamp > maxSeen)) maxSeen = stamp;
    if (record.version !== null && state.recent[record.id] === record.version) continue;
    records.push(record);
    if (record.version !== null) state.recent[record.id] = record.version;
  }
  run.maxSeen = maxSeen === null ? null : sfDateTime(maxSeen);
  // The last row is the highest Id in Salesforce's own order, the one `Id >` resumes in.
  const lastId = rows.at(-1)?.Id;
  if (run.lastId !== undefined && typeof lastId === 'string') run.lastId = lastId;
  const done = body.done !== false || typeof body.nextRecordsUrl !== 'string';
  const page: ChangePage = { records, deletions, cursor: {}, done };
  if (typeof body.totalSize === 'number' && run.next === null) page.total = body.totalSize;

  if (!done) {
    run.next = body.nextRecordsUrl as string;
    state.recent = pruneRecent(state.recent, maxSeen === null ? null : maxSeen - WATERMARK_OVERLAP_MS);
    page.cursor = { ...state, run } as unknown as Cursor;
    return page;
  }
  const from = parseSfDate(run.from);
  const watermark = maxSeen === null ? from : Math.max(from ?? -Infinity, maxSeen - WATERMARK_OVERLAP_MS);
  const next: SalesforceCursor = {
    v: 1,
    watermark: watermark === null ? null : sfDateTime(watermark),
    deletedSince: run.nextDeletedSince,
    recent: pruneRecent(state.recent, watermark),
  };
  page.cursor = next as unknown as Cursor;
  return page;
}

/** Keeps the remembered rows that can still come back (SystemModstamp above `floor`), bounded. */
function pruneRecent(recent: Record<string, string>, floor: number | null): Record<string, string> {
  const kept = Object.entries(recent).filter(([, stamp]) => floor === null || (parseSfDate(stamp) ?? 0) > floor);
  kept.sort((a, b) => (a[1] < b[1] ? 1 : -1));
  return Object.fromEntries(kept.slice(0, MAX_REMEMBERED));
}
