import type { SyncTrigger } from '../../domain/integration.ts';

/** The payload of a `sync-inbound` job. */
export interface SyncJobPayload {
  readonly tenantId: string;
  readonly integrationId: string;
  readonly trigger: SyncTrigger;
  /** Read everything again, ignoring the committed cursor. */
  readonly fullResync?: boolean;
}

/** One live sync job per integration: the queue's idempotency key. */
export const syncJobKey = (integrationId: string): string => `sync:${integrationId}`;

/** A job's run id: the same on every delivery of the job, so a retried job resumes its run. */
export const runIdOfJob = (jobId: string): string => `run_${jobId.replace(/^job_/, '')}`;
