/**
 * A Tributary cluster on the real PostgreSQL and Redis, for the cluster test and
 * `npm run bench:cluster`: every role a separate `tributary start --roles …` process
 * (the real CLI), a schema `trb_cluster_<hex>` of its own in PostgreSQL and a Redis key
 * prefix of its own, so that it collides with no other test; `close()` kills what is
 * left, drops the schema and deletes the prefix's keys.
 *
 * The sandbox runs in this process. An "admin" platform in this process (the same
 * configuration, no roles) seeds tenants, OAuth connections to the sandbox,
 * integrations and webhook registrations through the services, as an operator's
 * tooling would; the work itself happens in the role processes.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';
import { createSandbox, type Sandbox } from '../../sandbox/index.ts';
import { deleteKeysWithPrefix } from '../../src/backends/redis/job-queue-keys.ts';
import { buildPlatform, type Platform } from '../../src/runtime/compose.ts';
import { resolveConfig, type TributaryOptions } from '../../src/runtime/config/index.ts';
import { connectDemoProvider } from '../../src/runtime/demo/demo-connections.ts';
import { DEMO_CONTEXT } from '../../src/runtime/demo/demo-tenant.ts';
import { createLogger } from '../../src/runtime/logging/logger.ts';
import { freePort, startCli, waitForHealth, type CliProcess } from '../fixtures/cli-process.ts';

export const PG_URL = process.env.TRIBUTARY_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.TRIBUTARY_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const ADMIN_KEY = 'cluster-test-admin-key-0123456789';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface ClusterOptions {
  /** People in the sandbox (about 90% of them are Salesforce Contacts). */
  readonly sandboxSize: number;
  /** Leases short enough that a killed worker's jobs come back within seconds. */
  readonly workerLeaseMs?: number;
  readonly leaderLeaseMs?: number;
  readonly logLevel?: string;
}

export interface RoleProcess extends CliProcess {
  readonly roles: string;
  /** The server's base URL, for roles that listen. */
  readonly url: string | null;
}

