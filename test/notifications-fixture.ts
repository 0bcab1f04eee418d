/**
 * A notifications world for tests: real SQLite store and job queue in a temp dir, the
 * local vault, the sandbox (Slack incoming webhooks, the Teams simulator), a manual
 * clock for folding windows, digests and Retry-After, and captured log lines.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../src/backends/memory/clock.ts';
import { openSqlite } from '../src/backends/sqlite/database.ts';
import { SqliteJobQueue } from '../src/backends/sqlite/job-queue.ts';
import { SqliteStore } from '../src/backends/sqlite/store.ts';
import { LocalVault } from '../src/backends/vault/local-vault.ts';
import { loadOrCreateKeyring } from '../src/backends/vault/master-keyring.ts';
import { createNotifications, runNotifier, type HostEventSettings, type NotificationOptions, type Notifications, type RunningNotifier } from '../src/notifications/index.ts';
import type { Logger } from '../src/ports/logger.ts';
import { startSandbox } from '../sandbox/index.ts';

export const START = Date.UTC(2026, 0, 5, 9, 0, 0);

/** The actor of changes the tests make directly through the service. */
export const SYSTEM = { actor: { kind: 'system' as const, keyId: null, tenantId: null }, requestId: null };

/** Response bodies are read loosely, as a client reading JSON does. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface NotificationWorld {
  readonly dir: string;
  readonly clock: ManualClock;
  readonly store: SqliteStore;
  readonly queue: SqliteJobQueue;
  readonly vault: LocalVault;
  readonly sandboxUrl: string;
  readonly notifications: Notifications;
  readonly notifier: RunningNotifier;
  readonly logs: string[];
  tenant(name?: string): Promise<string>;
  /** A Slack connection row of the tenant (slack_app channels post through it). */
  slackConnection(tenantId: string): Promise<string>;
  slackHook(channel?: string): Promise<{ id: string; url: string }>;
  slackPosts(id: string): Promise<Json[]>;
  teamsWorkflow(): Promise<{ id: string; url: string }>;
  teamsPosts(id: string): Promise<Json[]>;
  control(method: string, path: string, body?: unknown): Promise<Json>;
  close(): Promise<void>;
}

function captureLogger(lines: string[], bindings: Record<string, unknown> = {}): Logger {
  const write = (level: string) => (obj: object, msg?: string) => {
    lines.push(JSON.stringify({ level, ...bindings, ...obj, msg }, (_key, value: unknown) => (value instanceof Error ? { message: value.message } : value)));
  };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error'), child: (more) => captureLogger(lines, { ...bindings, ...more }) };
}

export async function startNotificationWorld(overrides: Partial<NotificationOptions> & { hostEvents?: HostEventSettings } = {}): Promise<NotificationWorld> {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-notifications-'));
  const clock = new ManualClock(START);
  const handle = openSqlite({ path: join(dir, 'tributary.db') });
  const store = new SqliteStore(handle, { clock });
  await store.migrate();
  const keyring = await loadOrCreateKeyring({ file: join(dir, 'master.key'), clock });
  const vault = new LocalVault({ store, keyring, clock });
  const logs: string[] = [];
  const queue = new SqliteJobQueue(handle, { clock, backoff: { baseMs: 1, maxMs: 2 }, pollMs: 5, stopGraceMs: 1000 });
  const sandbox = await startSandbox({ port: 0, size: 10 });
  // slack_app channels post with a bot token of the sandbox workspace.
  let botToken: Promise<string> | null = null;
  const slackApp = async () => {
    botToken ??= fetch(`${sandbox.url}/_sandbox/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"provider":"slack"}' })
      .then((response) => response.json() as Promise<{ accessToken: string }>)
      .then((minted) => minted.accessToken);
    return { apiBaseUrl: `${sandbox.url}/slack/api`, accessToken: await botToken };
  };
  const notifications = createNotifications({
    store,
    secrets: vault,
    queue,
    clock,
    logger: captureLogger(logs),
    publicUrl: 'https://tributary.example.com/',
    egress: { allowPrivate: true },
    deliveryTimeoutMs: 5000,
    slackApp,
    ...overrides,
  });
  const notifier = runNotifier(notifications, { concurrency: 2, flushIntervalMs: 3_600_000 });
  const control = async (method: string, path: string, body?: unknown): Promise<Json> => {
    const response = await fetch(`${sandbox.url}${path}`, {
      method,
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    return response.json();
  };
  return {
    dir,
    clock,
    store,
    queue,
    vault,
    sandboxUrl: sandbox.url,
    notifications,
    notifier,
    logs,
    async tenant(name = 'Acme') {
      const id = `ten_${Math.random().toString(16).slice(2).padEnd(32, '0').slice(0, 32)}`;
      const at = new Date(clock.now()).toISOString();
      await store.tenants.insert({ id, name, metadata: {}, createdAt: at, updatedAt: at });
      return id;
    },
    async slackConnection(tenantId) {
      const id = `con_${Math.random().toString(16).slice(2).padEnd(32, '0').slice(0, 32)}`;
      const at = new Date(clock.now()).toISOString();
      await store.connections.insert({ id, tenantId, provider: 'slack', name: 'Slack', status: 'active', baseUrl: null, account: {}, credentialId: null, createdAt: at, updatedAt: at });
      return id;
    },
    slackHook: (channel = 'general') => control('POST', '/_sandbox/slack/incoming-webhooks', { channel }),
    slackPosts: async (id) => ((await control('GET', `/_sandbox/slack/incoming-webhooks/${id}`)) as Json).posts,
    teamsWorkflow: () => control('POST', '/_sandbox/teams/workflows', { name: 'alerts' }),
    teamsPosts: async (id) => ((await control('GET', `/_sandbox/teams/workflows/${id}`)) as Json).posts,
    control,
    async close() {
      await notifier.stop();
      await queue.close();
      await store.close();
      await sandbox.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls (real time) until `check` holds; `tick` runs between polls (move a manual clock). */
export async function waitFor(what: string, check: () => Promise<boolean>, options: { timeoutMs?: number; tick?: () => void } = {}): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 5000);
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    options.tick?.();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
