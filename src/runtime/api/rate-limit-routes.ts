import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { TributaryError } from '../../domain/errors.ts';
import type { RateLimitAdmin, RateLimitScope } from '../../ratelimit/index.ts';
import { checkedLimit, formatScope, parseScope } from '../../ratelimit/index.ts';
import { actorOf } from './plugins/auth.ts';
import { errorResponses } from './schemas.ts';

export interface RateLimitRoutesOptions {
  rateLimits: RateLimitAdmin;
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

/**
 * `/v1/rate-limits`: the limiter's status, overrides and resets (the reference's Rate
 * Limit Routes). Registered inside the authenticated context, outside the path-based
 * tenant scope: a tenant key sees and changes only its own tenant's counters and
 * connections (anything else answers 404, as if absent); an admin key sees all and may
 * set global, provider and tenant caps.
 */
export const rateLimitRoutes: FastifyPluginAsyncTypebox<RateLimitRoutesOptions> = async (app, { rateLimits }) => {
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
