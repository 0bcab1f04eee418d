import type { FastifyInstance, FastifyRequest, SandboxContext } from '../../core/types.ts';
import { GoogleApiError, invalidParameter } from '../errors.ts';
import { checkGoogleToken } from '../auth.ts';
import { applyFields, parseFields, type FieldMask } from '../fields.ts';
import type { GoogleIds } from '../ids.ts';
import { takeClassicQuota } from '../rate-limits.ts';
import type { WatchChannels } from '../watch.ts';
import { fileJson, type DriveStore, type FileRecord } from '../data/drive-store.ts';

type Query = Record<string, string | undefined>;
type Obj = Record<string, unknown>;

const DRIVE_API = 'https://www.googleapis.com/drive/v3';

/** Drive v3's default partial responses (without `fields`, only these come back). */
const DEFAULT_FIELDS = {
  list: 'kind,nextPageToken,incompleteSearch,files(kind,id,name,mimeType)',
  get: 'kind,id,name,mimeType',
  changes: 'kind,nextPageToken,newStartPageToken,changes(kind,changeType,time,removed,fileId,file(kind,id,name,mimeType))',
};

function mask(q: Query, fallback: string): FieldMask {
  return parseFields(q.fields ?? fallback);
}

function pageSizeOf(q: Query): number {
  if (q.pageSize === undefined) return 100;
  const n = Number(q.pageSize);
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw invalidParameter('pageSize', `Invalid value '${q.pageSize}'. Values must be within the range: [1, 1000]`);
  return n;
}

/** The `q` clauses the simulator understands: trashed, name contains/=, mimeType =/!=, joined by `and`. */
function compileQuery(q: string | undefined): (file: FileRecord) => boolean {
  if (q === undefined || q.trim() === '') return () => true;
  const tests = q.split(/\s+and\s+/i).map((clause): ((f: FileRecord) => boolean) => {
    let m = /^trashed\s*(=|!=)\s*(true|false)$/i.exec(clause.trim());
    if (m) {
      const want = m[2]?.toLowerCase() === 'true';
      return m[1] === '=' ? (f) => f.trashed === want : (f) => f.trashed !== want;
    }
    m = /^name\s+contains\s+'((?:[^'\\]|\\.)*)'$/i.exec(clause.trim());
    if (m) {
      const part = (m[1] ?? '').toLowerCase();
      return (f) => f.name.toLowerCase().includes(part);
    }
    m = /^(name|mimeType)\s*(=|!=)\s*'((?:[^'\\]|\\.)*)'$/.exec(clause.trim());
    if (m) {
      const key = m[1] as 'name' | 'mimeType';
      const value = m[3] ?? '';
      return m[2] === '=' ? (f) => f[key] === value : (f) => f[key] !== value;
    }
    throw invalidParameter('q');
  });
  return (file) => tests.every((t) => t(file));
}

/**
 * Drive API v3 under `/drive/v3`: `changes/startPageToken`, `changes` (page tokens,
 * `removed` for permanent deletions, `file.trashed` for trash), `files` list/get with
 * `fields` masks, files patch (rename, trash) and delete, `changes/watch`, `channels/stop`.
 */
