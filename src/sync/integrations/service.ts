/**
 * Integrations as the API sees them: create (default mapping when none is given),
 * read, update, delete; the mapping (validated, versioned); manual runs; runs with live
 * progress. Tenant-scoped: every call takes the tenant, and another tenant's id is
 * NOT_FOUND. Validation failures are VALIDATION_FAILED with the JSON path at fault.
 */
import { TributaryError, isTributaryError } from '../../domain/errors.ts';
import { newId } from '../../domain/ids.ts';
import { SYNC_DIRECTIONS, SYNC_PRIORITIES, type Integration, type SyncDirection, type SyncPriority, type SyncSchedule } from '../../domain/integration.ts';
import type { MappingDocument } from '../../domain/mapping.ts';
import type { RunRecordError, SyncResult } from '../../domain/sync-run.ts';
import { assertValidMapping, defaultMapping } from '../../mapping/index.ts';
import type { Clock } from '../../ports/clock.ts';
import type { JobQueue } from '../../ports/job-queue.ts';
import type { IntegrationPatch, Page, PageRequest, Store, SyncRunDetail } from '../../ports/store.ts';
import type { Provider } from '../../providers/provider.ts';
import { assertValidSchedule, nextRunAt } from '../schedule/next-run.ts';
import { objectOf } from '../worker/inbound.ts';
import { runIdOfJob, syncJobKey, type SyncJobPayload } from '../worker/job.ts';
import { describeProgress, type RunProgressView } from './progress.ts';
import { assertValidConflictSettings } from '../conflicts/index.ts';
import { pushSettingsOf } from '../push/settings.ts';
import { assertValidDedupRules } from './dedup-rules.ts';

export interface IntegrationInput {
  connectionId: string;
  object: string;
  direction?: SyncDirection;
  mapping?: Record<string, unknown>;
  schedule?: SyncSchedule | null;
  priority?: SyncPriority;
  dedupRules?: Record<string, unknown>;
  conflictStrategy?: Record<string, unknown>;
  fieldOwnership?: Record<string, unknown>;
  enabled?: boolean;
}

export type IntegrationUpdate = Omit<IntegrationPatch, 'mappingVersion'>;

export interface IntegrationServiceDeps {
  readonly store: Store;
  readonly queue: JobQueue;
  readonly clock: Clock;
  /** The provider registry (providers/index.ts `providerById`). */
  readonly providerFor: (id: string) => Provider | undefined;
}

/** A run as the API shows it: the stored run, its progress figures, and its result once finished. */
export interface RunView extends SyncRunDetail {
  readonly progress: RunProgressView;
  readonly result: SyncResult | null;
}

export class IntegrationService {
  readonly #deps: IntegrationServiceDeps;

  constructor(deps: IntegrationServiceDeps) {
    this.#deps = deps;
  }

  async create(tenantId: string, input: IntegrationInput): Promise<Integration> {
    const { store, clock } = this.#deps;
    const connection = await store.connections.get(tenantId, input.connectionId);
    if (connection === null) throw new TributaryError('NOT_FOUND', `Connection ${input.connectionId} not found`, { field: 'body.connectionId' });
    const provider = this.#deps.providerFor(connection.provider);
    if (provider && !objectOf(provider, input.object)) {
      throw new TributaryError('VALIDATION_FAILED', `${provider.label} has no object ${input.object}`, { field: 'body.object' });
    }
    const mapping = input.mapping === undefined ? defaultMapping(connection.provider, input.object) : validMapping(input.mapping, 1);
    if (mapping === null) throw new TributaryError('VALIDATION_FAILED', `No default mapping for ${connection.provider} ${input.object}: give one`, { field: 'body.mapping' });
    const schedule = input.schedule ?? null;
    assertValidScheduleAt(schedule);
    assertValidSyncSettings(input.conflictStrategy, input.fieldOwnership);
    assertValidDedupRules(input.dedupRules);
    const nowMs = clock.now();
    const now = new Date(nowMs).toISOString();
    const integration: Integration = {
      id: newId('int'), tenantId, connectionId: connection.id, object: input.object, direction: input.direction ?? 'pull',
      mapping: mapping as unknown as Record<string, unknown>, mappingVersion: mapping.version, schedule, priority: input.priority ?? 'normal',
      dedupRules: input.dedupRules ?? {}, conflictStrategy: input.conflictStrategy ?? {}, fieldOwnership: input.fieldOwnership ?? {},
      enabled: input.enabled ?? true, cursor: null, cursorUpdatedAt: null, createdAt: now, updatedAt: now,
    };
    // A scheduled integration runs first now, then on its schedule.
    await store.integrations.insert(integration, schedule === null ? null : now);
    return integration;
  }

  list(tenantId: string, page?: PageRequest & { connectionId?: string }): Promise<Page<Integration>> {
    return this.#deps.store.integrations.list(tenantId, page);
  }

  async get(tenantId: string, id: string): Promise<Integration> {
    const integration = await this.#deps.store.integrations.get(tenantId, id);
    if (integration === null) throw new TributaryError('NOT_FOUND', `Integration ${id} not found`, { field: 'params.integrationId' });
    return integration;
  }

