/**
 * Applying changes that did not come from a cursor walk (a webhook's records or
 * deletions, a targeted fetch) through the same mapping, dedup and entity writer as a
 * pull page, as a run of type `webhook`, without touching the integration's cursor.
 */
import type { Integration } from '../../domain/integration.ts';
import type { MappingContext, MappingDocument } from '../../domain/mapping.ts';
import type { RunRecordError } from '../../domain/sync-run.ts';
import { getCompiledMapping } from '../../mapping/index.ts';
import type { Clock } from '../../ports/clock.ts';
import type { RunCounts, Store } from '../../ports/store.ts';
import type { ExternalRecord } from '../../providers/provider.ts';
import { finishRun } from '../runs/finish.ts';
import { resolveDedupSettings } from './dedup-match.ts';
import { addCounts, writePage, type MappedRecord } from './write-page.ts';
import { conflictSettingsOf } from './conflict-step.ts';
import { tenantPushes } from '../push/propagate.ts';
import type { ResolverRegistry } from '../conflicts/index.ts';

export interface ApplyChangesOptions {
  readonly store: Store;
  readonly clock: Clock;
  readonly integration: Integration;
  readonly mapping: MappingDocument;
  readonly runId: string;
  readonly records: readonly ExternalRecord[];
  /** Record ids deleted at the provider. */
  readonly deletions: readonly string[];
  readonly mappingContext?: MappingContext;
  /** Resolvers registered in code, for `custom` rules that name one (`resolver: "name"`). */
  readonly resolvers?: ResolverRegistry;
}

const RETENTION = { resultTtlSeconds: 30 * 86_400, runRetentionMs: 30 * 86_400_000 };

/** Writes the changes as one page and finishes their run; returns the run's counts. */
export async function applyChanges(options: ApplyChangesOptions): Promise<RunCounts> {
  const { store, clock, integration } = options;
  const startedMs = clock.now();
  const at = new Date(startedMs).toISOString();
  const existing = await store.runs.ensure({
    id: options.runId, tenantId: integration.tenantId, integrationId: integration.id, type: 'webhook', status: 'running', startedAt: at,
    finishedAt: null, recordsSoFar: 0, pages: 0, totalEstimate: null, error: null, checkpoint: null, expiresAt: null,
  });
  // A replayed event whose run already finished: its changes are written (a finished run takes no more pages).
  if (existing.finishedAt !== null) return existing.counts;
  const mapping = getCompiledMapping(options.mapping);
  const mapped: MappedRecord[] = [];
  const errors: (RunRecordError & { expiresAt: string | null })[] = [];
  const expiresAt = new Date(startedMs + RETENTION.runRetentionMs).toISOString();
  let failed = 0;
  for (const record of options.records) {
    const result = mapping.apply(record.data, options.mappingContext);
    if (!result.failed) {
      mapped.push({ recordId: record.id, result, modifiedAt: record.modifiedAt });
      continue;
    }
    failed += 1;
    for (const issue of result.errors) errors.push({ runId: options.runId, tenantId: integration.tenantId, externalId: record.id, field: issue.field || null, reason: issue.reason, at, expiresAt });
  }
  let counts: RunCounts = { created: 0, updated: 0, unchanged: 0, deleted: 0, failed: 0 };
  const records = options.records.length + options.deletions.length;
  await writePage(store, {
    tenantId: integration.tenantId, connectionId: integration.connectionId, integrationId: integration.id, runId: options.runId, at,
    primaryObject: options.mapping.targets[0]?.object ?? options.mapping.source.object, records: mapped, deletions: options.deletions,
    recordErrors: errors, dedup: resolveDedupSettings(integration.dedupRules), conflicts: conflictSettingsOf(integration, options.mapping, options.resolvers ? { resolvers: options.resolvers } : {}),
    propagate: await tenantPushes(store, integration.tenantId),
    progress: (page) => {
      counts = addCounts(counts, page, failed);
      return { recordsSoFar: records, pages: 1, totalEstimate: records, checkpoint: null, counts, fullResync: false };
    },
  });
  await finishRun(store, {
    tenantId: integration.tenantId, integrationId: integration.id, runId: options.runId, status: failed > 0 ? 'partial' : 'succeeded', error: null,
    counts, records, startedMs, finishedMs: clock.now(), retention: RETENTION,
  });
  return counts;
}
