/**
 * The dedup review queue (the matches scored between the two thresholds, written by the
 * pull writer): listing with the candidates side by side, and a person's decision.
 * Accept merges the two candidates (MergeService's rules); reject dismisses the review
 * and remembers the pair, so it is never proposed again. Each decision is one store
 * transaction with its audit entry.
 */
import { TributaryError, isTributaryError } from '../../domain/errors.ts';
import { newId } from '../../domain/ids.ts';
import type { DedupReview, DedupReviewStatus } from '../../domain/review.ts';
import type { Clock } from '../../ports/clock.ts';
import type { Page, PageRequest, Store } from '../../ports/store.ts';
import type { EntityActionContext, MergeService, MergeView } from './merge-service.ts';
import { candidateIds, reviewView, type DedupReviewView } from './review-view.ts';

export type ReviewDecision = 'accept' | 'reject';

export interface ReviewOutcome {
  readonly review: DedupReviewView;
  /** The merge an accept made; null for a reject. */
  readonly merge: MergeView | null;
}

export type BulkItemOutcome =
  | { readonly id: string; readonly ok: true; readonly status: DedupReviewStatus; readonly mergeId: string | null }
  | { readonly id: string; readonly ok: false; readonly error: { readonly code: string; readonly message: string } };

export interface DedupReviewServiceDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly merges: MergeService;
}

/** At most this many reviews in one bulk decision (each is its own transaction). */
export const MAX_BULK_REVIEWS = 100;

export class DedupReviewService {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #merges: MergeService;

  constructor(deps: DedupReviewServiceDeps) {
    this.#store = deps.store;
    this.#clock = deps.clock;
    this.#merges = deps.merges;
  }

  /** Oldest first, with cursor pages; each review with its candidates side by side. */
  async list(tenantId: string, filter: PageRequest & { status?: DedupReviewStatus }): Promise<Page<DedupReviewView>> {
    const page = await this.#store.dedupReviews.list(tenantId, filter);
    const ids = [...new Set(page.items.flatMap((r) => candidateIds(r) ?? []))];
    const entities = new Map((await this.#store.entities.getMany(tenantId, ids)).map((e) => [e.id, e]));
    return { items: page.items.map((r) => reviewView(r, entities)), nextCursor: page.nextCursor };
  }

  async get(tenantId: string, id: string): Promise<DedupReviewView> {
    const review = await this.#store.dedupReviews.get(tenantId, id);
    if (review === null) throw reviewNotFound(id);
    return this.#view(tenantId, review);
  }

  /**
   * Decides one open review. NOT_FOUND when it is not the tenant's; CONFLICT when it was
   * decided already, or (accept) a candidate was deleted or merged meanwhile.
   */
  async decide(tenantId: string, id: string, decision: ReviewDecision, context: EntityActionContext): Promise<ReviewOutcome> {
    const at = new Date(this.#clock.now()).toISOString();
    const { review, merge } = await this.#store.transaction(async (tx) => {
      const current = await tx.dedupReviews.get(tenantId, id);
      if (current === null) throw reviewNotFound(id);
      if (current.status !== 'open') throw new TributaryError('CONFLICT', `Review ${id} was already decided (${current.status})`);
      const ids = candidateIds(current);
      if (ids === null) throw new TributaryError('CONFLICT', `Review ${id} names no pair of entities`);
      const resolution = { decision, by: context.actor, requestId: context.requestId };
      let lineage: MergeView | null = null;
      if (decision === 'accept') {
        lineage = await this.#merges.mergeIn(tx, tenantId, ids, { reviewId: id, score: current.payload.score ?? null, by: context.actor }, at);
        await tx.dedupReviews.resolve(tenantId, id, 'merged', { ...resolution, mergeId: lineage.id }, at);
      } else {
        await tx.dedupReviews.resolve(tenantId, id, 'dismissed', resolution, at);
        await tx.dedupReviews.dismissPair(tenantId, ids[0], ids[1], at);
      }
      await tx.audit.append({
        id: newId('aud'), at, actor: context.actor, action: `dedup.review.${decision}`, tenantId, target: id,
        details: { entityIds: ids, ...(lineage ? { mergeId: lineage.id, survivorId: lineage.survivorId } : {}) }, requestId: context.requestId,
      });
      return { review: (await tx.dedupReviews.get(tenantId, id))!, merge: lineage };
    });
    return { review: await this.#view(tenantId, review), merge };
  }

  /** Decides several reviews one by one (each alone: one failing leaves the others decided). */
  async decideMany(tenantId: string, ids: readonly string[], decision: ReviewDecision, context: EntityActionContext): Promise<BulkItemOutcome[]> {
    if (ids.length === 0 || ids.length > MAX_BULK_REVIEWS) {
      throw new TributaryError('VALIDATION_FAILED', `ids must hold 1 to ${MAX_BULK_REVIEWS} review ids`, { field: 'body.ids' });
    }
    const out: BulkItemOutcome[] = [];
    for (const id of new Set(ids)) {
      try {
        const { review, merge } = await this.decide(tenantId, id, decision, context);
        out.push({ id, ok: true, status: review.status, mergeId: merge?.id ?? null });
      } catch (error) {
        if (!isTributaryError(error) || (error.code !== 'NOT_FOUND' && error.code !== 'CONFLICT')) throw error;
        out.push({ id, ok: false, error: { code: error.code, message: error.message } });
      }
    }
    return out;
  }

  async #view(tenantId: string, review: DedupReview): Promise<DedupReviewView> {
    const entities = await this.#store.entities.getMany(tenantId, candidateIds(review) ?? []);
    return reviewView(review, new Map(entities.map((e) => [e.id, e])));
  }
}

function reviewNotFound(id: string): TributaryError {
  return new TributaryError('NOT_FOUND', `Review ${id} not found`, { field: 'params.reviewId' });
}
