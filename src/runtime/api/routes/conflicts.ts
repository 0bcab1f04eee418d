import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ConflictReviewService } from '../../../sync/index.ts';
import { MAX_BULK_CONFLICTS } from '../../../sync/index.ts';
import { actorOf } from '../plugins/auth.ts';
import { tenantIdOf } from '../plugins/tenant-scope.ts';
import { PageOf, PageQuery, TenantId, Timestamp, errorResponses } from '../schemas.ts';
import { EntityId, IntegrationId } from './sync-schemas.ts';

export interface ConflictRoutesOptions {
  conflicts: ConflictReviewService;
}

export const ConflictId = Type.String({ pattern: '^cfl_[0-9a-f]{32}$', description: 'A conflict id.' });
const Status = Type.Union([Type.Literal('open'), Type.Literal('resolved'), Type.Literal('dismissed')]);
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

const ConflictField = Type.Object({
  field: Type.String({ description: 'The entity field.' }),
  base: Type.Unknown({ description: 'What both sides agreed on at the last sync.' }),
  local: Type.Unknown({ description: "Tributary's (the host product's) value." }),
  remote: Type.Unknown({ description: "The provider's value." }),
  decision: Type.Union([Type.Literal('local'), Type.Literal('remote'), Type.Literal('value'), Type.Literal('pending')]),
  value: Type.Optional(Type.Unknown({ description: 'The value kept; absent while pending.' })),
  strategy: Type.String({ description: 'The strategy that decided (or held) it, or `ownership`.' }),
  reason: Type.String(),
});

const Conflict = Type.Object({
  id: ConflictId,
  status: Status,
  entityId: Nullable(Type.String()),
  integrationId: Nullable(Type.String()),
  provider: Nullable(Type.String()),
  connectionId: Nullable(Type.String()),
  object: Nullable(Type.String()),
  externalId: Nullable(Type.String()),
  remoteVersion: Nullable(Type.String()),
  runId: Nullable(Type.String({ description: 'The pull run that found it; null when a push found it.' })),
  fields: Type.Array(ConflictField, { description: 'Base, local and remote values side by side.' }),
  resolution: Nullable(Type.Record(Type.String(), Type.Unknown(), { description: '`{ kind: automatic|manual|dismissed, by, at, fields, outboxId }`.' })),
  createdAt: Timestamp,
  resolvedAt: Nullable(Timestamp),
});

const FieldChoice = Type.Union([
  Type.Literal('local'),
  Type.Literal('remote'),
  Type.Object({ value: Type.Unknown({ description: 'An explicit value (null clears the field).' }) }, { additionalProperties: false }),
]);

const ResolveBody = Type.Object({
  resolution: Type.Union([Type.Literal('local'), Type.Literal('remote'), Type.Literal('value')], {
    description: '`local` / `remote`: every field takes that side; `value`: `fields` gives every field.',
  }),
  fields: Type.Optional(Type.Record(Type.String({ maxLength: 200 }), FieldChoice, { description: 'Per-field choices; they override `resolution`.' })),
}, { additionalProperties: false });

const BulkBody = Type.Object({
  ids: Type.Array(ConflictId, { minItems: 1, maxItems: MAX_BULK_CONFLICTS }),
  resolution: Type.Union([Type.Literal('local'), Type.Literal('remote'), Type.Literal('dismiss')]),
}, { additionalProperties: false });

const BulkResult = Type.Object({
  results: Type.Array(Type.Object({
    id: Type.String(),
    status: Type.Union([Type.Literal('resolved'), Type.Literal('dismissed'), Type.Literal('failed')]),
    error: Type.Optional(Type.Object({ code: Type.String(), message: Type.String() })),
  })),
});

const Params = Type.Object({ tenantId: Type.Optional(TenantId) });
const ItemParams = Type.Object({ tenantId: Type.Optional(TenantId), conflictId: ConflictId });

/** Who decided, as recorded on the conflict: the API key's id (never the key). */
function who(request: Parameters<typeof actorOf>[0]): string {
  const actor = actorOf(request);
  return actor.keyId === null ? actor.kind : `${actor.kind}:${actor.keyId}`;
}

/**
 * `/v1/conflicts`: the conflict review queue. Conflicts that a strategy held for a
 * person (`manual`) are `open`; deciding one completes the sync of its fields.
 */
export const conflictRoutes: FastifyPluginAsyncTypebox<ConflictRoutesOptions> = async (app, { conflicts }) => {
  const tags = ['conflicts'];

  app.get('/conflicts', {
    schema: {
      tags, summary: 'Conflicts, oldest first; filter by status, integration and entity. Each with its base, local and remote values side by side.',
      params: Params,
      querystring: Type.Object({ ...PageQuery, status: Type.Optional(Status), integrationId: Type.Optional(IntegrationId), entityId: Type.Optional(EntityId) }),
      response: { 200: PageOf(Conflict), ...errorResponses },
    },
  }, async (request) => conflicts.list(tenantIdOf(request), request.query));

  app.get('/conflicts/:conflictId', {
    schema: { tags, summary: 'One conflict.', params: ItemParams, response: { 200: Conflict, ...errorResponses } },
  }, async (request) => conflicts.get(tenantIdOf(request), request.params.conflictId));

  app.post('/conflicts/:conflictId', {
    schema: {
      tags, summary: 'Decide an open conflict: a side for every field, or per field a side or a value. The entity is updated, the base advanced and the chosen value queued for the provider.',
      params: ItemParams, body: ResolveBody, response: { 200: Conflict, ...errorResponses },
    },
  }, async (request) => conflicts.resolve(tenantIdOf(request), request.params.conflictId, request.body, who(request)));

  app.post('/conflicts/:conflictId/dismiss', {
    schema: {
      tags, summary: 'Close an open conflict without a decision: values stay as they are; a later change of the record raises it again.',
      params: ItemParams, response: { 200: Conflict, ...errorResponses },
    },
  }, async (request) => conflicts.dismiss(tenantIdOf(request), request.params.conflictId, who(request)));

  app.post('/conflicts/resolve', {
    schema: {
      tags, summary: `Decide or dismiss up to ${MAX_BULK_CONFLICTS} open conflicts at once; each succeeds or fails on its own.`,
      params: Params, body: BulkBody, response: { 200: BulkResult, ...errorResponses },
    },
  }, async (request) => ({ results: await conflicts.resolveMany(tenantIdOf(request), request.body, who(request)) }));
};
