import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { TributaryError } from '../../../domain/errors.ts';
import type { AuditService } from '../../tenancy/index.ts';
import { CREDENTIAL_ACCESS_ACTION } from '../../../credentials/index.ts';
import { actorOf } from '../plugins/auth.ts';
import { AuditEntry, PageOf, PageQuery, TenantId, Timestamp, errorResponses } from '../schemas.ts';
import type { TokenRefreshAuditRepository } from '../../../ports/store.ts';
import type { TokenRefreshAudit } from '../../../domain/connection.ts';
import type { StoredWebhookDelivery, WebhookRepository } from '../../../ports/store-webhooks.ts';

export interface AuditRoutesOptions {
  audit: AuditService;
  /** The token refresh audit (90 days), served with `kind=token_refresh`. */
  tokenRefreshes?: TokenRefreshAuditRepository;
  /** Webhook deliveries received (kept 30 days), served with `kind=webhook_delivery`. */
  webhookDeliveries?: Pick<WebhookRepository, 'listDeliveries'>;
}

/** The audit trails `GET /v1/audit` reads: the admin audit log (default) or token refreshes. */
const AUDIT_KINDS = ['admin', 'token_refresh', 'webhook_delivery', 'credential_access'] as const;


/**
 * `GET /v1/audit`: an admin key reads every entry (or one tenant's with `tenantId`); a
 * tenant key only its own tenant's, whatever it asks. Filters combine with AND; pages
 * are newest first and `nextCursor` continues the same filtered list.
 */
export const auditRoutes: FastifyPluginAsyncTypebox<AuditRoutesOptions> = async (app, { audit, tokenRefreshes, webhookDeliveries }) => {
  app.get(
    '/audit',
    {
      schema: {
        tags: ['audit'],
        summary: "Read the audit log, filtered. A tenant key sees only its own tenant's entries.",
        querystring: Type.Object(
          {
            ...PageQuery,
            kind: Type.Optional(Type.Union(AUDIT_KINDS.map((k) => Type.Literal(k)), { description: '`admin` (default): the admin audit log. `token_refresh`: token refresh attempts of one tenant (kept 90 days), `target` a credential id; newest first, no time or actor filters. `webhook_delivery`: deliveries received on one webhook registration of one tenant (kept 30 days), needs `registrationId`; `status` and `since`/`until` filter. `credential_access`: reads of credential secrets (who: the request\'s key and request id, or `system` with the queue job; when, which connection and credential, why; never the value), at most one entry per credential, purpose and caller a minute, kept 90 days; `target` a connection id, actor and time filters apply.' })),
            registrationId: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'With `kind=webhook_delivery`: the webhook registration.' })),
            status: Type.Optional(Type.String({ minLength: 1, maxLength: 50, description: 'With `kind=webhook_delivery`: the delivery outcome, such as `accepted`, `duplicate` or `rejected_signature`.' })),
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
      const { kind, tenantId, action, actorKind, target, since, until, limit, cursor, registrationId, status } = request.query;
      let scope = tenantId;
      if (actor.kind !== 'admin') {
        // Same answer as for an id that does not exist (tenant-scope.ts).
        if (tenantId !== undefined && tenantId !== actor.tenantId) {
          throw new TributaryError('NOT_FOUND', `Tenant ${tenantId} not found`, { field: 'querystring.tenantId' });
        }
        scope = actor.tenantId ?? undefined;
        if (scope === undefined) throw new TributaryError('FORBIDDEN', 'This key may not read the audit log');
      }
      if (kind === 'token_refresh') {
        if (scope === undefined) throw new TributaryError('VALIDATION_FAILED', 'Token refreshes are read one tenant at a time: name tenantId', { field: 'querystring.tenantId' });
        const unsupported = (['action', 'actorKind', 'since', 'until'] as const).find((name) => request.query[name] !== undefined);
        if (unsupported !== undefined) throw new TributaryError('VALIDATION_FAILED', `\`${unsupported}\` does not apply to token refreshes`, { field: `querystring.${unsupported}` });
        if (tokenRefreshes === undefined) throw new TributaryError('INTERNAL', 'Token refresh audit is not available here');
        if (registrationId !== undefined || status !== undefined) throw new TributaryError('VALIDATION_FAILED', `\`${registrationId !== undefined ? 'registrationId' : 'status'}\` applies only to webhook deliveries`, { field: `querystring.${registrationId !== undefined ? 'registrationId' : 'status'}` });
        const page = await tokenRefreshes.list(scope, { limit, cursor: cursor ?? null, ...(target === undefined ? {} : { credentialId: target }) });
        return { items: page.items.map(refreshEntry), nextCursor: page.nextCursor };
      }
      const from = normalizedTime(since, 'since');
      const to = normalizedTime(until, 'until');
      if (from !== undefined && to !== undefined && from >= to) {
        throw new TributaryError('VALIDATION_FAILED', '`since` must be before `until`', { field: 'querystring.until' });
      }
      if (kind === 'webhook_delivery') {
        if (scope === undefined) throw new TributaryError('VALIDATION_FAILED', 'Webhook deliveries are read one tenant at a time: name tenantId', { field: 'querystring.tenantId' });
        if (registrationId === undefined) throw new TributaryError('VALIDATION_FAILED', 'Webhook deliveries are read one registration at a time: name registrationId', { field: 'querystring.registrationId' });
        const unsupported = (['action', 'actorKind', 'target'] as const).find((name) => request.query[name] !== undefined);
        if (unsupported !== undefined) throw new TributaryError('VALIDATION_FAILED', `\`${unsupported}\` does not apply to webhook deliveries`, { field: `querystring.${unsupported}` });
        if (webhookDeliveries === undefined) throw new TributaryError('INTERNAL', 'Webhook delivery audit is not available here');
        // Another tenant's registration yields no rows: the repository filters by tenant.
        const page = await webhookDeliveries.listDeliveries(scope, registrationId, {
          limit, cursor: cursor ?? null, ...(status === undefined ? {} : { outcome: status }), ...(from === undefined ? {} : { since: from }), ...(to === undefined ? {} : { until: to }),
        });
        return { items: page.items.map(deliveryEntry), nextCursor: page.nextCursor };
      }
      if (registrationId !== undefined || status !== undefined) throw new TributaryError('VALIDATION_FAILED', `\`${registrationId !== undefined ? 'registrationId' : 'status'}\` applies only to webhook deliveries`, { field: `querystring.${registrationId !== undefined ? 'registrationId' : 'status'}` });
      if (kind === 'credential_access') {
        if (action !== undefined) throw new TributaryError('VALIDATION_FAILED', '`action` does not apply to credential access', { field: 'querystring.action' });
        return audit.list({ tenantId: scope, action: CREDENTIAL_ACCESS_ACTION, actorKind, target, since: from, until: to, limit, cursor: cursor ?? null });
      }
      return audit.list({ tenantId: scope, action, actorKind, target, since: from, until: to, limit, cursor: cursor ?? null });
    },
  );
};

