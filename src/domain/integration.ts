/**
 * Sync configurations and their schedule state: the data model of the `integrations`
 * and `sync_tasks` (reference `sync-tasks`) containers. Times are ISO-8601 UTC strings.
 */

export const SYNC_DIRECTIONS = ['pull', 'push', 'bidirectional'] as const;
export type SyncDirection = (typeof SYNC_DIRECTIONS)[number];

export const SYNC_PRIORITIES = ['high', 'normal', 'low'] as const;
export type SyncPriority = (typeof SYNC_PRIORITIES)[number];

/** How often a pull runs: a fixed interval, or a cron expression (UTC). */
export type SyncSchedule = { readonly intervalMs: number } | { readonly cron: string };

/** One object of one connection, mapped into our entities and kept in sync. */
export interface Integration {
  readonly id: string;
  readonly tenantId: string;
  readonly connectionId: string;
  /** The provider object: `contact`, `page`, `issue`, ... */
  readonly object: string;
  readonly direction: SyncDirection;
  /** The conversion schema (owned by `mapping/`), stored as given. */
  readonly mapping: Record<string, unknown>;
  /** Bumped on every mapping change, so records mapped by an older one can be found. */
  readonly mappingVersion: number;
  /** Null: never pulled on a schedule (push-only, or webhooks and manual runs only). */
  readonly schedule: SyncSchedule | null;
  readonly priority: SyncPriority;
  readonly dedupRules: Record<string, unknown>;
  readonly conflictStrategy: Record<string, unknown>;
  /** Field path -> the side that owns it (`internal` or `external`). */
  readonly fieldOwnership: Record<string, unknown>;
  readonly enabled: boolean;
  /** The last committed incremental cursor, provider-specific; null before the first sync. */
  readonly cursor: unknown;
  readonly cursorUpdatedAt: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export const SYNC_TASK_STATUSES = ['pending', 'queued', 'processing', 'completed', 'failed'] as const;
export type SyncTaskStatus = (typeof SYNC_TASK_STATUSES)[number];

export const SYNC_TRIGGERS = ['scheduled', 'webhook', 'manual'] as const;
/** What started a sync: the schedule, a webhook, or a person. */
export type SyncTrigger = (typeof SYNC_TRIGGERS)[number];

/** Reference `sync-tasks`: when an integration runs next and how its last run went. */
export interface SyncTask {
  readonly id: string;
  readonly integrationId: string;
  readonly tenantId: string;
  readonly connectionId: string;
  readonly syncMode: SyncDirection;
  readonly priority: SyncPriority;
  readonly status: SyncTaskStatus;
  readonly nextScheduled: string | null;
  readonly enabled: boolean;
  readonly type: SyncTrigger;
  readonly createdAt: string;
  readonly updatedAt: string;
}
