import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { LimitRule, SandboxContext } from '../core/types.ts';
import { registerComposite } from './composite.ts';
import type { SalesforceData } from './data.ts';
import { INVALID_SESSION, NOT_FOUND, REQUEST_LIMIT_EXCEEDED, SfApiError, sfError } from './errors.ts';
import type { SalesforceSettings } from './oauth.ts';
import type { QueryEngine} from './query.ts';
import { sfDate, type QueryPage } from './query.ts';
import { describe, OBJECTS, objectDef, type ObjectDef } from './schema.ts';
import { SoqlError } from './soql.ts';
import type { SfRecord } from './store.ts';

const DAY = 86_400_000;
const MINUTE = 60_000;
const DELETED_WINDOW_DAYS = 15;
const UPDATED_WINDOW_DAYS = 30;

type Params = { version: string; type: string; id: string; locator: string };
type Query = { q?: string; start?: string; end?: string; fields?: string };
type Req = FastifyRequest<{ Params: Params; Querystring: Query }>;

export function dailyRule(data: SalesforceData, settings: SalesforceSettings): LimitRule {
  return { key: `salesforce:api:${data.orgId}`, limit: settings.dailyApiLimit, windowMs: DAY, sliding: true };
}

/**
 * The REST API under `/services/data/vXX.X`: every call needs a live session (else 401
 * INVALID_SESSION_ID), counts against the rolling 24 h allocation (over it: 403
 * REQUEST_LIMIT_EXCEEDED) and carries `Sforce-Limit-Info: api-usage=N/M`.
 */
export function registerRest(app: FastifyInstance, ctx: SandboxContext, data: SalesforceData, engine: QueryEngine, settings: () => SalesforceSettings): void {
  app.get('/services/data', async () => versions(''));
  app.get('/services/data/', async () => versions(''));

  app.register(
    async (api) => {
      api.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
        const version = (request.params as { version?: string }).version ?? '';
        if (!/^v\d{2}\.0$/.test(version)) return reply.code(404).send(NOT_FOUND);
        const check = ctx.tokens.check('salesforce', request.headers.authorization);
        if (!check.ok) return reply.code(401).header('www-authenticate', 'Token').send(INVALID_SESSION);
        const decision = ctx.limits.take(dailyRule(data, settings()));
        reply.header('sforce-limit-info', `api-usage=${decision.used}/${decision.limit}`);
        if (!decision.allowed) {
          ctx.limits.recordRejection('salesforce');
          return reply.code(403).send(REQUEST_LIMIT_EXCEEDED);
        }
      });
      api.setErrorHandler(async (error, _request, reply) => {
        if (error instanceof SfApiError) return reply.code(error.statusCode).send(error.errors);
        if (error instanceof SoqlError) return reply.code(400).send([{ message: error.message, errorCode: error.errorCode }]);
        const status = (error as { statusCode?: number }).statusCode;
        if (status === 400 || status === 415) {
          return reply.code(400).send([{ message: (error as Error).message, errorCode: 'JSON_PARSER_ERROR' }]);
        }
        return reply.code(500).send([{ message: 'An unexpected error occurred.', errorCode: 'UNKNOWN_EXCEPTION' }]);
      });
      registerVersioned(api, ctx, data, engine, settings);
      registerComposite(api, data);
    },
    { prefix: '/services/data/:version' },
  );
}

function versions(base: string) {
  return ['58.0', '59.0', '60.0', '61.0', '62.0'].map((v) => ({ label: 'Sandbox', url: `${base}/services/data/v${v}`, version: v }));
}