  async update(tenantId: string, id: string, patch: IntegrationUpdate): Promise<Integration> {
    const current = await this.get(tenantId, id);
    const full: IntegrationPatch = { ...patch };
    if (patch.direction !== undefined && !SYNC_DIRECTIONS.includes(patch.direction)) throw new TributaryError('VALIDATION_FAILED', 'Unknown direction', { field: 'body.direction' });
    if (patch.priority !== undefined && !SYNC_PRIORITIES.includes(patch.priority)) throw new TributaryError('VALIDATION_FAILED', 'Unknown priority', { field: 'body.priority' });
    if (patch.mapping !== undefined) {
      const mapping = validMapping(patch.mapping, current.mappingVersion + 1);
      full.mapping = mapping as unknown as Record<string, unknown>;
      full.mappingVersion = mapping.version;
    }
    if (patch.schedule !== undefined) assertValidScheduleAt(patch.schedule);
    assertValidDedupRules(patch.dedupRules);
    if (patch.conflictStrategy !== undefined || patch.fieldOwnership !== undefined) {
      assertValidSyncSettings(patch.conflictStrategy ?? current.conflictStrategy, patch.fieldOwnership ?? current.fieldOwnership);
    }
    const nowMs = this.#deps.clock.now();
    const updated = await this.#deps.store.integrations.update(tenantId, id, full, new Date(nowMs).toISOString());
    if (updated === null) throw new TributaryError('NOT_FOUND', `Integration ${id} not found`, { field: 'params.integrationId' });
    if (patch.schedule !== undefined) {
      const next = nextRunAt(updated.schedule, nowMs);
      await this.#deps.store.integrations.setNextScheduled(tenantId, id, next === null ? null : new Date(next).toISOString(), updated.updatedAt);
    }
    return updated;
  }

  async delete(tenantId: string, id: string): Promise<void> {
    if (!(await this.#deps.store.integrations.delete(tenantId, id))) throw new TributaryError('NOT_FOUND', `Integration ${id} not found`, { field: 'params.integrationId' });
  }

  async getMapping(tenantId: string, id: string): Promise<{ mapping: Record<string, unknown>; version: number }> {
    const integration = await this.get(tenantId, id);
    return { mapping: integration.mapping, version: integration.mappingVersion };
  }

  /** Replaces the mapping; its version becomes the previous one plus one. */
  async putMapping(tenantId: string, id: string, mapping: Record<string, unknown>): Promise<{ mapping: Record<string, unknown>; version: number }> {
    const updated = await this.update(tenantId, id, { mapping });
    return { mapping: updated.mapping, version: updated.mappingVersion };
  }

  /**
   * A manual run: enqueued on `sync-inbound` (high priority) under the integration's
   * idempotency key. When a run is already waiting or running, that run's id comes back.
   */
  async startSync(tenantId: string, id: string, options: { fullResync?: boolean } = {}): Promise<{ runId: string; alreadyRunning: boolean }> {
    const integration = await this.get(tenantId, id);
    if (integration.direction === 'push') throw new TributaryError('VALIDATION_FAILED', 'A push-only integration does not pull', { field: 'params.integrationId' });
    const payload: SyncJobPayload = { tenantId, integrationId: id, trigger: 'manual', ...(options.fullResync ? { fullResync: true } : {}) };
    const job = await this.#deps.queue.enqueue('sync-inbound', payload, { priority: 'high', idempotencyKey: syncJobKey(id), correlationId: id });
    const runId = runIdOfJob(job.id);
    await this.#deps.store.runs.ensure({
      id: runId, tenantId, integrationId: id, type: 'manual', status: 'queued', startedAt: new Date(this.#deps.clock.now()).toISOString(), finishedAt: null,
      recordsSoFar: 0, pages: 0, totalEstimate: null, error: null, checkpoint: null, expiresAt: null,
    });
    return { runId, alreadyRunning: job.deduplicated };
  }

  async getRun(tenantId: string, runId: string): Promise<RunView> {
    const run = await this.#deps.store.runs.get(tenantId, runId);
    if (run === null) throw new TributaryError('NOT_FOUND', `Run ${runId} not found`, { field: 'params.runId' });
    const result = run.finishedAt === null ? null : await this.#deps.store.runs.getResultByRun(tenantId, runId);
    return { ...run, progress: describeProgress(run, this.#deps.clock.now()), result };
  }

  /** The run's record-level failures, oldest first (at most `limit`). */
  listRecordErrors(tenantId: string, runId: string, limit = 100): Promise<RunRecordError[]> {
    return this.#deps.store.runs.listRecordErrors(tenantId, runId, limit);
  }

  async listRuns(tenantId: string, integrationId: string, page?: PageRequest): Promise<Page<SyncRunDetail>> {
    await this.get(tenantId, integrationId);
    return this.#deps.store.runs.listByIntegration(tenantId, integrationId, page);
  }
}

function validMapping(raw: Record<string, unknown>, version: number): MappingDocument {
  try {
    return assertValidMapping({ ...raw, version });
  } catch (error) {
    if (isTributaryError(error) && error.field !== undefined) {
      throw new TributaryError(error.code, error.message, { field: `body.mapping${error.field.startsWith('/') ? error.field : `/${error.field}`}`, details: error.details, cause: error });
    }
    throw error;
  }
}

function assertValidScheduleAt(schedule: SyncSchedule | null): void {
  try {
    assertValidSchedule(schedule);
  } catch (error) {
    if (isTributaryError(error) && error.field !== undefined) throw new TributaryError(error.code, error.message, { field: `body.${error.field}`, cause: error });
    throw error;
  }
}

/** The conflict policy and the push settings it carries (`conflictStrategy.push`), as a 400 naming the field. */
function assertValidSyncSettings(conflictStrategy: Record<string, unknown> | undefined, fieldOwnership: Record<string, unknown> | undefined): void {
  assertValidConflictSettings(conflictStrategy, fieldOwnership);
  try {
    pushSettingsOf({ conflictStrategy: conflictStrategy ?? {} });
  } catch (error) {
    if (!isTributaryError(error) || error.code !== 'CONFIG_INVALID') throw error;
    throw new TributaryError('VALIDATION_FAILED', error.message, { field: `body.${error.field ?? 'conflictStrategy.push'}` });
  }
}
