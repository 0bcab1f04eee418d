/**
 * The sync engine, pull half: the entity writer, the pull loop with its checkpoints, and
 * run bookkeeping. Talks to the world only through ports and the provider interface.
 */
export { runPull, isCursorExpired, toStoredError } from './pull/run-pull.ts';
export type { PullOutcome, RunPullOptions, RunStatus } from './pull/run-pull.ts';
export { writePage, addCounts } from './pull/write-page.ts';
export type { MappedRecord, PageWrite } from './pull/write-page.ts';
export { resolveDedupSettings, decideMatches } from './pull/dedup-match.ts';
export type { DedupSettings, DedupDecision, NewEntity } from './pull/dedup-match.ts';
export { matchKeysOf, DEDUP_ENTITY_TYPES } from './pull/match-keys.ts';
export type { RecordCounts } from './pull/page-plan.ts';
export { finishRun } from './runs/finish.ts';
export type { FinishRun, RunRetention } from './runs/finish.ts';
export { applyChanges } from './pull/apply-changes.ts';
export { ResolverRegistry } from './conflicts/index.ts';
export type { ConflictResolver, ResolverContext } from './conflicts/index.ts';
export { ConflictStep, conflictSettingsOf, entitiesWithLocalChanges, hasLocalChange } from './pull/conflict-step.ts';
export type { ConflictSettings, ConflictStepOptions, ConflictsWaiting, ReconcileInput, Reconciled } from './pull/conflict-step.ts';
export type { ApplyChangesOptions } from './pull/apply-changes.ts';
export { scheduleDue } from './schedule/scheduler.ts';
export type { SchedulerDeps } from './schedule/scheduler.ts';
export { nextRunAt, assertValidSchedule, MIN_INTERVAL_MS } from './schedule/next-run.ts';
export { createInboundHandler, mappingOf, objectOf } from './worker/inbound.ts';
export type { InboundDeps } from './worker/inbound.ts';
export { syncJobKey, runIdOfJob } from './worker/job.ts';
export type { SyncJobPayload } from './worker/job.ts';
export { IntegrationService } from './integrations/service.ts';
export type { IntegrationInput, IntegrationUpdate, IntegrationServiceDeps, RunView } from './integrations/service.ts';
export { describeProgress } from './integrations/progress.ts';
export type { RunProgressView } from './integrations/progress.ts';
export { EntityService } from './entities/service.ts';
export { ConflictReviewService, conflictView, MAX_BULK_CONFLICTS } from './conflict-review/service.ts';
export type { BulkItemResult, BulkResolution, ConflictFieldView, ConflictView } from './conflict-review/service.ts';
export type { EntityDetail, ChangePage } from './entities/service.ts';
export { HostWriteService, relayPending, relayRows, createOutboundHandler, pushSettingsOf, MAX_BULK_ITEMS } from './push/index.ts';
export type { BulkResult, OutboundDeps, PushJobPayload, PushOutcome, PushSettings } from './push/index.ts';
export { MergeService } from './entities/merge-service.ts';
export type { EntityActionContext, MergeServiceDeps, MergeView } from './entities/merge-service.ts';
export { DedupReviewService, MAX_BULK_REVIEWS } from './entities/review-service.ts';
export type { BulkItemOutcome, DedupReviewServiceDeps, ReviewDecision, ReviewOutcome } from './entities/review-service.ts';
export type { DedupReviewView, FieldComparison, ReviewCandidate } from './entities/review-view.ts';
export { inferDeletions, deletionInferenceFor } from './pull/deletion-inference.ts';
export type { DeletionInference } from './pull/deletion-inference.ts';
