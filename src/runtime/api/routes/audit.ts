import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { TributaryError } from '../../../domain/errors.ts';
import type { AuditService } from '../../tenancy/index.ts';
import { actorOf } from '../plugins/auth.ts';
import { AuditEntry, PageOf, PageQuery, TenantId, Timestamp, errorResponses } from '../schemas.ts';

export interface AuditRoutesOptions {
  audit: AuditService;
}

/** `GET /v1/audit`: an admin key reads every entry; a tenant key only its own tenant's. */
export const auditRoutes: FastifyPluginAsyncTypebox<AuditRoutesOptions> = async (app, { audit }) => {
  app.get(
    '/audit',
    {
      schema: {
        tags: ['audit'],
        summary: "Read the audit log. A tenant key sees only its own tenant's entries.",
        querystring: Type.Object(
          {
            ...PageQuery,
            tenantId: Type.Optional(TenantId),
            action: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
            since: Type.Optional(Timestamp),
          },
          { additionalProperties: false },
        ),
        response: { 200: PageOf(AuditEntry), ...errorResponses },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const { tenantId, action, since, limit, cursor } = request.query;
      let scope = tenantId;
      if (actor.kind !== 'admin') {
        // Same answer as for an id that does not exist (tenant-scope.ts).
        if (tenantId !== undefined && tenantId !== actor.tenantId) {
          throw new TributaryError('NOT_FOUND', `Tenant ${tenantId} not found`, { field: 'querystring.tenantId' });
        }
        scope = actor.tenantId ?? undefined;
        if (scope === undefined) throw new TributaryError('FORBIDDEN', 'This key may not read the audit log');
      }
      return audit.list({ tenantId: scope, action, since, limit, cursor: cursor ?? null });
    },
  );
};