function registerVersioned(api: FastifyInstance, ctx: SandboxContext, data: SalesforceData, engine: QueryEngine, settings: () => SalesforceSettings): void {
  const defOf = (type: string): ObjectDef => {
    const def = objectDef(type);
    if (!def) throw sfError(404, 'NOT_FOUND', 'The requested resource does not exist');
    return def;
  };

  api.get('/', async (request: Req) => {
    const b = `/services/data/${request.params.version}`;
    return { sobjects: `${b}/sobjects`, query: `${b}/query`, queryAll: `${b}/queryAll`, limits: `${b}/limits` };
  });

  api.get('/limits', async () => {
    const d = ctx.limits.peek(dailyRule(data, settings()));
    return {
      DailyApiRequests: { Max: d.limit, Remaining: d.remaining },
      DailyAsyncApexExecutions: { Max: 250000, Remaining: 250000 },
      DailyBulkApiBatches: { Max: 15000, Remaining: 15000 },
      DataStorageMB: { Max: 1024, Remaining: 1024 },
      SingleEmail: { Max: 5000, Remaining: 5000 },
    };
  });

  api.get('/sobjects', async (request: Req) => ({
    encoding: 'UTF-8',
    maxBatchSize: 200,
    sobjects: Object.values(OBJECTS).map((def) => {
      const d = describe(def, request.params.version);
      return { name: d.name, label: d.label, labelPlural: d.labelPlural, keyPrefix: d.keyPrefix, custom: false, queryable: true, replicateable: true, urls: d.urls };
    }),
  }));

  api.get('/sobjects/:type', async (request: Req) => {
    const def = defOf(request.params.type);
    const d = describe(def, request.params.version);
    return { objectDescribe: { name: d.name, label: d.label, keyPrefix: d.keyPrefix, urls: d.urls }, recentItems: [] };
  });
  api.get('/sobjects/:type/describe', async (request: Req) => describe(defOf(request.params.type), request.params.version));

  const deleted = async (request: Req) => {
    const store = data.store(defOf(request.params.type).name);
    const { start, end } = replicationRange(request.query);
    const now = ctx.clock.now();
    const windowStart = now - DELETED_WINDOW_DAYS * DAY;
    if (start < windowStart) throw sfError(400, 'INVALID_REPLICATION_DATE', `startDate cannot be more than ${DELETED_WINDOW_DAYS} days ago`);
    // Deletions older than the window are physically gone, as the Recycle Bin empties.
    store.purge(windowStart);
    const latest = Math.floor(Math.min(end, now) / MINUTE) * MINUTE;
    const earliest = Math.floor(Math.max(store.purgedUntil, windowStart) / MINUTE) * MINUTE;
    return {
      deletedRecords: store.deletedBetween(start, latest).map((r) => ({ id: r.id, deletedDate: sfDate(r.deletedAt as number) })),
      earliestDateAvailable: sfDate(earliest),
      latestDateCovered: sfDate(latest),
    };
  };
  api.get('/sobjects/:type/deleted', deleted);
  api.get('/sobjects/:type/deleted/', deleted);

  const updated = async (request: Req) => {
    const store = data.store(defOf(request.params.type).name);
    const { start, end } = replicationRange(request.query);
    const now = ctx.clock.now();
    if (start < now - UPDATED_WINDOW_DAYS * DAY) throw sfError(400, 'INVALID_REPLICATION_DATE', `startDate cannot be more than ${UPDATED_WINDOW_DAYS} days ago`);
    const latest = Math.floor(Math.min(end, now) / MINUTE) * MINUTE;
    const { records, start: from } = store.orderedFrom(start, true);
    const ids: string[] = [];
    for (let i = from; i < records.length; i++) {
      const r = records[i] as SfRecord;
      if (r.modstamp > latest) break;
      if (r.deletedAt === null) ids.push(r.id);
    }
    return { ids, latestDateCovered: sfDate(latest) };
  };
  api.get('/sobjects/:type/updated', updated);
  api.get('/sobjects/:type/updated/', updated);

  api.get('/sobjects/:type/:id', async (request: Req, reply: FastifyReply) => {
    const def = defOf(request.params.type);
    const record = data.find(def, request.params.id);
    if (record.deletedAt !== null) throw sfError(404, 'NOT_FOUND', 'The requested resource does not exist');
    const lastModified = new Date(record.modstamp).toUTCString();
    reply.header('last-modified', lastModified);
    if (def.name === 'Account') {
      const tag = etag(record);
      reply.header('etag', `"${tag}"`);
      const inm = request.headers['if-none-match'];
      if (typeof inm === 'string' && etagMatches(inm, tag)) return reply.code(304).send();
    }
    const ims = request.headers['if-modified-since'];
    if (typeof ims === 'string') {
      const since = Date.parse(ims);
      if (!Number.isNaN(since) && Math.floor(record.modstamp / 1000) * 1000 <= since) return reply.code(304).send();
    }
    let columns = null;
    if (request.query.fields) {
      const wanted = request.query.fields.split(',').map((f) => f.trim().toLowerCase());
      columns = wanted.map((w) => {
        const field = def.byLowerName.get(w);
        if (!field) throw sfError(400, 'INVALID_FIELD', `No such column '${w}' on sobject of type ${def.name}`);
        return { name: field.name, field, relationship: null };
      });
    }
    return engine.project(record, columns, request.params.version);
  });

  const create = async (request: Req, reply: FastifyReply) => {
    const def = defOf(request.params.type);
    const record = data.create(def.name, bodyObject(request.body));
    return reply.code(201).send({ id: record.id, success: true, errors: [] });
  };
  api.post('/sobjects/:type', create);
  api.post('/sobjects/:type/', create);

  api.patch('/sobjects/:type/:id', async (request: Req, reply: FastifyReply) => {
    const def = defOf(request.params.type);
    const record = data.find(def, request.params.id);
    if (record.deletedAt !== null) throw sfError(404, 'ENTITY_IS_DELETED', 'entity is deleted');
    checkPreconditions(request, def, record);
    data.update(def.name, record.id, bodyObject(request.body));
    return reply.code(204).send();
  });

  type ExtReq = FastifyRequest<{ Params: { version: string; type: string; field: string; value: string } }>;
  api.get('/sobjects/:type/:field/:value', async (request: ExtReq) => {
    const def = defOf(request.params.type);
    const record = data.findByExternalId(def, request.params.field, request.params.value);
    if (!record) throw sfError(404, 'NOT_FOUND', 'The requested resource does not exist');
    return engine.project(record, null, request.params.version);
  });
  api.patch('/sobjects/:type/:field/:value', async (request: ExtReq, reply: FastifyReply) => {
    const def = defOf(request.params.type);
    const { record, created } = data.upsert(def.name, request.params.field, request.params.value, bodyObject(request.body));
    return reply.code(created ? 201 : 200).send({ id: record.id, success: true, errors: [], created });
  });

  api.delete('/sobjects/:type/:id', async (request: Req, reply: FastifyReply) => {
    const def = defOf(request.params.type);
    data.remove(def.name, request.params.id);
    return reply.code(204).send();
  });

  const batchSizeOf = (request: FastifyRequest): number => {
    const header = request.headers['sforce-query-options'];
    const m = typeof header === 'string' ? /batchSize\s*=\s*(\d+)/i.exec(header) : null;
    return m ? Math.min(2000, Math.max(200, Number(m[1]))) : 2000;
  };
  const runQuery = (all: boolean) => async (request: Req) => {
    if (!request.query.q) throw sfError(400, 'MALFORMED_QUERY', 'A query string has to be specified');
    if (all) for (const store of data.stores.values()) store.purge(ctx.clock.now() - DELETED_WINDOW_DAYS * DAY);
    return engine.run(request.query.q, { all, batchSize: batchSizeOf(request), version: request.params.version });
  };
  const more = async (request: Req): Promise<QueryPage> => {
    const page = engine.more(request.params.locator);
    if (!page) throw sfError(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
    return page;
  };
  api.get('/query', runQuery(false));
  api.get('/query/', runQuery(false));
  api.get('/queryAll', runQuery(true));
  api.get('/queryAll/', runQuery(true));
  api.get('/query/:locator', more);
  api.get('/queryAll/:locator', more);
}

function bodyObject(body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw sfError(400, 'JSON_PARSER_ERROR', 'The request body must be a JSON object');
  }
  return body as Record<string, unknown>;
}

