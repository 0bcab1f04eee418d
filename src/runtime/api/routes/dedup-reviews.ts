import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { MAX_BULK_REVIEWS, type DedupReviewService } from '../../../sync/index.ts';
import { tenantIdOf } from '../plugins/tenant-scope.ts';
import { PageOf, PageQuery, TenantId, errorResponses } from '../schemas.ts';
import { actionContext } from './action-context.ts';
import { DedupReview, Decision, Merge, ReviewId, ReviewStatus } from './dedup-schemas.ts';

export interface DedupReviewRoutesOptions {
  reviews: DedupReviewService;
}

const Params = Type.Object({ tenantId: Type.Optional(TenantId) });
const ItemParams = Type.Object({ tenantId: Type.Optional(TenantId), reviewId: ReviewId });

/** `/v1/dedup/reviews`: possible duplicates waiting for a person, and their decisions (one or in bulk). */
export const dedupReviewRoutes: FastifyPluginAsyncTypebox<DedupReviewRoutesOptions> = async (app, { reviews }) => {
  const tags = ['dedup'];

  app.get('/dedup/reviews', {
    schema: {
      tags, summary: 'Dedup reviews, oldest first, filtered by status; each with both candidate entities side by side, the score and per-field similarity.',
      params: Params, querystring: Type.Object({ ...PageQuery, status: Type.Optional(ReviewStatus) }),
      response: { 200: PageOf(DedupReview), ...errorResponses },
    },
  }, async (request) => reviews.list(tenantIdOf(request), request.query));

  app.get('/dedup/reviews/:reviewId', {
    schema: { tags, summary: 'One dedup review with its candidates side by side.', params: ItemParams, response: { 200: DedupReview, ...errorResponses } },
  }, async (request) => reviews.get(tenantIdOf(request), request.params.reviewId));

  app.post('/dedup/reviews/bulk', {
    schema: {
      tags, summary: `Decide up to ${MAX_BULK_REVIEWS} reviews at once; each is decided on its own and reported with its outcome.`,
      params: Params,
      body: Type.Object({ ids: Type.Array(ReviewId, { minItems: 1, maxItems: MAX_BULK_REVIEWS }), decision: Decision }, { additionalProperties: false }),
      response: {
        200: Type.Object({
          results: Type.Array(Type.Object({
            id: Type.String(), ok: Type.Boolean(), status: Type.Optional(ReviewStatus), mergeId: Type.Optional(Type.Union([Type.String(), Type.Null()])),
            error: Type.Optional(Type.Object({ code: Type.String(), message: Type.String() })),
          })),
        }),
        ...errorResponses,
      },
    },
  }, async (request) => ({ results: await reviews.decideMany(tenantIdOf(request), request.body.ids, request.body.decision, actionContext(request)) }));

  app.post('/dedup/reviews/:reviewId', {
    schema: {
      tags, summary: 'Decide a review: accept merges the candidates (the older entity survives), reject remembers them as distinct. 409 when already decided.',
      params: ItemParams, body: Type.Object({ decision: Decision }, { additionalProperties: false }),
      response: { 200: Type.Object({ review: DedupReview, merge: Type.Union([Merge, Type.Null()]) }), ...errorResponses },
    },
  }, async (request) => reviews.decide(tenantIdOf(request), request.params.reviewId, request.body.decision, actionContext(request)));
};
