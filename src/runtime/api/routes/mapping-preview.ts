import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ConnectionService } from '../../../connections/index.ts';
import { TributaryError, isTributaryError } from '../../../domain/errors.ts';
import type { MappingDocument } from '../../../domain/mapping.ts';
import { assertValidMapping, previewMapping, recordPathsOf } from '../../../mapping/index.ts';
import type { PreviewRecord } from '../../../mapping/index.ts';
import type { ExternalRecord, Provider } from '../../../providers/index.ts';
import { mappingOf, objectOf, type IntegrationService } from '../../../sync/index.ts';
import { tenantIdOf } from '../plugins/tenant-scope.ts';
import { TenantId, errorResponses } from '../schemas.ts';
import { IntegrationId, JsonObject } from './sync-schemas.ts';

export interface MappingPreviewRoutesOptions {
  integrations: IntegrationService;
  connections: ConnectionService;
  /** The provider registry (providers/index.ts). */
  providerFor: (id: string) => Provider | undefined;
}

/** Records fetched when the body names none: enough to see each field, few enough to stay cheap. */
const DEFAULT_SAMPLE = 5;
const MAX_SAMPLE = 20;

const ItemParams = Type.Object({ tenantId: Type.Optional(TenantId), integrationId: IntegrationId });
const PreviewBody = Type.Object({
  mapping: Type.Optional(JsonObject),
  ids: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 300 }), { minItems: 1, maxItems: MAX_SAMPLE })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_SAMPLE })),
}, { additionalProperties: false });
const PreviewField = Type.Object({
  field: Type.String(),
  externalId: Type.Union([Type.String(), Type.Null()]),
  value: Type.Optional(Type.Unknown()),
  error: Type.Optional(Type.String()),
});
const PreviewAnswer = Type.Object({
  mappingVersion: Type.Union([Type.Integer(), Type.Null()]),
  records: Type.Array(Type.Object({
    externalId: Type.String(),
    failed: Type.Boolean(),
    fields: Type.Array(PreviewField),
    relationships: Type.Array(JsonObject),
    errors: Type.Array(Type.Object({ field: Type.String(), reason: Type.String() })),
  })),
  /** Ids asked for that the provider does not have. */
  missing: Type.Array(Type.String()),
});

/**
 * `POST /v1/integrations/:id/mapping/preview`: the mapping (the one in the body, else
 * the saved one) applied to a few live records of the provider: the ones the body
 * names by id (`fetchOne`), else the first page of `readPage` cut to `limit` (default
 * 5). Each output field answers its value or its error; nothing is written. A mapping
 * that does not validate is 400 naming the JSON path (`body.mapping/...`).
 */
export const mappingPreviewRoutes: FastifyPluginAsyncTypebox<MappingPreviewRoutesOptions> = async (app, { integrations, connections, providerFor }) => {
  app.post('/integrations/:integrationId/mapping/preview', {
    schema: {
      tags: ['integrations'],
      summary: 'Try a mapping (the saved one when the body gives none) on a few live records: each output field with its value or its error. Writes nothing.',
      params: ItemParams, body: PreviewBody, response: { 200: PreviewAnswer, ...errorResponses },
    },
    // No body at all is an empty one: the saved mapping on the first records.
    preValidation: async (request) => {
      request.body ??= {};
    },
  }, async (request) => {
    const tenantId = tenantIdOf(request);
    const integration = await integrations.get(tenantId, request.params.integrationId);
    const connection = await connections.connection(tenantId, integration.connectionId);
    const provider = providerFor(connection.provider);
    const object = provider && objectOf(provider, integration.object);
    if (!provider || !object) throw new TributaryError('VALIDATION_FAILED', `Unknown provider object ${connection.provider} ${integration.object}`, { field: 'params.integrationId' });
    const body = request.body;
    const mapping: MappingDocument = body.mapping === undefined ? mappingOf(integration, provider.id) : tryMapping(body.mapping);

    const ctx = connections.providerContext(connection);
    const paths = recordPathsOf(mapping);
    const missing: string[] = [];
    let records: ExternalRecord[];
    if (body.ids !== undefined) {
      const fetched = await Promise.all(body.ids.map(async (id) => ({ id, record: await object.fetchOne(ctx, id, { paths }) })));
      records = fetched.flatMap(({ id, record }) => (record === null ? (missing.push(id), []) : [record]));
    } else {
      const limit = body.limit ?? DEFAULT_SAMPLE;
      records = (await object.readPage(ctx, null, { pageSize: limit, paths })).records.slice(0, limit);
    }
    const previews: PreviewRecord[] = previewMapping(mapping, records.map((record) => record.data));
    return {
      mappingVersion: body.mapping === undefined ? integration.mappingVersion : null,
      records: previews.map((preview, index) => ({
        externalId: records[index]?.id ?? '',
        failed: preview.failed,
        fields: preview.fields,
        relationships: preview.relationships as unknown as Record<string, unknown>[],
        errors: preview.errors,
      })),
      missing,
    };
  });
};

/** A mapping from the body, validated as PUT /mapping validates it (version aside). */
function tryMapping(raw: Record<string, unknown>): MappingDocument {
  try {
    return assertValidMapping({ version: 1, ...raw });
  } catch (error) {
    if (isTributaryError(error) && error.field !== undefined) {
      throw new TributaryError(error.code, error.message, { field: `body.mapping${error.field.startsWith('/') ? error.field : `/${error.field}`}`, cause: error, ...(error.details ? { details: error.details } : {}) });
    }
    throw error;
  }
}