/** Parses `start`/`end` (ISO 8601; a `+` that arrived as a space is restored). */
function replicationRange(q: Query): { start: number; end: number } {
  const parse = (name: string, v: string | undefined) => {
    if (!v) throw sfError(400, 'MISSING_ARGUMENT', `${name} not specified`);
    const ms = Date.parse(v.trim().replace(/ (\d{2}:?\d{2})$/, '+$1').replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
    if (Number.isNaN(ms)) throw sfError(400, 'INVALID_REPLICATION_DATE', `Bad date/time: ${v}`);
    return ms;
  };
  const start = parse('start', q.start);
  const end = parse('end', q.end);
  if (end - start <= MINUTE) throw sfError(400, 'INVALID_REPLICATION_DATE', 'startDate must chronologically precede endDate by more than one minute');
  return { start, end };
}

/** An Account's ETag: a hash of its content, in Salesforce's `<base64>-gzip` form. */
function etag(record: SfRecord): string {
  return `${createHash('sha1').update(JSON.stringify(record.fields)).update(String(record.modstamp)).digest('base64')}-gzip`;
}

function etagMatches(header: string, tag: string): boolean {
  return header.split(',').some((raw) => {
    const t = raw.trim().replace(/^W\//, '').replace(/^"|"$/g, '');
    return t === '*' || t === tag || `${t}-gzip` === tag;
  });
}

/** If-Match / If-None-Match (Account only) and If-Unmodified-Since (all objects) on PATCH: 412 when stale. */
function checkPreconditions(request: FastifyRequest, def: ObjectDef, record: SfRecord): void {
  const failed = () => sfError(412, 'PRECONDITION_FAILED', 'The requested resource has been modified since the precondition was set');
  if (def.name === 'Account') {
    const ifMatch = request.headers['if-match'];
    if (typeof ifMatch === 'string') {
      if (!/"/.test(ifMatch) && ifMatch.trim() !== '*') throw sfError(400, 'INVALID_HEADER_VALUE', `Invalid If-Match header: ${ifMatch}`);
      if (!etagMatches(ifMatch, etag(record))) throw failed();
    }
    const ifNoneMatch = request.headers['if-none-match'];
    if (typeof ifNoneMatch === 'string' && etagMatches(ifNoneMatch, etag(record))) throw failed();
  }
  const ius = request.headers['if-unmodified-since'];
  if (typeof ius === 'string') {
    const since = Date.parse(ius);
    if (Number.isNaN(since)) throw sfError(400, 'INVALID_HEADER_VALUE', `Invalid If-Unmodified-Since header: ${ius}`);
    if (Math.floor(record.modstamp / 1000) * 1000 > since) throw failed();
  }
}
