/**
 * Two inbound workers on the same run, the first one stale: it took the job and the
 * integration's lease, stalled inside a provider read (a starved machine, a GC pause)
 * until its lease lapsed, and another worker took the job over and finished the run.
 * When the stale worker wakes up, it must not regress the run: not its cursor (its page,
 * read before the other worker's, carries an older cursor), not its status (a transient
 * error would mark it `retrying`), not its result. Shared by the SQLite and the
 * PostgreSQL test files; each gives the store, the locks and a way to make a lease lapse.
 */
import { expect } from 'vitest';
import type { Connection } from '../../src/domain/connection.ts';
import { TributaryError } from '../../src/domain/errors.ts';
import type { Job } from '../../src/ports/job-queue.ts';
import type { Locks } from '../../src/ports/locks.ts';
import type { Store } from '../../src/ports/store.ts';
import type { ChangePage, ObjectDefinition, Provider, ProviderContext } from '../../src/providers/provider.ts';
import { salesforceProvider } from '../../src/providers/salesforce/index.ts';
import { createInboundHandler, runIdOfJob, type SyncJobPayload } from '../../src/sync/index.ts';

export interface FencingBackend {
  readonly store: Store;
  readonly locks: Locks;
  /** Lease length for the stale worker: short enough for `lapse` to outlast it. */
  readonly staleTtlMs: number;
  /** Returns once a lease of `staleTtlMs` taken before the call has expired. */
  lapse(): Promise<void>;
}

const TENANT = 'ten_fence';
const CONNECTION = 'con_fence';
const INTEGRATION = 'int_fence';

/** The tenant, the Salesforce connection and the Contact pull integration (default mapping). */
export async function seedFencing(store: Store): Promise<void> {
  const now = new Date().toISOString();
  await store.tenants.insert({ id: TENANT, name: 'Fencing', metadata: {}, createdAt: now, updatedAt: now });
  await store.connections.insert({ id: CONNECTION, tenantId: TENANT, provider: 'salesforce', name: 'sf', status: 'active', baseUrl: 'http://127.0.0.1:9/salesforce', account: {}, credentialId: null, createdAt: now, updatedAt: now });
  await store.integrations.insert({
    id: INTEGRATION, tenantId: TENANT, connectionId: CONNECTION, object: 'Contact', direction: 'pull', mapping: {}, mappingVersion: 1, schedule: null,
    priority: 'normal', dedupRules: {}, conflictStrategy: {}, fieldOwnership: {}, enabled: true, cursor: null, cursorUpdatedAt: null, createdAt: now, updatedAt: now,
  }, null);
}

interface Gate {
  reached: Promise<void>;
  release: () => void;
}

function gate(): Gate & { arrive: () => void; passed: Promise<void> } {
  let arrive!: () => void;
  let release!: () => void;
  const reached = new Promise<void>((resolve) => (arrive = resolve));
  const passed = new Promise<void>((resolve) => (release = resolve));
  return { reached, arrive, release, passed };
}

/**
 * A Contact object whose one-page pull returns the provider's data as of the read:
 * `generation` 1 before the stale worker stalled, 2 when the other worker reads. The first
 * read stalls at the gate and then returns generation 1's page, or throws `failWith`.
 */
function staleFirstRead(failWith: TributaryError | null): { provider: Provider; stall: ReturnType<typeof gate> } {
  const stall = gate();
  let reads = 0;
  const pageOf = (generation: number): ChangePage => ({
    records: [1, 2].map((n) => ({
      id: `003FENCE${n}`,
      version: `2026-03-0${generation}T00:00:00.000Z`,
      modifiedAt: `2026-03-0${generation}T00:00:00.000Z`,
      data: { Id: `003FENCE${n}`, FirstName: generation === 1 ? 'Old' : 'New', LastName: `Person${n}`, SystemModstamp: `2026-03-0${generation}T00:00:00.000Z` },
    })),
    deletions: [],
    cursor: { watermark: `generation-${generation}` },
    done: true,
  });
  const contact: ObjectDefinition = {
    ...salesforceProvider.objectFor!('Contact')!,
    readPage: async () => {
      reads += 1;
      if (reads > 1) return pageOf(2);
      stall.arrive();
      await stall.passed;
      if (failWith) throw failWith;
      return pageOf(1);
    },
  };
  return { provider: { ...salesforceProvider, objects: [contact], objectFor: () => contact }, stall };
}

