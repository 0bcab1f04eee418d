/**
 * A world for push (bidirectional sync) tests: the provider sandbox with Salesforce and
 * Google on 127.0.0.1, a real SQLite store in a temp dir with a tenant, a Salesforce
 * Contact integration and a Google contacts integration (both bidirectional; Google's
 * mapping makes phone and email writable), provider contexts on the real provider HTTP
 * client through the real rate limiter, and the outbound handler. `pull` runs the real
 * pull; `drain` processes every pending outbox row through the real handler.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSandbox, type Sandbox } from '../sandbox/index.ts';
import { createGoogleSimulator } from '../sandbox/google/index.ts';
import { createSalesforceSimulator } from '../sandbox/salesforce/index.ts';
import { MemoryRateLimitBackend } from '../src/backends/memory/rate-limit-backend.ts';
import { openSqlite, type SqliteHandle } from '../src/backends/sqlite/database.ts';
import { SqliteJobQueue } from '../src/backends/sqlite/job-queue.ts';
import { SqliteLocks } from '../src/backends/sqlite/locks.ts';
import { SqliteStore } from '../src/backends/sqlite/store.ts';
import { connectionLimiter } from '../src/connections/rate-limited.ts';
import { createProviderHttp } from '../src/connections/index.ts';
import type { Connection } from '../src/domain/connection.ts';
import type { Integration } from '../src/domain/integration.ts';
import type { MappingDocument } from '../src/domain/mapping.ts';
import { defaultMapping } from '../src/mapping/index.ts';
import type { Clock } from '../src/ports/clock.ts';
import type { Job, JobHandler } from '../src/ports/job-queue.ts';
import type { Store } from '../src/ports/store.ts';
import { googleProvider } from '../src/providers/google/index.ts';
import type { Provider, ProviderContext } from '../src/providers/provider.ts';
import { salesforceProvider } from '../src/providers/salesforce/index.ts';
import { RateLimitAdmin, RateLimiter } from '../src/ratelimit/index.ts';
import { HostWriteService, createOutboundHandler, runPull, type PullOutcome, type PushJobPayload } from '../src/sync/index.ts';
import { objectOf } from '../src/sync/worker/inbound.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export const TENANT = 'ten_push';
export const SF = { connection: 'con_pushsf', integration: 'int_pushsf' } as const;
export const GG = { connection: 'con_pushgg', integration: 'int_pushgg' } as const;

/** Google contacts with phone and email writable (the default reads them through projections, read-only). */
export function googlePushMapping(): MappingDocument {
  const base = defaultMapping('google', 'contact')!;
  const [first, ...rest] = base.targets;
  const fields = first!.fields.map((f) => {
    if (f.target === 'phone') return { target: 'phone', source: 'phoneNumbers[0].value', transforms: [{ name: 'phone_e164' }] };
    if (f.target === 'email') return { target: 'email', source: 'emailAddresses[0].value', transforms: [{ name: 'email' }] };
    return f;
  });
  return { ...base, targets: [{ ...first!, fields }, ...rest] };
}

export interface PushWorldOptions {
  size?: number;
  seed?: number;
  /** conflictStrategy of each integration (the push settings live in its `push` key). */
  salesforce?: Partial<Integration>;
  google?: Partial<Integration>;
  /** Wraps the store the outbound handler uses (fault injection: a crash at a chosen write). */
  handlerStore?: (store: Store) => Store;
  /** An existing database file and sandbox (a child process joins the parent's world). */
  dbPath?: string;
  sandboxUrl?: string;
}

