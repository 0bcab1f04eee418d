import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { MergeService } from '../../../sync/index.ts';
import { tenantIdOf } from '../plugins/tenant-scope.ts';
import { PageOf, PageQuery, TenantId, errorResponses } from '../schemas.ts';
import { actionContext } from './action-context.ts';
import { Merge, MergeId } from './dedup-schemas.ts';
import { EntityId } from './sync-schemas.ts';

export interface MergeRoutesOptions {
  merges: MergeService;
}

const EntityParams = Type.Object({ tenantId: Type.Optional(TenantId), entityId: EntityId });

/** `/v1/entities/:entityId/merges`: an entity's merge lineage, and undoing one merge. */
export const mergeRoutes: FastifyPluginAsyncTypebox<MergeRoutesOptions> = async (app, { merges }) => {
  const tags = ['entities'];

  app.get('/entities/:entityId/merges', {
    schema: {
      tags, summary: 'Merges the entity took part in (as survivor or as the merged one), newest first.',
      params: EntityParams, querystring: Type.Object(PageQuery), response: { 200: PageOf(Merge), ...errorResponses },
    },
  }, async (request) => merges.list(tenantIdOf(request), request.params.entityId, request.query));

  app.post('/entities/:entityId/merges/:mergeId/undo', {
    schema: {
      tags, summary: 'Undo a merge: the merged entity comes back with its links and relationships; the pair is remembered as distinct. 409 when already undone.',
      params: Type.Object({ ...EntityParams.properties, mergeId: MergeId }),
      response: { 200: Merge, ...errorResponses },
    },
  }, async (request) => merges.undo(tenantIdOf(request), request.params.entityId, request.params.mergeId, actionContext(request)));
};
