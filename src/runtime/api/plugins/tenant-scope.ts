import type { FastifyInstance, FastifyPluginAsync, FastifyPluginOptions, FastifyRequest, RawServerDefault } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { TributaryError } from '../../../domain/errors.ts';
import type { TenantService } from '../../tenancy/index.ts';
import { actorOf } from './auth.ts';
import { sharedPlugin } from './shared-plugin.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the tenant scope; read it through `tenantIdOf(request)`. */
    tributaryTenantId: string | null;
  }
}

export interface TenantScopeOptions {
  tenants: Pick<TenantService, 'exists'>;
}

/**
 * Shared plugin, registered inside an authenticated context: decides the one tenant
 * the request may touch, before the body is even validated.
 *
 * - A path with `:tenantId`: a tenant key must name its own tenant; an admin key may
 *   name any existing tenant. Anything else answers 404 NOT_FOUND, exactly as for an
 *   id that does not exist, so a tenant cannot learn that another tenant's id exists.
 * - A path without `:tenantId`: a tenant key's own tenant; an admin key is refused
 *   (it must address a tenant by path).
 *
 * Routes read the result with `tenantIdOf(request)` and pass it to services; they never
 * read a tenant id from the request themselves, so cross-tenant access cannot be
 * written by accident.
 */
export const tenantScope = sharedPlugin<TenantScopeOptions>('tenant-scope', async (app: FastifyInstance, options) => {
  if (!app.hasRequestDecorator('tributaryTenantId')) app.decorateRequest('tributaryTenantId', null);
  app.addHook('preValidation', async (request) => {
    const actor = actorOf(request);
    const requested = (request.params as { tenantId?: unknown } | undefined)?.tenantId;
    if (typeof requested !== 'string') {
      if (actor.kind === 'tenant' && actor.tenantId !== null) {
        request.tributaryTenantId = actor.tenantId;
        return;
      }
      throw new TributaryError('FORBIDDEN', 'An admin key must address a tenant by path: /v1/tenants/{tenantId}/...');
    }
    const allowed = actor.kind === 'tenant' ? requested === actor.tenantId : actor.kind === 'admin' && (await options.tenants.exists(requested));
    if (!allowed) throw new TributaryError('NOT_FOUND', `Tenant ${requested} not found`, { field: 'params.tenantId' });
    request.tributaryTenantId = requested;
  });
});

/** The tenant this request is scoped to. Throws INTERNAL on a route outside a tenant scope. */
export function tenantIdOf(request: FastifyRequest): string {
  const tenantId = request.tributaryTenantId;
  if (tenantId === null || tenantId === undefined) throw new TributaryError('INTERNAL', 'Route is not inside a tenant scope');
  return tenantId;
}

type TypeboxPlugin<Options extends FastifyPluginOptions> = FastifyPluginAsync<Options, RawServerDefault, TypeBoxTypeProvider>;

/**
 * Wraps a route group so that every route in it is tenant-scoped. How later features
 * get scoping for free: `v1.register(tenantScoped(myRoutes), { prefix: '/tenants/:tenantId', tenants, ...services })`.
 */
export function tenantScoped<Options extends FastifyPluginOptions>(routes: TypeboxPlugin<Options>): FastifyPluginAsync<Options & TenantScopeOptions> {
  return async (app, options) => {
    await app.register(tenantScope, { tenants: options.tenants });
    // The prefix already applies to this wrapper; passing it on would apply it twice.
    const { prefix: _prefix, ...rest } = options as Options & TenantScopeOptions & { prefix?: string };
    await app.register(routes, rest as unknown as Options);
  };
}