export interface PushWorld {
  readonly store: SqliteStore;
  readonly handle: SqliteHandle;
  readonly queue: SqliteJobQueue;
  readonly locks: SqliteLocks;
  readonly clock: Clock;
  readonly writes: HostWriteService;
  /** The outbound handler over the world's store (for a queue consumer). */
  readonly handler: JobHandler<PushJobPayload>;
  readonly limiter: RateLimiter;
  readonly admin: RateLimitAdmin;
  readonly sandboxUrl: string;
  readonly dbPath: string;
  control(path: string, method?: string, body?: unknown): Promise<Json>;
  advance(ms: number): Promise<void>;
  pull(which: 'salesforce' | 'google'): Promise<PullOutcome>;
  /** Processes pending outbox rows until none is left (at most `rounds` passes); returns how many rows ran. */
  drain(options?: { store?: Store; rounds?: number }): Promise<number>;
  /** Runs the handler once for one outbox row. */
  push(outboxId: string, entityId: string, options?: { store?: Store }): Promise<void>;
  contextFor(connection: Connection, signal: AbortSignal): ProviderContext;
  /** Sandbox requests since the last `clearRequests`, e.g. `requests('salesforce', 'PATCH')`. */
  requests(provider: string, method?: string, path?: string): Promise<Json[]>;
  clearRequests(): Promise<void>;
  sql<T>(sql: string, ...params: unknown[]): T[];
  close(): Promise<void>;
}

const providers: Record<string, Provider> = { salesforce: salesforceProvider, google: googleProvider };

/** The tenant, both connections and both integrations (a fresh database only). */
async function seedTenant(store: Store, sandboxUrl: string, mappings: Record<string, MappingDocument>, options: PushWorldOptions, now: string): Promise<void> {
  await store.tenants.insert({ id: TENANT, name: 'Push tests', metadata: {}, createdAt: now, updatedAt: now });
  for (const [provider, ids, object, extra] of [
    ['salesforce', SF, 'Contact', options.salesforce ?? {}],
    ['google', GG, 'contacts', options.google ?? {}],
  ] as const) {
    await store.connections.insert({ id: ids.connection, tenantId: TENANT, provider, name: provider, status: 'active', baseUrl: `${sandboxUrl}/${provider}`, account: {}, credentialId: null, createdAt: now, updatedAt: now });
    await store.integrations.insert({
      id: ids.integration, tenantId: TENANT, connectionId: ids.connection, object, direction: 'bidirectional', mapping: mappings[provider] as unknown as Record<string, unknown>,
      mappingVersion: 1, schedule: null, priority: 'normal', dedupRules: {}, conflictStrategy: {}, fieldOwnership: {}, enabled: true,
      cursor: null, cursorUpdatedAt: null, createdAt: now, updatedAt: now, ...extra,
    }, null);
  }
}

