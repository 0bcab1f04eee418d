import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { TributaryError } from '../../domain/errors.ts';
import type { RateLimitHistoryRepository } from '../../ports/store.ts';
import type { RateLimitAdmin, RateLimitScope, ResolvedRateLimitHistoryOptions } from '../../ratelimit/index.ts';
import { checkedLimit, formatScope, parseScope } from '../../ratelimit/index.ts';
import { actorOf } from './plugins/auth.ts';
import { normalizedTime } from './routes/audit.ts';
import { PageOf, TenantId, Timestamp, errorResponses } from './schemas.ts';

export interface RateLimitRoutesOptions {
  rateLimits: RateLimitAdmin;
  /** The stored usage samples, and how they are taken (interval, retention), for `GET /rate-limits/history`. */
  history: { samples: Pick<RateLimitHistoryRepository, 'list'>; sampling: ResolvedRateLimitHistoryOptions };
}

const Scope = Type.String({
  pattern: '^(global|(provider|tenant|connection):[\\w.-]{1,128})$',
  description: '`global`, `provider:<name>`, `tenant:<tenantId>` or `connection:<connectionId>`.',
  examples: ['connection:con_0123456789abcdef0123456789abcdef'],
});

const Level = Type.Union([Type.Literal('global'), Type.Literal('provider'), Type.Literal('tenant'), Type.Literal('connection'), Type.Literal('operation')]);

const StatusEntry = Type.Object({
  key: Type.String(),
  level: Level,
  kind: Type.Union([Type.Literal('window'), Type.Literal('concurrency')]),
  rule: Type.String({ description: 'The budget: `core`, `tier3`, `in-flight`, `override`, ...' }),
  provider: Type.Union([Type.String(), Type.Null()]),
  tenantId: Type.Union([Type.String(), Type.Null()]),
  connectionId: Type.Union([Type.String(), Type.Null()]),
  limit: Type.Integer({ description: 'Effective limit now: configured x multiplier, or what the provider reported.' }),
  used: Type.Integer(),
  remaining: Type.Integer(),
  resetsAt: Type.String({ format: 'date-time' }),
  windowMs: Type.Integer(),
  multiplier: Type.Union([Type.Number(), Type.Null()], { description: "The connection's adaptive multiplier, 0.5 to 1." }),
  waiting: Type.Integer({ description: 'Calls waiting for this counter in the answering process.' }),
});

const Override = Type.Object({ scope: Type.String(), limit: Type.Integer(), windowMs: Type.Integer() });

const Sample = Type.Object({
  key: Type.String({ description: 'The budget (counter key), as `key` in `GET /v1/rate-limits`.' }),
  at: Type.String({ format: 'date-time', description: 'Start of the sampling interval.' }),
  level: Level,
  kind: Type.Union([Type.Literal('window'), Type.Literal('concurrency')]),
  rule: Type.String(),
  provider: Type.Union([Type.String(), Type.Null()]),
  tenantId: Type.Union([Type.String(), Type.Null()]),
  connectionId: Type.Union([Type.String(), Type.Null()]),
  used: Type.Integer(),
  limit: Type.Integer({ description: 'The effective budget then.' }),
  windowMs: Type.Integer(),
});

/**
 * `/v1/rate-limits`: the limiter's status, overrides and resets (the reference's Rate
 * Limit Routes). Registered inside the authenticated context, outside the path-based
 * tenant scope: a tenant key sees and changes only its own tenant's counters and
 * connections (anything else answers 404, as if absent); an admin key sees all and may
 * set global, provider and tenant caps.
 */
