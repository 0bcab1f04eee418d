import type { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { TributaryError, isTributaryError } from '../../../domain/errors.ts';
import { newId } from '../../../domain/ids.ts';
import type { SyncResult } from '../../../domain/sync-run.ts';
import type { StoredError } from '../../../domain/sync-run.ts';
import { configError, loadConfig } from '../../config/index.ts';
import type { ResolvedConfig } from '../../config/index.ts';
import type { Services } from '../../services.ts';
import { EXIT } from '../fatal.ts';
import { givenFlags } from './flags.ts';
import type { CliIo } from './io.ts';

interface SyncRunFlags {
  follow?: boolean;
  full?: boolean;
  url?: string;
  key?: string;
  tenant?: string;
}

/** The part of a run `--follow` shows: `GET /v1/runs/:id`'s answer, or IntegrationService.getRun's. */
export interface FollowedRun {
  readonly id: string;
  readonly status: string;
  readonly finishedAt: string | null;
  readonly error: StoredError | null;
  readonly progress: { recordsSoFar: number; pages: number; totalEstimate: number | null; recordsPerSecond: number; etaMs: number | null };
  readonly result: SyncResult | null;
}

/** How one run is started and then read, whichever way the command reaches the platform. */
interface RunDriver {
  /** Starts the run; resolves with its id, and with the run's end when this process runs it. */
  start(): Promise<{ runId: string; done: Promise<unknown> | null }>;
  read(runId: string): Promise<FollowedRun>;
  close(): Promise<void>;
}

const POLL_MS = 250;

/**
 * `tributary sync run INTEGRATION [--follow] [--full]`, two ways:
 * - with `--url` and `--key`: through the API of a running platform (POST
 *   /v1/integrations/:id/sync, then GET /v1/runs/:id); its workers do the work.
 * - otherwise on the data directory: this process opens the store and runs the pull
 *   itself, under the same per-integration lock as the workers (a worker running the
 *   integration at that moment makes this fail with LOCK_NOT_HELD), without the queue.
 *   Connections reach private addresses only if TRIBUTARY_ALLOW_PRIVATE_EGRESS says so.
 * `--follow` draws a progress bar (records, pages, rate, estimate) and prints the run's
 * sync result; without it the command prints the run id (API mode: returns at once).
 * Exit code 0 when the run succeeded, 1 when it failed or was partial.
 */
export function registerSyncCommand(program: Command, io: CliIo): void {
  const sync = program.command('sync').description('Sync runs of integrations.');
  sync
    .command('run')
    .description('Run the pull of an integration now (through a running platform with --url/--key, else in this process on the data directory).')
    .argument('<integration>', 'the integration id (int_...)')
    .option('--follow', 'show a progress bar until the run ends, then its result')
    .option('--full', 'full resync: ignore the committed cursor')
    .option('--url <url>', "a running platform's base URL (with --key): the run goes through its API and workers")
    .option('--key <key>', 'an API key of the tenant (or an admin key, with --tenant)')
    .option('--tenant <id>', 'the tenant of the integration (default: looked up; with an admin key: required)')
    .option('--data <dir>', 'data directory (default ./data, env TRIBUTARY_DATA_DIR)')
    .option('--config <file>', 'JSON config file (env TRIBUTARY_CONFIG)')
    .action(async (integrationId: string, flags: SyncRunFlags, command: Command) => {
      if ((flags.url === undefined) !== (flags.key === undefined)) throw configError('--url / --key', 'give both to run through a platform\'s API, or neither to run on the data directory');
      const driver = flags.url !== undefined && flags.key !== undefined
        ? apiDriver(flags.url, flags.key, integrationId, flags)
        : await dataDirDriver(loadConfig({ env: io.env, flags: givenFlags(command) }), integrationId, flags);
      try {
        const { runId, done } = await driver.start();
        if (flags.follow !== true && done === null) {
          io.stdout(runId);
          return;
        }
        const run = await follow(driver, runId, done, flags.follow === true);
        io.stdout(summary(run));
        if (run.status !== 'succeeded') process.exitCode = EXIT.failure;
      } finally {
        await driver.close();
      }
    });
}

/** Polls the run until it ends (and this process's own run, when it runs one, has returned). */
async function follow(driver: RunDriver, runId: string, done: Promise<unknown> | null, showBar: boolean): Promise<FollowedRun> {
  let finished = false;
  const ended = done?.then(
    () => undefined,
    () => undefined,
  ).finally(() => (finished = true));
  const { SingleBar: Bar } = (await import('cli-progress')).default;
  let bar: SingleBar | null = null;
  let run = await driver.read(runId);
  for (;;) {
    if (showBar) bar = draw(bar, run, Bar);
    if (run.finishedAt !== null && (done === null || finished)) break;
    await Promise.race([sleep(POLL_MS), ...(ended ? [ended] : [])]);
    run = await driver.read(runId);
  }
  if (bar) {
    bar.update(run.progress.recordsSoFar, payloadOf(run));
    bar.stop();
  }
  return run;
}

function draw(bar: SingleBar | null, run: FollowedRun, Bar: typeof SingleBar): SingleBar {
  const { recordsSoFar, totalEstimate } = run.progress;
  const total = Math.max(totalEstimate ?? 0, recordsSoFar, 1);
  if (bar === null) {
    const known = totalEstimate !== null;
    const next = new Bar({
      format: known
        ? '{bar} {percentage}% | {value}/{total} records | {pages} pages | {rate} rec/s | ETA {eta}'
        : 'Syncing {value} records | {pages} pages | {rate} rec/s | {status}',
      stream: process.stderr,
      noTTYOutput: true,
      notTTYSchedule: 1000,
      hideCursor: true,
    });
    next.start(total, recordsSoFar, payloadOf(run));
    return next;
  }
  bar.setTotal(total);
  bar.update(recordsSoFar, payloadOf(run));
  return bar;
}

function payloadOf(run: FollowedRun): Record<string, string | number> {
  const eta = run.progress.etaMs;
  return { pages: run.progress.pages, rate: Math.round(run.progress.recordsPerSecond), eta: eta === null ? '?' : `${Math.ceil(eta / 1000)}s`, status: run.status };
}

/** The sync result as the command's last lines. */
export function summary(run: FollowedRun): string {
  const lines = [`Run ${run.id}: ${run.status}`];
  const result = run.result;
  if (result !== null) {
    lines.push(`  processed ${result.recordsProcessed}, created ${result.recordsCreated}, updated ${result.recordsUpdated}, failed ${result.recordsFailed}`);
    lines.push(`  conflicts detected ${result.conflictsDetected}, resolved ${result.conflictsResolved}; ${(result.durationMs / 1000).toFixed(1)} s`);
  } else {
    lines.push(`  ${run.progress.recordsSoFar} records in ${run.progress.pages} pages`);
  }
  if (run.error !== null) lines.push(`  error: ${run.error.code}: ${run.error.message}`);
  return lines.join('\n');
}

/** Through a running platform's API. */
function apiDriver(baseUrl: string, key: string, integrationId: string, flags: SyncRunFlags): RunDriver {
  const base = `${baseUrl.replace(/\/+$/, '')}/v1${flags.tenant === undefined ? '' : `/tenants/${encodeURIComponent(flags.tenant)}`}`;
  const call = async <T>(path: string, init: RequestInit = {}): Promise<T> => {
    const response = await fetch(`${base}${path}`, { ...init, headers: { authorization: `Bearer ${key}`, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) } });
    const body = (await response.json().catch(() => ({}))) as T & { error?: { code?: string; message?: string } };
    if (!response.ok) {
      const code = body.error?.code;
      const known = code === 'NOT_FOUND' || code === 'UNAUTHENTICATED' || code === 'VALIDATION_FAILED' || code === 'FORBIDDEN';
      throw new TributaryError(known ? code : 'INTERNAL', `${response.status} from ${path}: ${body.error?.message ?? 'no message'}`);
    }
    return body;
  };
  return {
    async start() {
      const started = await call<{ runId: string }>(`/integrations/${encodeURIComponent(integrationId)}/sync`, { method: 'POST', body: JSON.stringify({ fullResync: flags.full === true }) });
      return { runId: started.runId, done: null };
    },
    read: (runId) => call<FollowedRun>(`/runs/${encodeURIComponent(runId)}`),
    close: async () => undefined,
  };
}