export async function startPushWorld(options: PushWorldOptions = {}): Promise<PushWorld> {
  const sandbox: Sandbox | null = options.sandboxUrl === undefined
    ? await createSandbox({ providers: [createSalesforceSimulator(), createGoogleSimulator()], size: options.size ?? 60, seed: options.seed ?? 11 })
    : null;
  const sandboxUrl = options.sandboxUrl ?? (await sandbox!.listen(0));
  const control = async (path: string, method = 'GET', body?: unknown): Promise<Json> => {
    const res = await fetch(`${sandboxUrl}/_sandbox${path}`, {
      method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
    });
    return res.json();
  };
  let offset = (await control('/clock')).offsetMs as number;
  const clock: Clock = { now: () => Date.now() + offset };
  const dir = options.dbPath === undefined ? mkdtempSync(join(tmpdir(), 'tributary-push-')) : null;
  const dbPath = options.dbPath ?? join(dir!, 'tributary.db');
  const handle = openSqlite({ path: dbPath });
  const store = new SqliteStore(handle, { clock });
  await store.migrate();
  const queue = new SqliteJobQueue(handle, { clock });
  const locks = new SqliteLocks(handle, { clock });
  const limiter = new RateLimiter({ backend: new MemoryRateLimitBackend(), clock, random: Math.random });
  const admin = new RateLimitAdmin(limiter, clock);
  const now = new Date(clock.now()).toISOString();
  const mappings: Record<string, MappingDocument> = { salesforce: defaultMapping('salesforce', 'Contact')!, google: googlePushMapping() };
  if ((await store.tenants.get(TENANT)) === null) await seedTenant(store, sandboxUrl, mappings, options, now);
  const tokens = new Map<string, string>();
  const mint = async (provider: string): Promise<string> => {
    const token = ((await control('/tokens', 'POST', { provider })) as Json).accessToken as string;
    tokens.set(provider, token);
    return token;
  };
  for (const provider of ['salesforce', 'google']) await mint(provider);
  const contextFor = (connection: Connection, signal?: AbortSignal): ProviderContext => {
    const provider = providers[connection.provider]!;
    const info = { id: connection.id, tenantId: connection.tenantId, baseUrl: connection.baseUrl!, settings: {} };
    const http = createProviderHttp({
      provider, connection: info, signal,
      tokens: { accessToken: async () => tokens.get(connection.provider)!, refreshAfterUnauthorized: async () => mint(connection.provider) },
      egress: { allowPrivate: true }, limiter: connectionLimiter(limiter, connection), backoff: { baseMs: 5, maxMs: 50 }, maxAttempts: 4,
    });
    return { http, connection: info, now: () => clock.now() };
  };
  const handlerFor = (s: Store) => createOutboundHandler({ store: s, locks, clock, providerFor: (id) => providers[id], contextFor });
  const handler = handlerFor(options.handlerStore ? options.handlerStore(store) : store);
  let runs = 0;
  const world: PushWorld = {
    store, handle, queue, locks, clock, limiter, admin, sandboxUrl, dbPath, control, contextFor, handler,
    writes: new HostWriteService({ store, queue, clock }),
    async advance(ms) {
      offset = (await control('/clock/advance', 'POST', { ms })).offsetMs as number;
    },
    async pull(which) {
      runs += 1;
      const ids = which === 'salesforce' ? SF : GG;
      const integration = (await store.integrations.get(TENANT, ids.integration))!;
      const connection = (await store.connections.get(TENANT, ids.connection))!;
      const provider = providers[which]!;
      return runPull({
        store, clock, integration, mapping: mappings[which]!, object: objectOf(provider, integration.object)!, ctx: contextFor(connection), runId: `run_push${runs}_${Date.now()}`,
      });
    },
    async push(outboxId, entityId, extra = {}) {
      const job: Job<PushJobPayload> = {
        id: `job_${outboxId}`, queue: 'sync-outbound', payload: { tenantId: TENANT, outboxId, entityId }, priority: 'normal', attempt: 1, maxAttempts: 5,
        idempotencyKey: null, correlationId: null, enqueuedAt: clock.now(),
      };
      await (extra.store ? handlerFor(extra.store) : handler)(job, new AbortController().signal);
    },
    async drain(extra = {}) {
      let ran = 0;
      for (let round = 0; round < (extra.rounds ?? 5); round += 1) {
        const pending = (await store.outbox.list(TENANT, { pending: true, limit: 500 })).reverse();
        if (pending.length === 0) break;
        for (const row of pending) {
          await world.push(row.id, row.entityId, extra);
          ran += 1;
        }
      }
      return ran;
    },
    async requests(provider, method, path) {
      const q = new URLSearchParams({ provider, ...(method ? { method } : {}), ...(path ? { path } : {}) });
      return ((await control(`/requests?${q}`)) as Json).requests as Json[];
    },
    async clearRequests() {
      await control('/requests', 'DELETE');
    },
    sql: <T>(sql: string, ...params: unknown[]) => handle.db.prepare(sql).all(...params) as T[],
    async close() {
      await queue.close();
      await store.close();
      await sandbox?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
  return world;
}

/** An entity linked to both a Salesforce Contact and a Google contact (deduplicated by email), with both record ids. */
export function sharedPerson(world: PushWorld): { entityId: string; contactId: string; resourceName: string } {
  const rows = world.sql<{ entity_id: string; sf: string; gg: string }>(
    `SELECT a.entity_id, a.record_id AS sf, b.record_id AS gg FROM entity_links a JOIN entity_links b ON b.entity_id = a.entity_id
     JOIN entities e ON e.id = a.entity_id
     WHERE a.connection_id = ? AND a.object = 'Contact' AND b.connection_id = ? AND a.tombstoned_at IS NULL AND b.tombstoned_at IS NULL AND e.deleted_at IS NULL
     ORDER BY a.entity_id LIMIT 1`, SF.connection, GG.connection);
  const row = rows[0];
  if (!row) throw new Error('no person is linked to both providers');
  return { entityId: row.entity_id, contactId: row.sf, resourceName: row.gg };
}
