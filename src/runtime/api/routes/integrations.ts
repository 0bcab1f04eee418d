import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { IntegrationService } from '../../../sync/index.ts';
import { tenantIdOf } from '../plugins/tenant-scope.ts';
import { PageOf, PageQuery, TenantId, errorResponses } from '../schemas.ts';
import { Integration, IntegrationCreate, IntegrationId, IntegrationPatch, JsonObject, Run, RunId } from './sync-schemas.ts';

export interface IntegrationRoutesOptions {
  integrations: IntegrationService;
}

const Params = Type.Object({ tenantId: Type.Optional(TenantId) });
const ItemParams = Type.Object({ tenantId: Type.Optional(TenantId), integrationId: IntegrationId });
const MappingBody = Type.Object({ mapping: JsonObject, version: Type.Integer() });

/**
 * `/v1/integrations` (tenant key) and `/v1/tenants/:tenantId/integrations`: sync
 * configurations, their mapping, manual runs and run history.
 */
export const integrationRoutes: FastifyPluginAsyncTypebox<IntegrationRoutesOptions> = async (app, { integrations }) => {
  const tags = ['integrations'];

  app.post('/integrations', {
    schema: {
      tags, summary: 'Create an integration: connection + object + direction, mapping (the default when omitted), schedule, priority, dedup rules, conflict strategy.',
      params: Params, body: IntegrationCreate, response: { 201: Integration, ...errorResponses },
    },
  }, async (request, reply) => reply.code(201).send(await integrations.create(tenantIdOf(request), request.body)));

  app.get('/integrations', {
    schema: {
      tags, summary: "List the tenant's integrations, oldest first.",
      params: Params, querystring: Type.Object({ ...PageQuery, connectionId: Type.Optional(Type.String({ maxLength: 100 })) }),
      response: { 200: PageOf(Integration), ...errorResponses },
    },
  }, async (request) => integrations.list(tenantIdOf(request), request.query));

  app.get('/integrations/:integrationId', {
    schema: { tags, summary: 'One integration.', params: ItemParams, response: { 200: Integration, ...errorResponses } },
  }, async (request) => integrations.get(tenantIdOf(request), request.params.integrationId));

  app.patch('/integrations/:integrationId', {
    schema: { tags, summary: 'Change settings; a new mapping is validated and gets the next version.', params: ItemParams, body: IntegrationPatch, response: { 200: Integration, ...errorResponses } },
  }, async (request) => integrations.update(tenantIdOf(request), request.params.integrationId, request.body));

  app.delete('/integrations/:integrationId', {
    schema: { tags, summary: 'Delete an integration (its runs go with it; entities stay).', params: ItemParams, response: { 204: Type.Null(), ...errorResponses } },
  }, async (request, reply) => {
    await integrations.delete(tenantIdOf(request), request.params.integrationId);
    return reply.code(204).send(null);
  });

  app.get('/integrations/:integrationId/mapping', {
    schema: { tags, summary: 'The mapping document and its version.', params: ItemParams, response: { 200: MappingBody, ...errorResponses } },
  }, async (request) => integrations.getMapping(tenantIdOf(request), request.params.integrationId));

  app.put('/integrations/:integrationId/mapping', {
    schema: {
      tags, summary: 'Replace the mapping. Validated (400 names the JSON path at fault); the version goes up by one.',
      params: ItemParams, body: Type.Object({ mapping: JsonObject }, { additionalProperties: false }), response: { 200: MappingBody, ...errorResponses },
    },
  }, async (request) => integrations.putMapping(tenantIdOf(request), request.params.integrationId, request.body.mapping));

  app.post('/integrations/:integrationId/sync', {
    schema: {
      tags, summary: 'Run the pull now. Answers the run id (the waiting or running one, if there is one already); follow it at /v1/runs/{runId}.',
      params: ItemParams, body: Type.Optional(Type.Object({ fullResync: Type.Optional(Type.Boolean()) }, { additionalProperties: false })),
      response: { 202: Type.Object({ runId: RunId, alreadyRunning: Type.Boolean() }), ...errorResponses },
    },
  }, async (request, reply) => reply.code(202).send(await integrations.startSync(tenantIdOf(request), request.params.integrationId, { fullResync: request.body?.fullResync === true })));

  app.get('/integrations/:integrationId/runs', {
    schema: { tags, summary: 'Runs of the integration, newest first.', params: ItemParams, querystring: Type.Object(PageQuery), response: { 200: PageOf(Run), ...errorResponses } },
  }, async (request) => integrations.listRuns(tenantIdOf(request), request.params.integrationId, request.query));
};
