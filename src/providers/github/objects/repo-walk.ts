/**
 * Incremental reads of a per-repository list sorted by `updated_at` ascending with a
 * `since` filter (issues, issue comments), over every synced repository in turn.
 *
 * Cursor: `{ v, repos: { "owner/name": { since, etag, etagSince, seen } }, run? }` where
 * `run` = `{ list, index, next, started }` while a run is in progress (the repositories of this
 * run, which one is being read, and a `Link` URL when one must be followed).
 *
 * Why not just follow `Link: rel="next"`: GitHub pages by page number, and an item
 * updated while we page moves to the end of the list, shifting every later item back
 * one place, so one unchanged item would be skipped for good. Instead each request after
 * the first asks again with `since` = the highest `updated_at` read so far (keyset
 * paging), and GitHub's `since` is inclusive and second-precise: items at exactly that
 * second come back, and those already delivered are recognised by a hash of their JSON
 * (`seen`) and dropped, so each change is delivered once and nothing is lost. Only a full
 * page of items all updated in the same second cannot move `since` forward: then the
 * `Link` next URL is followed.
 *
 * Each repository keeps its own `since`: repositories are read at different times, and
 * one watermark for all would skip an edit made in a repository already read while a
 * later one was being read. A repository new to the cursor is read in full. The first
 * request for a repository in a run sends `If-None-Match` with the ETag of the last
 * answer to the same request; a 304 means no change and costs no rate limit.
 */
import { createHash } from 'node:crypto';
import type { ChangePage, Cursor, ExternalRecord, HttpRequest, HttpResponse, ProviderContext } from '../../provider.ts';
import { asArray, nextLink, perPage, syncedRepositories } from '../client.ts';
import { statusOfError } from '../errors.ts';

/** Most requests one `readPage` makes while answers carry nothing new (304s, skipped repos). */
const MAX_REQUESTS_PER_PAGE = 25;

interface RepoState {
  /** Highest `updated_at` delivered (ISO, second precision); null: never read. */
  since: string | null;
  etag?: string;
  /** The `since` the ETag was answered for. */
  etagSince?: string | null;
  /** id -> hash of the items delivered whose `updated_at` equals `since`. */
  seen: Record<string, string>;
}

export interface RepoWalkCursor {
  v: 1;
  repos: Record<string, RepoState>;
  run?: RunState;
}

interface RunState {
  list: string[];
  index: number;
  /** A `Link` URL to follow next, else the next request is the keyset one. */
  next: string | null;
  /** Whether the current repository was requested already in this run. */
  started: boolean;
}

export interface RepoWalkSpec {
  /** The list request for a repository (relative path and query, without `since`/`per_page`). */
  list(repo: string): { path: string; query: Record<string, string> };
  /** The record for an item, or null to skip it (it still moves `since`). */
  toRecord(repo: string, item: Record<string, unknown>): ExternalRecord | null;
}

const hashOf = (item: Record<string, unknown>): string => createHash('sha1').update(JSON.stringify(item)).digest('base64').slice(0, 16);

function parseCursor(cursor: Cursor | null): RepoWalkCursor {
  if (!cursor || cursor.v !== 1 || typeof cursor.repos !== 'object' || cursor.repos === null) return { v: 1, repos: {} };
  const c = cursor as unknown as RepoWalkCursor;
  const repos: Record<string, RepoState> = {};
  for (const [name, state] of Object.entries(c.repos)) repos[name] = { ...state, seen: { ...state.seen } };
  return c.run ? { v: 1, repos, run: { ...c.run, list: [...c.run.list] } } : { v: 1, repos };
}

async function send(ctx: ProviderContext, request: HttpRequest): Promise<HttpResponse | 'gone'> {
  try {
    return await ctx.http.request(request);
  } catch (error) {
    // A repository deleted, renamed away or no longer shared with us: nothing to read.
    const status = statusOfError(error);
    if (status === 404 || status === 410) return 'gone';
    throw error;
  }
}

export async function readRepoWalkPage(ctx: ProviderContext, spec: RepoWalkSpec, cursor: Cursor | null, options: { pageSize?: number }): Promise<ChangePage> {
  const state = parseCursor(cursor);
  const run: RunState = state.run ?? { list: await syncedRepositories(ctx), index: 0, next: null, started: false };
  const size = perPage(options.pageSize);
  const records: ExternalRecord[] = [];

  for (let requests = 0; run.index < run.list.length && records.length === 0 && requests < MAX_REQUESTS_PER_PAGE; requests++) {
    const repo = run.list[run.index] as string;
    const repoState: RepoState = state.repos[repo] ?? { since: null, seen: {} };
    state.repos[repo] = repoState;
    const sinceBefore = repoState.since;
    let request: HttpRequest;
    const first = !run.started;
    if (run.next !== null) request = { method: 'GET', path: run.next, operation: 'read', bucket: 'core' };
    else {
      const { path, query } = spec.list(repo);
      const full: Record<string, string | number> = { ...query, per_page: size };
      if (sinceBefore !== null) full.since = sinceBefore;
      request = { method: 'GET', path, query: full, operation: 'read', bucket: 'core' };
      if (first && repoState.etag && repoState.etagSince === sinceBefore) request.headers = { 'if-none-match': repoState.etag };
    }
    const response = await send(ctx, request);
    const finishRepo = () => {
      run.index += 1;
      run.next = null;
      run.started = false;
    };
    if (response === 'gone') {
      delete state.repos[repo];
      finishRepo();
      continue;
    }
    if (response.status === 304) {
      finishRepo();
      continue;
    }
    if (first && response.headers.etag) {
      repoState.etag = response.headers.etag;
      repoState.etagSince = sinceBefore;
    }
    run.started = true;

    const items = asArray(response.body, `the ${repo} list`);
    let allAtSince = items.length > 0;
    for (const item of items) {
      const updated = typeof item.updated_at === 'string' ? item.updated_at : null;
      const hash = hashOf(item);
      const record = spec.toRecord(repo, item);
      if (updated !== sinceBefore) allAtSince = false;
      const id = record?.id ?? `${repo}:${String(item.id)}`;
      const alreadyDelivered = updated !== null && updated === repoState.since && repoState.seen[id] === hash;
      if (record && !alreadyDelivered) records.push(record);
      if (updated !== null && (repoState.since === null || updated > repoState.since)) {
        repoState.since = updated;
        repoState.seen = {};
      }
      if (updated !== null && updated === repoState.since) repoState.seen[id] = hash;
    }
    const link = nextLink(response);
    if (link === null) finishRepo();
    else if (allAtSince && items.length >= size) run.next = link;
    else run.next = null; // keyset: ask again from the new `since`
  }

  const done = run.index >= run.list.length;
  if (!done) return { records, deletions: [], cursor: { ...state, run } as unknown as Cursor, done: false };
  const repos: Record<string, RepoState> = {};
  for (const name of run.list) if (state.repos[name]) repos[name] = state.repos[name];
  return { records, deletions: [], cursor: { v: 1, repos } as unknown as Cursor, done: true };
}