/** In this process, on the data directory: the inbound worker's handler run once, without the queue. */
async function dataDirDriver(config: ResolvedConfig, integrationId: string, flags: SyncRunFlags): Promise<RunDriver> {
  const [{ pino }, { buildPlatform }, { createLogger }, sync, providers, observability] = await Promise.all([
    import('pino'),
    import('../../compose.ts'),
    import('../../logging/logger.ts'),
    import('../../../sync/index.ts'),
    import('../../../providers/index.ts'),
    import('../../../observability/index.ts'),
  ]);
  // Logs go to stderr, quiet unless asked for: stdout carries the summary.
  const logger = createLogger({ level: config.log.level === 'info' ? 'warn' : config.log.level, destination: pino.destination({ dest: 2, sync: true }) });
  const platform = await buildPlatform(config, { logger });
  const { services } = platform;
  try {
    const tenantId = flags.tenant ?? (await tenantOf(services, integrationId));
    await services.integrations.get(tenantId, integrationId);
    const handler = sync.createInboundHandler({
      store: services.store, locks: services.locks, clock: services.clock, logger: logger.child({ component: 'sync' }),
      providerFor: (id) => (providers.isProviderId(id) ? providers.PROVIDERS[id] : undefined),
      contextFor: (connection, signal) => services.connections.providerContext(connection, { signal }),
      resolvers: services.resolvers,
    });
    const aborter = new AbortController();
    return {
      async start() {
        const jobId = newId('job');
        // Correlated and traced as a run started through the API is (`manual_…`, an
        // `integration.sync` span), though no queue carries it.
        const { MANUAL_SYNC_TRACING: manual, jobIdAttributes, newTraceRootId, runTracedJob, startProducerSpan } = observability;
        const correlationId = newTraceRootId(manual.origin);
        const job = {
          id: jobId, queue: 'sync-inbound' as const, priority: 'high' as const, attempt: 1, maxAttempts: 1, idempotencyKey: null, correlationId, enqueuedAt: services.clock.now(),
          payload: { tenantId, integrationId, trigger: 'manual' as const, ...(flags.full === true ? { fullResync: true } : {}) },
        };
        startProducerSpan(manual.span, { queue: job.queue, correlationId, attributes: jobIdAttributes(job.payload) })?.end({ id: jobId, deduplicated: false });
        const done = runTracedJob(job, () => handler(job, aborter.signal));
        const runId = sync.runIdOfJob(jobId);
        // The handler creates the run as it starts; a failure before that (lock, connection) is the command's error.
        let settled = false;
        const first = await Promise.race([done.then(() => 'done' as const).finally(() => (settled = true)), waitForRun(services, tenantId, runId, () => settled)]);
        if (first === 'done' && (await services.store.runs.get(tenantId, runId)) === null) throw new TributaryError('INTERNAL', 'The run ended before it started');
        return { runId, done: done.catch((error: unknown) => { if (!isTributaryError(error)) throw error; }) };
      },
      read: (runId) => services.integrations.getRun(tenantId, runId),
      async close() {
        aborter.abort();
        await platform.close();
      },
    };
  } catch (error) {
    await platform.close();
    throw error;
  }
}

type PlatformServices = Pick<Services, 'store' | 'tenants'>;

async function waitForRun(services: PlatformServices, tenantId: string, runId: string, gaveUp: () => boolean): Promise<'run'> {
  while (!gaveUp() && (await services.store.runs.get(tenantId, runId)) === null) await sleep(50);
  return 'run';
}

/** The tenant holding the integration (ids are unique across tenants); NOT_FOUND when none does. */
async function tenantOf(services: PlatformServices, integrationId: string): Promise<string> {
  let cursor: string | null = null;
  do {
    const page = await services.tenants.list({ limit: 1000, cursor });
    for (const tenant of page.items) {
      if ((await services.store.integrations.get(tenant.id, integrationId)) !== null) return tenant.id;
    }
    cursor = page.nextCursor;
  } while (cursor !== null);
  throw new TributaryError('NOT_FOUND', `Integration ${integrationId} not found in any tenant`, { field: 'integration' });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
