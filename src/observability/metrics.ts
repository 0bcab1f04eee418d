import type { ErrorCategory } from '../domain/errors.ts';
import type { QueueName } from '../ports/job-queue.ts';

/**
 * The instruments features update, as plain method calls: features take a `Metrics` in
 * their constructor (default `NO_METRICS`) and never import prom-client. Every method is
 * synchronous, cheap, and never throws into the caller. Durations are milliseconds,
 * measured with the caller's injected Clock. Label values should come from small, fixed
 * sets (role names, provider ids, error codes): never ids of tenants, records or jobs.
 */
export interface Metrics {
  /** One unit of work of a role (a job handler, a scheduler tick, an API-driven sync...). */
  invocation(event: InvocationEvent): void;
  /** An error counted by its catalog category and code (or `UNCLASSIFIED`). */
  error(event: ErrorEvent): void;
  /** A sync run finished: how many records it processed. */
  syncRecords(event: SyncRecordsEvent): void;
  /** A dedup pass: how many candidates were compared and how many matched. */
  dedup(event: DedupEvent): void;
  /** Conflicts found (a both-sides change) or settled (by a rule or a person). */
  conflicts(event: ConflictEvent): void;
  /** An inbound webhook's signature check. */
  webhookVerification(event: WebhookVerificationEvent): void;
  /** A queue job handled by a worker: its handler time, and its wait since it became ready. */
  workerJob(event: WorkerJobEvent): void;
  /** Webhook latency: intake (received -> durable 2xx) or processing (received -> applied). */
  webhookLatency(event: WebhookLatencyEvent): void;
  /** One token refresh attempt. */
  tokenRefresh(event: TokenRefreshEvent): void;
}

export type Outcome = 'success' | 'failure';

export interface InvocationEvent {
  /** The role: `inbound-worker`, `scheduler`, `api`, ... */
  readonly role: string;
  /** What ran inside it: `sync-inbound`, `refresh-pass`, ... */
  readonly fn: string;
  readonly outcome: Outcome;
  readonly durationMs: number;
}

export interface ErrorEvent {
  readonly category: ErrorCategory;
  readonly code: string;
  /** Where it was seen (a role or feature name). */
  readonly source: string;
}

export interface SyncRecordsEvent {
  readonly provider: string;
  readonly direction: 'inbound' | 'outbound';
  /** Records read or written by the run, whatever their result. */
  readonly records: number;
  /** Of those, how many failed. Default 0. */
  readonly failed?: number;
}

export interface DedupEvent {
  readonly entityType: string;
  readonly candidates: number;
  readonly matches: number;
}

export interface ConflictEvent {
  readonly entityType: string;
  readonly detected?: number;
  readonly resolved?: number;
  /** How the resolved ones were settled: `rule`, `manual`, ... Default `rule`. */
  readonly resolution?: string;
}

export interface WebhookVerificationEvent {
  readonly provider: string;
  readonly ok: boolean;
  /** Why it failed (`signature`, `timestamp`, `unknown_secret`, ...). Ignored when ok. */
  readonly reason?: string;
}

export interface WorkerJobEvent {
  readonly queue: QueueName;
  /**
   * `retry`: it failed and will run again; `dead_letter`: it failed for good; `aborted`:
   * its lease was lost or the consumer stopped, and it goes back to the queue.
   */
  readonly outcome: 'success' | 'retry' | 'dead_letter' | 'aborted';
  readonly durationMs: number;
  /** From enqueue to first pick-up (including any requested delay); first attempts only. */
  readonly waitMs?: number;
}

export interface WebhookLatencyEvent {
  readonly provider: string;
  readonly stage: 'intake' | 'processing';
  readonly durationMs: number;
}

export interface TokenRefreshEvent {
  readonly provider: string;
  readonly outcome: Outcome;
  readonly durationMs: number;
  /** Failure reason, an error code such as `AUTH_REVOKED`. Ignored on success. */
  readonly reason?: string;
}

/** Records nothing: the default for features built without metrics (tests, CLI commands). */
export const NO_METRICS: Metrics = Object.freeze({
  invocation: () => undefined,
  error: () => undefined,
  syncRecords: () => undefined,
  dedup: () => undefined,
  conflicts: () => undefined,
  webhookVerification: () => undefined,
  workerJob: () => undefined,
  webhookLatency: () => undefined,
  tokenRefresh: () => undefined,
});