export const rateLimitRoutes: FastifyPluginAsyncTypebox<RateLimitRoutesOptions> = async (app, { rateLimits, history }) => {
  app.get(
    '/rate-limits/history',
    {
      schema: {
        tags: ['rate limits'],
        summary: 'Usage against budget over time: one sample per busy budget per interval (idle budgets are not sampled), oldest first. A tenant key sees only its own budgets.',
        querystring: Type.Object(
          {
            connectionId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
            provider: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
            level: Type.Optional(Level),
            key: Type.Optional(Type.String({ minLength: 1, maxLength: 512, description: 'One budget, by its counter key.' })),
            tenantId: Type.Optional(TenantId),
            since: Type.Optional({ ...Timestamp, description: 'Samples at or after this time.' }),
            until: Type.Optional({ ...Timestamp, description: 'Samples strictly before this time.' }),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 500, description: 'Samples per page.' })),
            cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 1000, description: '`nextCursor` of the previous page.' })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Intersect([
            PageOf(Sample),
            Type.Object({ intervalMs: Type.Integer({ description: 'Time between samples.' }), retentionMs: Type.Integer({ description: 'How long samples are kept.' }) }),
          ]),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { connectionId, provider, level, key, tenantId, limit, cursor } = request.query;
      const since = normalizedTime(request.query.since, 'since');
      const until = normalizedTime(request.query.until, 'until');
      if (since !== undefined && until !== undefined && since >= until) throw new TributaryError('VALIDATION_FAILED', '`until` must be after `since`', { field: 'querystring.until' });
      const scope = historyTenant(request, tenantId);
      const page = await history.samples.list({
        limit: limit ?? 500, cursor: cursor ?? null, ...scope,
        ...defined({ connectionId, provider, level, key, since, until }),
      });
      return {
        items: page.items.map(({ expiresAt: _expiresAt, ...sample }) => sample),
        nextCursor: page.nextCursor,
        intervalMs: history.sampling.intervalMs,
        retentionMs: history.sampling.retentionMs,
      };
    },
  );

  app.get(
    '/rate-limits',
    {
      schema: {
        tags: ['rate limits'],
        summary: 'Status of every budget the caller may see: used, remaining, reset time, multiplier, waiting calls.',
        querystring: Type.Object({ level: Type.Optional(Level), provider: Type.Optional(Type.String({ maxLength: 64 })), connectionId: Type.Optional(Type.String({ maxLength: 128 })) }),
        response: { 200: Type.Object({ backend: Type.String(), items: Type.Array(StatusEntry), overrides: Type.Array(Override) }), ...errorResponses },
      },
    },
    async (request) => {
      const filter = tenantFilter(request);
      const { level, provider, connectionId } = request.query;
      const items = (await rateLimits.status(filter)).filter(
        (e) => (level === undefined || e.level === level) && (provider === undefined || e.provider === provider) && (connectionId === undefined || e.connectionId === connectionId),
      );
      return { backend: rateLimits.backendName, items, overrides: await rateLimits.overrides(filter) };
    },
  );

  app.put(
    '/rate-limits/:scope',
    {
      schema: {
        tags: ['rate limits'],
        summary: 'Set an extra cap on a scope (`limit` per `windowMs`), or clear it with `"limit": null`. Caps never lift a provider limit.',
        params: Type.Object({ scope: Scope }),
        body: Type.Object(
          { limit: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]), windowMs: Type.Optional(Type.Integer({ minimum: 1, maximum: 86_400_000 })) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ scope: Type.String(), limit: Type.Union([Type.Integer(), Type.Null()]), windowMs: Type.Union([Type.Integer(), Type.Null()]) }), ...errorResponses },
      },
    },
    async (request) => {
      const scope = await allowedScope(request, request.params.scope, rateLimits);
      const { limit, windowMs } = request.body;
      if (limit === null) {
        await rateLimits.configure(scope, null);
        return { scope: formatScope(scope), limit: null, windowMs: null };
      }
      if (windowMs === undefined) throw new TributaryError('VALIDATION_FAILED', 'windowMs is required with a limit', { field: 'body.windowMs' });
      const checked = checkedLimit({ limit, windowMs });
      await rateLimits.configure(scope, checked);
      return { scope: formatScope(scope), ...checked };
    },
  );

  app.post(
    '/rate-limits/:scope/reset',
    {
      schema: {
        tags: ['rate limits'],
        summary: "Forget the counters under a scope (and put a connection's multiplier back to 1).",
        params: Type.Object({ scope: Scope }),
        response: { 200: Type.Object({ scope: Type.String(), reset: Type.Integer({ description: 'Counters reset.' }) }), ...errorResponses },
      },
    },
    async (request) => {
      const scope = await allowedScope(request, request.params.scope, rateLimits);
      return { scope: formatScope(scope), reset: await rateLimits.reset(scope) };
    },
  );
};

/** Admin: every tenant's samples and the tenant-less ones, or one tenant's; a tenant key: its own tenant's, whatever it names. */
function historyTenant(request: FastifyRequest, asked: string | undefined): { tenantId?: string } {
  const actor = actorOf(request);
  if (actor.kind === 'admin') return asked === undefined ? {} : { tenantId: asked };
  if (actor.tenantId === null) throw new TributaryError('FORBIDDEN', 'This key belongs to no tenant');
  // Same answer as for a tenant that does not exist (tenant-scope.ts).
  if (asked !== undefined && asked !== actor.tenantId) throw new TributaryError('NOT_FOUND', `Tenant ${asked} not found`, { field: 'querystring.tenantId' });
  return { tenantId: actor.tenantId };
}

/** The fields of `values` that are set (the repository's filters are optional, not undefined-able). */
function defined<T extends Record<string, unknown>>(values: T): Partial<{ [K in keyof T]: Exclude<T[K], undefined> }> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Partial<{ [K in keyof T]: Exclude<T[K], undefined> }>;
}

/** Admin: everything; a tenant key: its own tenant's counters. */
function tenantFilter(request: FastifyRequest): { tenantId?: string } {
  const actor = actorOf(request);
  if (actor.kind === 'admin') return {};
  if (actor.tenantId === null) throw new TributaryError('FORBIDDEN', 'This key belongs to no tenant');
  return { tenantId: actor.tenantId };
}

/**
 * The scope, if the caller may change it: admin any; a tenant key only connections of
 * its own (404 otherwise, so other tenants' connection ids stay unknown) and never the
 * global, provider or tenant caps, which protect everyone (403).
 */
async function allowedScope(request: FastifyRequest, text: string, rateLimits: RateLimitAdmin): Promise<RateLimitScope> {
  const scope = parseScope(text);
  const actor = actorOf(request);
  if (actor.kind === 'admin') return scope;
  if (scope.kind !== 'connection') throw new TributaryError('FORBIDDEN', 'Only an admin key may change global, provider and tenant rate limits');
  const owner = await rateLimits.ownerOf(scope);
  if (owner === null || owner !== actor.tenantId) throw new TributaryError('NOT_FOUND', `Connection ${scope.connectionId} not found`, { field: 'params.scope' });
  return scope;
}
