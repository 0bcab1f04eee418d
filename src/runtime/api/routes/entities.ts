import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { TributaryError } from '../../../domain/errors.ts';
import type { EntityService, HostWriteService } from '../../../sync/index.ts';
import { MAX_BULK_ITEMS } from '../../../sync/index.ts';
import { tenantIdOf } from '../plugins/tenant-scope.ts';
import { PageOf, PageQuery, TenantId, Timestamp, errorResponses } from '../schemas.ts';
import { Change, Entity, EntityDetail, EntityId, JsonObject } from './sync-schemas.ts';

export interface EntityRoutesOptions {
  entities: EntityService;
  /** The host product's writes (create, patch, delete, bulk) with their outbox rows. */
  writes: HostWriteService;
}

const EntityType = Type.String({ pattern: '^[a-z][a-z0-9_]{0,63}$', description: 'person, organization, deal, ... (lower-case letters, digits, _).' });
const Version = Type.Integer({ minimum: 1, description: 'The version you last read: the write fails with 409 CONFLICT if the entity moved on.' });
const IfMatch = Type.Object({ 'if-match': Type.Optional(Type.String({ maxLength: 40, description: 'The entity version you last read (its ETag, `"3"`); 409 CONFLICT when it moved on.' })) });
const OutboxItem = Type.Object({
  id: Type.String(),
  entityId: Type.String(),
  change: JsonObject,
  createdAt: Timestamp,
  relayedAt: Type.Union([Timestamp, Type.Null()]),
  processedAt: Type.Union([Timestamp, Type.Null()]),
  outcome: Type.Union([JsonObject, Type.Null()], { description: 'Per link: pushed / in_sync / created, conflicts; or the error of the last attempt.' }),
});
const BulkResult = Type.Object({
  index: Type.Integer(),
  status: Type.Union([Type.Literal('created'), Type.Literal('updated'), Type.Literal('deleted'), Type.Literal('unchanged'), Type.Literal('failed')]),
  entity: Type.Optional(Entity),
  error: Type.Optional(Type.Object({ code: Type.String(), message: Type.String(), field: Type.Optional(Type.String()) })),
});

/** `If-Match: "3"` (or `W/"3"`, or `3`) as a version; absent: no precondition. */
function expectedVersionOf(header: string | undefined, bodyVersion?: number): number | undefined {
  if (header === undefined) return bodyVersion;
  const match = /^(?:W\/)?"?(\d{1,15})"?$/.exec(header.trim());
  if (!match) throw new TributaryError('VALIDATION_FAILED', 'If-Match must be an entity version, as its ETag gives it ("3")', { field: 'headers.if-match' });
  const version = Number(match[1]);
  if (bodyVersion !== undefined && bodyVersion !== version) {
    throw new TributaryError('VALIDATION_FAILED', 'If-Match and body.expectedVersion disagree', { field: 'body.expectedVersion' });
  }
  return version;
}

const etag = (version: number): string => `"${version}"`;

const Params = Type.Object({ tenantId: Type.Optional(TenantId) });

/**
 * `/v1/entities`, `/v1/entities/:entityId` (read, and the host product's writes: each
 * adds a change-feed entry and an outbox row in one transaction; the outbound worker
 * pushes it to the linked providers), `/v1/entities/bulk`, the change feed
 * `/v1/changes?since=` and the outbox `/v1/outbox`.
 */
