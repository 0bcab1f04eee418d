import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { TributaryError } from '../../../domain/errors.ts';
import type { AuditService } from '../../tenancy/index.ts';
import { actorOf } from '../plugins/auth.ts';
import { AuditEntry, PageOf, PageQuery, TenantId, Timestamp, errorResponses } from '../schemas.ts';

export interface AuditRoutesOptions {
  audit: AuditService;
}

/**
 * `GET /v1/audit`: an admin key reads every entry (or one tenant's with `tenantId`); a
 * tenant key only its own tenant's, whatever it asks. Filters combine with AND; pages
 * are newest first and `nextCursor` continues the same filtered list.
 */
export const auditRoutes: FastifyPluginAsyncTypebox<AuditRoutesOptions> = async (app, { audit }) => {
  app.get(
    '/audit',
    {
      schema: {
        tags: ['audit'],
        summary: "Read the audit log, filtered. A tenant key sees only its own tenant's entries.",
        querystring: Type.Object(
          {
            ...PageQuery,
            tenantId: Type.Optional(TenantId),
            action: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Exact action, such as `api_key.create`.' })),
            actorKind: Type.Optional(Type.Union([Type.Literal('admin'), Type.Literal('tenant'), Type.Literal('system')], { description: 'Who acted: an admin key, a tenant key, or Tributary itself.' })),
            target: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Exact target, such as a key or connection id.' })),
            since: Type.Optional({ ...Timestamp, description: 'Entries at or after this time.' }),
            until: Type.Optional({ ...Timestamp, description: 'Entries strictly before this time.' }),
          },
          { additionalProperties: false },
        ),
        response: { 200: PageOf(AuditEntry), ...errorResponses },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const { tenantId, action, actorKind, target, since, until, limit, cursor } = request.query;
      let scope = tenantId;
      if (actor.kind !== 'admin') {
        // Same answer as for an id that does not exist (tenant-scope.ts).
        if (tenantId !== undefined && tenantId !== actor.tenantId) {
          throw new TributaryError('NOT_FOUND', `Tenant ${tenantId} not found`, { field: 'querystring.tenantId' });
        }
        scope = actor.tenantId ?? undefined;
        if (scope === undefined) throw new TributaryError('FORBIDDEN', 'This key may not read the audit log');
      }
      const from = normalizedTime(since, 'since');
      const to = normalizedTime(until, 'until');
      if (from !== undefined && to !== undefined && from >= to) {
        throw new TributaryError('VALIDATION_FAILED', '`since` must be before `until`', { field: 'querystring.until' });
      }
      return audit.list({ tenantId: scope, action, actorKind, target, since: from, until: to, limit, cursor: cursor ?? null });
    },
  );
};

/**
 * The stored form of a time (`toISOString`, always with milliseconds and `Z`): entries
 * compare as text, so `2026-01-01T00:00:00+01:00` must become `2025-12-31T23:00:00.000Z`.
 */
function normalizedTime(value: string | undefined, field: string): string | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new TributaryError('VALIDATION_FAILED', `\`${field}\` must be an ISO-8601 date-time`, { field: `querystring.${field}` });
  return new Date(ms).toISOString();
}
