/**
 * A world for pull-sync tests: the provider sandbox on 127.0.0.1 (port 0), a real SQLite
 * store in a temp dir with a tenant, a connection and an integration using the default
 * mapping, and a ProviderContext built on the real provider HTTP client with a token the
 * sandbox minted (refreshed by minting again after a 401).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSandbox, type Sandbox } from '../sandbox/index.ts';
import { createGithubSimulator } from '../sandbox/github/index.ts';
import { createSalesforceSimulator } from '../sandbox/salesforce/index.ts';
import { openSqlite, type SqliteHandle } from '../src/backends/sqlite/database.ts';
import { SqliteStore } from '../src/backends/sqlite/store.ts';
import { createProviderHttp } from '../src/connections/index.ts';
import type { Integration } from '../src/domain/integration.ts';
import type { MappingDocument } from '../src/domain/mapping.ts';
import { defaultMapping } from '../src/mapping/index.ts';
import type { Clock } from '../src/ports/clock.ts';
import { githubProvider } from '../src/providers/github/index.ts';
import type { ObjectDefinition, Provider, ProviderContext } from '../src/providers/provider.ts';
import { salesforceProvider } from '../src/providers/salesforce/index.ts';
import { runPull, type PullOutcome, type RunPullOptions } from '../src/sync/index.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface WorldOptions {
  provider: 'salesforce' | 'github';
  /** The provider's object name (`Contact`, `issues`). */
  object: string;
  size?: number;
  seed?: number;
  settings?: Record<string, unknown>;
  /** An existing database file (crash tests reopen one). */
  dbPath?: string;
  /** Use an existing sandbox instead of starting one. */
  sandboxUrl?: string;
  /** Attempts per HTTP call in the provider client (default 8). */
  maxAttempts?: number;
}

export interface World {
  readonly store: SqliteStore;
  readonly handle: SqliteHandle;
  readonly ctx: ProviderContext;
  readonly object: ObjectDefinition;
  readonly mapping: MappingDocument;
  readonly dbPath: string;
  readonly sandboxUrl: string;
  integration(): Promise<Integration>;
  control(path: string, method?: string, body?: unknown): Promise<Json>;
  /** Moves the sandbox clock (and the context's `now`) forward. */
  advance(ms: number): Promise<void>;
  run(extra?: Partial<RunPullOptions>): Promise<PullOutcome>;
  sql<T>(sql: string, ...params: unknown[]): T[];
  close(): Promise<void>;
}

export const TENANT = 'ten_sync';
export const CONNECTION = 'con_sync';
export const INTEGRATION = 'int_sync';
const providers: Record<string, Provider> = { salesforce: salesforceProvider, github: githubProvider };
let runs = 0;