const jobOf = (attempt: number): Job<SyncJobPayload> => ({
  id: 'job_fence1', queue: 'sync-inbound', payload: { tenantId: TENANT, integrationId: INTEGRATION, trigger: 'manual' }, priority: 'normal',
  attempt, maxAttempts: 5, idempotencyKey: 'sync:int_fence', correlationId: null, enqueuedAt: 0,
});

/**
 * Worker A takes the job and stalls in its read; its lease lapses; worker B (the job's
 * redelivery) runs the run to the end; then A wakes up with its stale page or a transient
 * error. Returns A's rejection.
 */
async function staleWorkerWakesAfterTakeover(backend: FencingBackend, failWith: TributaryError | null): Promise<unknown> {
  const { store, locks } = backend;
  const { provider, stall } = staleFirstRead(failWith);
  const common = {
    store, locks, clock: { now: () => Date.now() }, providerFor: () => provider,
    // The object above never calls the provider: a context without an HTTP client does.
    contextFor: (connection: Connection) => ({ connection, now: () => Date.now() }) as unknown as ProviderContext,
  };
  const workerA = createInboundHandler({ ...common, lockTtlMs: backend.staleTtlMs });
  const workerB = createInboundHandler({ ...common, lockTtlMs: 60_000 });

  const a = workerA(jobOf(1), new AbortController().signal).then(() => null, (error: unknown) => error);
  await stall.reached;
  await backend.lapse();
  await workerB(jobOf(2), new AbortController().signal);
  const finished = await store.runs.get(TENANT, runIdOfJob('job_fence1'));
  expect(finished).toMatchObject({ status: 'succeeded', error: null });
  stall.release();
  return a;
}

async function expectRunAsWorkerBLeftIt(store: Store): Promise<void> {
  const runId = runIdOfJob('job_fence1');
  const run = (await store.runs.get(TENANT, runId))!;
  expect(run).toMatchObject({ status: 'succeeded', error: null, pages: 1, recordsSoFar: 2 });
  expect(run.finishedAt).not.toBeNull();
  expect((await store.integrations.get(TENANT, INTEGRATION))!.cursor).toEqual({ watermark: 'generation-2' });
  expect(await store.runs.getResultByRun(TENANT, runId)).toMatchObject({ status: 'success', recordsProcessed: 2 });
  const people = (await store.entities.list(TENANT, { type: 'person' })).items;
  expect(people.map((p) => p.fields.givenName).sort()).toEqual(['New', 'New']);
}

/** The stale worker's page (older data, older cursor) is refused whole: the cursor does not move back. */
export async function staleWorkersPageIsRefused(backend: FencingBackend): Promise<void> {
  await seedFencing(backend.store);
  const error = await staleWorkerWakesAfterTakeover(backend, null);
  expect(error).toMatchObject({ code: 'LOCK_NOT_HELD' });
  await expectRunAsWorkerBLeftIt(backend.store);
}

/** The stale worker's transient failure does not mark the finished run `retrying`. */
export async function staleWorkersRetryDoesNotReopenTheRun(backend: FencingBackend): Promise<void> {
  await seedFencing(backend.store);
  const error = await staleWorkerWakesAfterTakeover(backend, new TributaryError('PROVIDER_UNAVAILABLE', 'Salesforce answered 503'));
  expect(error).toMatchObject({ code: 'PROVIDER_UNAVAILABLE' });
  await expectRunAsWorkerBLeftIt(backend.store);
}