/** A token refresh attempt in the audit entry shape: Tributary acted, on the connection; never a token. */
function refreshEntry(row: TokenRefreshAudit) {
  return {
    id: row.id,
    at: row.at,
    actor: { kind: 'system' as const, keyId: null, tenantId: null },
    action: 'credential.refresh',
    tenantId: row.tenantId,
    target: row.connectionId,
    details: { credentialId: row.credentialId, outcome: row.outcome, errorCode: row.errorCode, durationMs: row.durationMs },
    requestId: null,
  };
}

/** A webhook delivery in the audit entry shape: the provider called, Tributary recorded the outcome. */
function deliveryEntry(row: StoredWebhookDelivery) {
  return {
    id: row.id,
    at: row.receivedAt,
    actor: { kind: 'system' as const, keyId: null, tenantId: null },
    action: 'webhook.delivery',
    tenantId: row.tenantId,
    target: row.registrationId,
    details: { outcome: row.outcome, verified: row.verified, deliveryId: row.deliveryId ?? row.claimedDeliveryId, detail: row.detail },
    requestId: null,
  };
}

/**
 * The stored form of a time (`toISOString`, always with milliseconds and `Z`): entries
 * compare as text, so `2026-01-01T00:00:00+01:00` must become `2025-12-31T23:00:00.000Z`.
 */
export function normalizedTime(value: string | undefined, field: string): string | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new TributaryError('VALIDATION_FAILED', `\`${field}\` must be an ISO-8601 date-time`, { field: `querystring.${field}` });
  return new Date(ms).toISOString();
}