export async function startWorld(options: WorldOptions): Promise<World> {
  let sandbox: Sandbox | null = null;
  let base = options.sandboxUrl;
  if (base === undefined) {
    const simulator = options.provider === 'salesforce' ? createSalesforceSimulator() : createGithubSimulator();
    sandbox = await createSandbox({ providers: [simulator], size: options.size ?? 200, seed: options.seed ?? 7 });
    base = await sandbox.listen(0);
  }
  const sandboxUrl = base;
  const control = async (path: string, method = 'GET', body?: unknown): Promise<Json> => {
    const res = await fetch(`${sandboxUrl}/_sandbox${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return res.json();
  };
  let offset = (await control('/clock')).offsetMs as number;
  const dir = options.dbPath === undefined ? mkdtempSync(join(tmpdir(), 'tributary-sync-')) : null;
  const dbPath = options.dbPath ?? join(dir!, 'tributary.db');
  const handle = openSqlite({ path: dbPath });
  const clock: Clock = { now: () => Date.now() + offset };
  const store = new SqliteStore(handle, { clock });
  await store.migrate();
  const provider = providers[options.provider]!;
  const object = provider.objectFor?.(options.object) ?? provider.objects.find((o) => o.name === options.object)!;
  const mapping = defaultMapping(options.provider, options.object)!;
  const now = new Date(clock.now()).toISOString();
  if ((await store.tenants.get(TENANT)) === null) {
    await store.tenants.insert({ id: TENANT, name: 'Sync tests', metadata: {}, createdAt: now, updatedAt: now });
    await store.connections.insert({ id: CONNECTION, tenantId: TENANT, provider: options.provider, name: options.provider, status: 'active', baseUrl: `${sandboxUrl}/${options.provider}`, account: {}, credentialId: null, createdAt: now, updatedAt: now });
    await store.integrations.insert({
      id: INTEGRATION, tenantId: TENANT, connectionId: CONNECTION, object: options.object, direction: 'pull', mapping: mapping as unknown as Record<string, unknown>,
      mappingVersion: 1, schedule: null, priority: 'normal', dedupRules: {}, conflictStrategy: {}, fieldOwnership: {}, enabled: true,
      cursor: null, cursorUpdatedAt: null, createdAt: now, updatedAt: now,
    }, null);
  }
  const mint = async (): Promise<string> => ((await control('/tokens', 'POST', { provider: options.provider })) as Json).accessToken as string;
  let token = await mint();
  const connection = { id: CONNECTION, tenantId: TENANT, baseUrl: `${sandboxUrl}/${options.provider}`, settings: options.settings ?? {} };
  const http = createProviderHttp({
    provider,
    connection,
    tokens: {
      accessToken: async () => token,
      refreshAfterUnauthorized: async () => (token = await mint()),
    },
    egress: { allowPrivate: true },
    backoff: { baseMs: 5, maxMs: 50 },
    maxAttempts: options.maxAttempts ?? 8,
  });
  const ctx: ProviderContext = { http, connection, now: () => clock.now() };
  const world: World = {
    store, handle, ctx, object, mapping, dbPath, sandboxUrl, control,
    integration: async () => (await store.integrations.get(TENANT, INTEGRATION))!,
    async advance(ms) {
      offset = (await control('/clock/advance', 'POST', { ms })).offsetMs as number;
    },
    async run(extra = {}) {
      runs += 1;
      return runPull({ store, clock, integration: await world.integration(), mapping, object, ctx, runId: `run_test${runs}_${Date.now()}`, ...extra });
    },
    sql: <T>(sql: string, ...params: unknown[]) => handle.db.prepare(sql).all(...params) as T[],
    async close() {
      await store.close();
      await sandbox?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
  return world;
}

/** The person entities linked to Contacts, by Contact id, as the store holds them. */
export function linkedEntities(world: World, object: string): Map<string, { entityId: string; fields: Json; deletedAt: string | null; tombstonedAt: string | null }> {
  const rows = world.sql<{ external_id: string; record_id: string; entity_id: string; fields: string; deleted_at: string | null; tombstoned_at: string | null }>(
    `SELECT l.external_id, l.record_id, l.entity_id, e.fields, e.deleted_at, l.tombstoned_at FROM entity_links l JOIN entities e ON e.id = l.entity_id
     WHERE l.object = ? AND l.record_id IS NOT NULL`, object);
  return new Map(rows.map((r) => [r.record_id, { entityId: r.entity_id, fields: JSON.parse(r.fields), deletedAt: r.deleted_at, tombstonedAt: r.tombstoned_at }]));
}

/** Every record of a sandbox object through the control API (it pages by 10,000 at most). */
export async function sandboxRecords(world: World, path: string): Promise<Json[]> {
  const out: Json[] = [];
  for (let offset = 0; ; offset += 10_000) {
    const page = (await world.control(`${path}?limit=10000&offset=${offset}`)) as Json;
    out.push(...(page.records as Json[]));
    if (out.length >= (page.total as number) || (page.records as Json[]).length === 0) return out;
  }
}