export interface Cluster {
  /** The role processes' environment (TRIBUTARY_* settings shared by every process). */
  readonly env: Readonly<Record<string, string>>;
  /** The password in the role processes' TRIBUTARY_DATABASE_URL: it must never appear in their output. */
  readonly databasePassword: string;
  readonly schema: string;
  readonly prefix: string;
  readonly sandbox: Sandbox;
  readonly sandboxUrl: string;
  /** Where the webhook-receiver process will listen (registrations point there). */
  readonly receiverUrl: string;
  readonly admin: Platform;
  /** A pg client on the cluster's schema, for the checks. */
  sql<T = Json>(text: string, params?: unknown[]): Promise<T[]>;
  /** Starts `tributary start --roles <roles>`; `listen` processes wait until /health answers. */
  spawn(roles: string, options?: { port?: number; listen?: boolean }): Promise<RoleProcess>;
  readonly processes: RoleProcess[];
  /** The sandbox's control API. */
  control(path: string, method?: string, body?: unknown): Promise<Json>;
  /** A tenant with `providers` connected to the sandbox by OAuth; one integration per object. */
  seedTenant(name: string, integrations: { provider: 'salesforce' | 'github'; object: string }[]): Promise<{ tenantId: string; connections: Record<string, string>; integrations: string[] }>;
  /** What to look at when a test failed: runs, webhook events, queues, the processes' last output. */
  diagnose(): Promise<string>;
  close(): Promise<void>;
}

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const hex = randomBytes(5).toString('hex');
  const schema = `trb_cluster_${hex}`;
  const prefix = `trbcluster${hex}`;
  const masterKey = randomBytes(32).toString('base64');
  // The processes get the URL with a password (the local server trusts loopback and ignores
  // it), so that tests can check it never reaches their output.
  const databasePassword = `pw-${randomBytes(6).toString('hex')}`;
  const processDatabaseUrl = withPassword(PG_URL, databasePassword);
  const setup = new pg.Client({ connectionString: PG_URL });
  await setup.connect();
  await setup.query(`CREATE SCHEMA ${schema}`);
  await setup.query(`SET search_path TO ${schema}`);
  const sandbox = await createSandbox({ seed: 11, size: options.sandboxSize, rateLimitScale: 1000 });
  const sandboxUrl = await sandbox.listen(0);
  const receiverPort = await freePort();
  const receiverUrl = `http://127.0.0.1:${receiverPort}`;

  const shared: TributaryOptions = {
    databaseUrl: PG_URL,
    databaseSchema: schema,
    redisUrl: REDIS_URL,
    redisPrefix: prefix,
    masterKey,
    adminKey: ADMIN_KEY,
    allowPrivateEgress: true,
    publicUrl: receiverUrl,
    // Short, so that a killed worker's jobs come back within seconds; not shorter, because on
    // a starved machine a live worker must still renew in time (a lapsed lease lets a
    // second worker run the same pull).
    workerLeaseMs: options.workerLeaseMs ?? 8_000,
    leaderLeaseMs: options.leaderLeaseMs ?? 3_000,
  };
  const env: Record<string, string> = {
    TRIBUTARY_DATABASE_URL: processDatabaseUrl,
    TRIBUTARY_DATABASE_SCHEMA: schema,
    TRIBUTARY_REDIS_URL: REDIS_URL,
    TRIBUTARY_REDIS_PREFIX: prefix,
    TRIBUTARY_MASTER_KEY: masterKey,
    TRIBUTARY_ADMIN_KEY: ADMIN_KEY,
    TRIBUTARY_ALLOW_PRIVATE_EGRESS: 'true',
    TRIBUTARY_PUBLIC_URL: receiverUrl,
    TRIBUTARY_WORKER_LEASE_MS: String(shared.workerLeaseMs),
    TRIBUTARY_LEADER_LEASE_MS: String(shared.leaderLeaseMs),
    TRIBUTARY_LOG_LEVEL: options.logLevel ?? 'warn',
    TRIBUTARY_SHUTDOWN_TIMEOUT_MS: '5000',
  };
  // Migrates the schema before any role process starts, so they find it ready.
  let admin: Platform;
  try {
    admin = await buildPlatform(resolveConfig({ ...shared, logLevel: 'silent', demo: false }), {
      logger: createLogger({ level: 'silent' }),
      egressAllowOrigins: [new URL(sandboxUrl).origin],
    });
  } catch (error) {
    await sandbox.close().catch(() => undefined);
    await setup.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await setup.end();
    await deletePrefix(prefix);
    throw error;
  }

  const processes: RoleProcess[] = [];
  const control = async (path: string, method = 'GET', body?: unknown): Promise<Json> => {
    const response = await fetch(`${sandboxUrl}/_sandbox${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`sandbox ${method} ${path}: ${response.status} ${text}`);
    return text === '' ? {} : JSON.parse(text);
  };

  const cluster: Cluster = {
    env,
    databasePassword,
    schema,
    prefix,
    sandbox,
    sandboxUrl,
    receiverUrl,
    admin,
    processes,
    control,
    async sql<T>(text: string, params: unknown[] = []) {
      return (await setup.query(text, params)).rows as T[];
    },
    async spawn(roles, spawnOptions = {}) {
      const listen = spawnOptions.listen ?? (roles.includes('api') || roles.includes('webhook-receiver'));
      const port = spawnOptions.port ?? (listen ? await freePort() : 0);
      const cli = startCli(['start', '--roles', roles, '--port', String(port), '--no-demo'], env);
      const url = listen ? `http://127.0.0.1:${port}` : null;
      const started: RoleProcess = Object.assign(cli, { roles, url });
      processes.push(started);
      if (url !== null) await waitForHealth(`${url}/health`, cli, 60_000);
      else await waitForBanner(cli);
      return started;
    },
    async seedTenant(name, wanted) {
      const services = admin.services;
      const tenantId = (await services.tenants.create(DEMO_CONTEXT, { name, metadata: {} })).id;
      const connections: Record<string, string> = {};
      const integrations: string[] = [];
      for (const { provider, object } of wanted) {
        connections[provider] ??= (await connectDemoProvider(services, { tenantId, provider, sandboxUrl, redirectUri: `${receiverUrl}/v1/oauth/callback` })).id;
        integrations.push((await services.integrations.create(tenantId, { connectionId: connections[provider], object })).id);
      }
      return { tenantId, connections, integrations };
    },
    async diagnose() {
      const parts: string[] = [];
      const runs = await setup.query("SELECT type, status, count(*)::int AS n, max(error::text) AS error FROM sync_runs GROUP BY type, status").catch((error: Error) => ({ rows: [error.message] }));
      parts.push(`runs: ${JSON.stringify(runs.rows)}`);
      const events = await setup.query('SELECT status, count(*)::int AS n, max(error::text) AS error FROM webhook_events GROUP BY status').catch((error: Error) => ({ rows: [error.message] }));
      parts.push(`webhook events: ${JSON.stringify(events.rows)}`);
      parts.push(`queues: ${JSON.stringify(await admin.services.queue.stats().catch((error: Error) => error.message))}`);
      for (const child of processes) {
        parts.push(`--- ${child.roles} (pid ${child.child.pid}, exit ${child.child.exitCode ?? child.child.signalCode ?? 'running'})\n${child.stdout().slice(-3000)}\n${child.stderr().slice(-1500)}`);
      }
      return parts.join('\n');
    },
    async close() {
      for (const child of processes) if (child.child.exitCode === null && child.child.signalCode === null) child.child.kill('SIGKILL');
      await Promise.all(processes.map((child) => child.exited));
      await admin.close().catch(() => undefined);
      await sandbox.close().catch(() => undefined);
      await setup.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
      await setup.end();
      await deletePrefix(prefix);
    },
  };
  return cluster;
}

/** `url` with `password` set, unless it already has one. */
function withPassword(url: string, password: string): string {
  const parsed = new URL(url);
  if (parsed.password === '') parsed.password = password;
  return parsed.toString();
}

/** Processes without a server are up once the CLI printed its start banner. */
async function waitForBanner(cli: CliProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cli.stderr().includes('Tributary')) {
    if (cli.child.exitCode !== null) throw new Error(`a role process exited at start:\n${cli.stderr()}\n${cli.stdout()}`);
    if (Date.now() > deadline) throw new Error(`a role process did not start within ${timeoutMs} ms:\n${cli.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function deletePrefix(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    await deleteKeysWithPrefix(redis, prefix);
  } finally {
    redis.disconnect();
  }
}

/** An admin-key HTTP call to one of the api processes. */
export async function apiCall(base: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: Json }> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_KEY}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: text === '' ? {} : JSON.parse(text) };
}

/** Polls `probe` every 100 ms until it answers a truthy value; throws after `timeoutMs` naming `what`. */
export async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