export function registerDriveRoutes(
  app: FastifyInstance,
  ctx: SandboxContext,
  deps: { store: DriveStore; ids: () => GoogleIds; watch: WatchChannels; owner: () => { email: string; name: string } },
): void {
  const { store, watch } = deps;
  const listTokens = new Map<string, { after: number; q: string | undefined }>();
  const guard = (request: FastifyRequest) => {
    const grant = checkGoogleToken(ctx, request, 'classic', 'drive.googleapis.com');
    takeClassicQuota(ctx, grant, 'drive');
    return grant;
  };
  const fileOf = (raw: string): FileRecord => {
    const file = store.files.get(raw);
    if (!file || file.deleted) throw new GoogleApiError(404, `File not found: ${raw}.`, { reason: 'notFound', location: 'fileId', locationType: 'parameter' });
    return file;
  };
  const readToken = (raw: string | undefined): number => {
    if (raw === undefined || raw === '') throw new GoogleApiError(400, 'Required parameter: pageToken', { reason: 'required', location: 'pageToken', locationType: 'parameter' });
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1 || n > store.nextSeq) throw invalidParameter('pageToken');
    return n;
  };

  app.get('/drive/v3/changes/startPageToken', async (request) => {
    guard(request);
    return { kind: 'drive#startPageToken', startPageToken: String(store.nextSeq) };
  });

  app.get('/drive/v3/changes', async (request) => {
    guard(request);
    const q = request.query as Query;
    const from = readToken(q.pageToken);
    const size = pageSizeOf(q);
    const fields = mask(q, DEFAULT_FIELDS.changes);
    const includeRemoved = q.includeRemoved !== 'false';
    const window = store.changes.slice(from - 1, from - 1 + size);
    const latest = new Map<string, (typeof window)[number]>();
    for (const change of window) {
      latest.delete(change.fileId);
      latest.set(change.fileId, change);
    }
    const owner = deps.owner();
    const changes: Obj[] = [];
    for (const change of latest.values()) {
      const file = store.files.get(change.fileId);
      const removed = !file || file.deleted;
      if (removed && !includeRemoved) continue;
      const item: Obj = { kind: 'drive#change', changeType: 'file', time: new Date(change.at).toISOString(), removed, fileId: change.fileId };
      if (!removed && file) item.file = fileJson(file, owner);
      changes.push(item);
    }
    const next = from + window.length;
    const body: Obj = { kind: 'drive#changeList', changes };
    if (next < store.nextSeq) body.nextPageToken = String(next);
    else body.newStartPageToken = String(store.nextSeq);
    return applyFields(body, fields);
  });

  app.post('/drive/v3/changes/watch', async (request) => {
    const grant = guard(request);
    const q = request.query as Query;
    const from = readToken(q.pageToken);
    const channel = watch.open((request.body ?? {}) as Obj, { api: 'drive' }, `${DRIVE_API}/changes?alt=json&pageToken=${from}`, grant.account);
    return watch.channelJson(channel);
  });

  app.post('/drive/v3/channels/stop', async (request, reply) => {
    guard(request);
    const body = (request.body ?? {}) as Obj;
    if (!watch.stop(body.id, body.resourceId)) {
      throw new GoogleApiError(404, `Channel '${String(body.id)}' not found for project '000000000000'`, { reason: 'notFound' });
    }
    return reply.code(204).send();
  });

  app.get('/drive/v3/files', async (request) => {
    guard(request);
    const q = request.query as Query;
    const size = pageSizeOf(q);
    const fields = mask(q, DEFAULT_FIELDS.list);
    let after = -1;
    if (q.pageToken !== undefined) {
      const entry = listTokens.get(q.pageToken);
      if (!entry || entry.q !== q.q) throw invalidParameter('pageToken');
      after = entry.after;
    }
    const matches = compileQuery(q.q);
    const all = [...store.files.values()];
    const rows = all.map((file, index) => ({ file, index })).filter((r) => r.index > after && !r.file.deleted && matches(r.file));
    const page = rows.slice(0, size);
    const owner = deps.owner();
    const body: Obj = { kind: 'drive#fileList', incompleteSearch: false, files: page.map((r) => fileJson(r.file, owner)) };
    const last = page[page.length - 1];
    if (rows.length > page.length && last) {
      const token = deps.ids().token('~!!~');
      listTokens.set(token, { after: last.index, q: q.q });
      body.nextPageToken = token;
    }
    return applyFields(body, fields);
  });

  app.get('/drive/v3/files/:fileId', async (request) => {
    guard(request);
    const q = request.query as Query;
    return applyFields(fileJson(fileOf((request.params as { fileId: string }).fileId), deps.owner()), mask(q, DEFAULT_FIELDS.get));
  });

  app.patch('/drive/v3/files/:fileId', async (request) => {
    guard(request);
    const q = request.query as Query;
    const file = fileOf((request.params as { fileId: string }).fileId);
    const body = (request.body ?? {}) as Obj;
    const fields: Partial<Pick<FileRecord, 'name' | 'trashed'>> = {};
    if (typeof body.name === 'string') fields.name = body.name;
    if (typeof body.trashed === 'boolean') fields.trashed = body.trashed;
    return applyFields(fileJson(store.update(file, fields), deps.owner()), mask(q, DEFAULT_FIELDS.get));
  });

  app.delete('/drive/v3/files/:fileId', async (request, reply) => {
    guard(request);
    store.remove(fileOf((request.params as { fileId: string }).fileId));
    return reply.code(204).send();
  });
}