export const entityRoutes: FastifyPluginAsyncTypebox<EntityRoutesOptions> = async (app, { entities, writes }) => {
  const tags = ['entities'];

  app.get('/entities', {
    schema: {
      tags, summary: 'Entities, oldest first; filter by type, provider (linked through a connection of it) and updated since.',
      params: Params,
      querystring: Type.Object({
        ...PageQuery,
        type: Type.Optional(Type.String({ maxLength: 100 })),
        provider: Type.Optional(Type.String({ maxLength: 50 })),
        updatedSince: Type.Optional(Timestamp),
        includeDeleted: Type.Optional(Type.Boolean()),
      }),
      response: { 200: PageOf(Entity), ...errorResponses },
    },
  }, async (request) => entities.list(tenantIdOf(request), request.query));

  app.get('/entities/:entityId', {
    schema: { tags, summary: 'One entity with its external links and relationships.', params: Type.Object({ tenantId: Type.Optional(TenantId), entityId: EntityId }), response: { 200: EntityDetail, ...errorResponses } },
  }, async (request) => entities.get(tenantIdOf(request), request.params.entityId));

  app.get('/changes', {
    schema: {
      tags, summary: 'The change feed: entity changes after `since` (a seq), oldest first. Pass `nextSince` back to follow; `entityId` keeps one entity\'s changes.',
      params: Params,
      querystring: Type.Object({
        since: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
        entityId: Type.Optional(EntityId),
      }),
      response: { 200: Type.Object({ items: Type.Array(Change), nextSince: Type.Integer() }), ...errorResponses },
    },
  }, async (request) => entities.changes(tenantIdOf(request), request.query.since ?? 0, request.query.limit ?? 100, request.query.entityId));

  const ItemParams = Type.Object({ tenantId: Type.Optional(TenantId), entityId: EntityId });

  app.post('/entities', {
    schema: {
      tags, summary: 'Create an entity (the host product\'s own record). Integrations with push.createInProvider create it at their provider.',
      params: Params,
      body: Type.Object({ type: EntityType, fields: JsonObject }, { additionalProperties: false }),
      response: { 201: Entity, ...errorResponses },
    },
  }, async (request, reply) => {
    const entity = await writes.create(tenantIdOf(request), request.body);
    return reply.code(201).header('etag', etag(entity.version)).send(entity);
  });

  app.patch('/entities/:entityId', {
    schema: {
      tags, summary: 'Change an entity\'s fields (a merge patch: a null removes the field). The change is pushed to every linked provider that allows push.',
      params: ItemParams, headers: IfMatch,
      body: Type.Object({ fields: JsonObject, expectedVersion: Type.Optional(Version) }, { additionalProperties: false }),
      response: { 200: Entity, ...errorResponses },
    },
  }, async (request, reply) => {
    const expectedVersion = expectedVersionOf(request.headers['if-match'], request.body.expectedVersion);
    const entity = await writes.update(tenantIdOf(request), request.params.entityId, { fields: request.body.fields, ...(expectedVersion === undefined ? {} : { expectedVersion }) });
    return reply.header('etag', etag(entity.version)).send(entity);
  });

  app.delete('/entities/:entityId', {
    schema: {
      tags, summary: 'Delete an entity (soft: it stays readable with deletedAt). Integrations with push.deleteInProvider delete the linked records.',
      params: ItemParams, headers: IfMatch,
      response: { 200: Entity, ...errorResponses },
    },
  }, async (request, reply) => {
    const entity = await writes.delete(tenantIdOf(request), request.params.entityId, expectedVersionOf(request.headers['if-match']));
    return reply.header('etag', etag(entity.version)).send(entity);
  });

  app.post('/entities/bulk', {
    schema: {
      tags, summary: `Up to ${MAX_BULK_ITEMS} creates, patches and deletes in one transaction, each with its own result: a failed item is reported and skipped.`,
      params: Params,
      body: Type.Object({
        items: Type.Array(Type.Unknown({ description: '{op: "create", type, fields} | {op: "update", id, fields, expectedVersion?} | {op: "delete", id, expectedVersion?}' }), { minItems: 1, maxItems: MAX_BULK_ITEMS }),
      }, { additionalProperties: false }),
      response: { 200: Type.Object({ results: Type.Array(BulkResult) }), ...errorResponses },
    },
  }, async (request) => ({ results: await writes.bulk(tenantIdOf(request), request.body.items) }));

  app.get('/outbox', {
    schema: {
      tags, summary: 'Changes waiting to be pushed (pending=true) or recently pushed, newest first, with what each push did.',
      params: Params,
      querystring: Type.Object({ pending: Type.Optional(Type.Boolean()), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })) }),
      response: { 200: Type.Object({ items: Type.Array(OutboxItem) }), ...errorResponses },
    },
  }, async (request) => ({ items: await writes.outbox(tenantIdOf(request), request.query) }));
};
