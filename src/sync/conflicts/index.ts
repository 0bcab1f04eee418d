/**
 * The conflict engine (the reference's BidirectionalSyncEngine, pure): three-way
 * detection per field, the six strategies with per-field overrides, field ownership,
 * review-queue completion, and echo recognition. No I/O, no clock: times are inputs.
 */
export { resolve } from './resolve.ts';
export type { ResolveInput, Resolution, FieldPatch, IgnoredChange } from './resolve.ts';
export { parseConflictPolicy, ruleFor, DEFAULT_CONFLICT_POLICY, assertValidConflictSettings } from './policy.ts';
export { decideConflict } from './strategies.ts';
export type { FieldDecision, DecideInput } from './strategies.ts';
export { mergeValues } from './merge-values.ts';
export type { MergeOutcome } from './merge-values.ts';
export { ResolverRegistry } from './registry.ts';
export type { ConflictResolver, ResolverContext } from './registry.ts';
export { resolvePending } from './manual.ts';
export type { PendingResolution, ResolvePendingInput } from './manual.ts';
export { pushedHash, isEcho, classifyRemote } from './echo.ts';
export { choicesFor, decideReview, REVIEW_RESOLUTIONS } from './review.ts';
export type { FieldChoice, ReviewOutcome, ReviewRequest, ReviewResolution } from './review.ts';
export type { RemoteState } from './echo.ts';
export { deepEqual, fieldEqual, canonicalJson, isEmpty } from './values.ts';
export type { FieldEquals } from './values.ts';
export { CONFLICT_STRATEGIES, FIELD_OWNERS } from '../../domain/conflict.ts';
export type {
  ConflictStrategyName,
  ConflictPolicy,
  ConflictRecord,
  ConflictDecision,
  ConflictFieldRecord,
  ConflictPayload,
  ConflictResolutionRecord,
  FieldOwner,
  FieldRule,
  LastWriteWinsSettings,
  ManualChoice,
  Side,
} from '../../domain/conflict.ts';
