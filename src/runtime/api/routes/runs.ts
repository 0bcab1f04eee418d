import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { IntegrationService } from '../../../sync/index.ts';
import { tenantIdOf } from '../plugins/tenant-scope.ts';
import { TenantId, errorResponses } from '../schemas.ts';
import { RunDetail, RunId } from './sync-schemas.ts';

export interface RunRoutesOptions {
  integrations: IntegrationService;
}

/** `/v1/runs/:runId`: a run with live progress, its result once finished, and its first record errors. */
export const runRoutes: FastifyPluginAsyncTypebox<RunRoutesOptions> = async (app, { integrations }) => {
  app.get('/runs/:runId', {
    schema: {
      tags: ['integrations'], summary: 'One run: live progress (records, pages, rate, estimate), counts, result, record errors (first 100).',
      params: Type.Object({ tenantId: Type.Optional(TenantId), runId: RunId }), response: { 200: RunDetail, ...errorResponses },
    },
  }, async (request) => {
    const tenantId = tenantIdOf(request);
    const run = await integrations.getRun(tenantId, request.params.runId);
    return { ...run, recordErrors: await integrations.listRecordErrors(tenantId, run.id, 100) };
  });
};
