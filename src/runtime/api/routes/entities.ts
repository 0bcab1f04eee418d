import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { EntityService } from '../../../sync/index.ts';
import { tenantIdOf } from '../plugins/tenant-scope.ts';
import { PageOf, PageQuery, TenantId, Timestamp, errorResponses } from '../schemas.ts';
import { Change, Entity, EntityDetail, EntityId } from './sync-schemas.ts';

export interface EntityRoutesOptions {
  entities: EntityService;
}

const Params = Type.Object({ tenantId: Type.Optional(TenantId) });

/** `/v1/entities`, `/v1/entities/:entityId` and the change feed `/v1/changes?since=`. */
export const entityRoutes: FastifyPluginAsyncTypebox<EntityRoutesOptions> = async (app, { entities }) => {
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
      tags, summary: 'The change feed: entity changes after `since` (a seq), oldest first. Pass `nextSince` back to follow.',
      params: Params,
      querystring: Type.Object({ since: Type.Optional(Type.Integer({ minimum: 0, default: 0 })), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })) }),
      response: { 200: Type.Object({ items: Type.Array(Change), nextSince: Type.Integer() }), ...errorResponses },
    },
  }, async (request) => entities.changes(tenantIdOf(request), request.query.since ?? 0, request.query.limit ?? 100));
};
