/**
 * Refresh under load: GitHub App user tokens that expire every 3 s (refresh tokens rotate,
 * and a refresh revokes the old access token at once, as GitHub does), 20 concurrent
 * tasks calling `GET /user` in one process and, at the same time against a sandbox of
 * its own, in two child processes sharing the SQLite store, vault and locks. No call may fail, and the sandbox must see exactly
 * the refreshes we recorded (a rotated refresh token used twice would be refused and
 * show as a failed call and a `needs_reauth` connection).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, it, type ExpectStatic } from 'vitest';
import { createSandbox, type Sandbox } from '../sandbox/index.ts';
import { TENANT, authorize, openCredentialEnv, refreshCount, seedConnection, tempDir, type CredentialEnv } from './fixtures/credentials-env.ts';
import { runLoad, type LoadResult } from './fixtures/credentials-load.ts';

const ACCESS_SECONDS = 3;
const MARGIN_MS = 1000;
/** The figure: tokens expiring every few seconds, used for a minute. */
const DURATION_MS = 60_000;
const WORKER = fileURLToPath(new URL('./fixtures/credentials-worker.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../', import.meta.url));

const children = new Set<ChildProcess>();
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
});

/**
 * Each scenario gets a sandbox of its own, so that the two run at once (each waits out a
 * minute of token expiries) and each counts only its own refreshes.
 */
async function withSandbox(run: (base: string) => Promise<void>): Promise<void> {
  const sandbox: Sandbox = await createSandbox({ seed: 5, size: 30, rateLimitScale: 1000, tokenLifetimes: { github: { accessSeconds: ACCESS_SECONDS } } });
  try {
    await run(await sandbox.listen(0));
  } finally {
    await sandbox.close();
  }
}

/** Refreshes the run may need at most: one per token lifetime minus the margin, plus the first. */
const maxRefreshes = Math.ceil(DURATION_MS / (ACCESS_SECONDS * 1000 - MARGIN_MS)) + 2;

/** No refresh failed, the sandbox saw exactly the refreshes audited, and about one per token lifetime. */
async function expectOneRefreshPerExpiry(expect: ExpectStatic, e: CredentialEnv, base: string, credentialId: string, before: number): Promise<Record<string, number>> {
  const audit = await refreshAudit(e, credentialId);
  const sandboxRefreshes = (await refreshCount(base, 'github')) - before;
  expect(audit.failed ?? 0).toBe(0);
  expect(sandboxRefreshes).toBe(audit.success);
  expect(audit.success).toBeGreaterThanOrEqual(Math.floor(DURATION_MS / (ACCESS_SECONDS * 1000)));
  expect(audit.success).toBeLessThanOrEqual(maxRefreshes);
  return audit;
}

async function refreshAudit(e: CredentialEnv, credentialId: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  let cursor: string | null = null;
  do {
    const page = await e.store.tokenRefreshAudit.list(TENANT, { credentialId, limit: 1000, cursor });
    for (const row of page.items) counts[row.outcome] = (counts[row.outcome] ?? 0) + 1;
    cursor = page.nextCursor;
  } while (cursor);
  return counts;
}

function runWorker(dir: string, base: string, connectionId: string, tasks: number): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WORKER, dir, base, connectionId, String(tasks), String(DURATION_MS), String(MARGIN_MS)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('exit', (code) => {
      children.delete(child);
      const line = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || !line.startsWith('{')) reject(new Error(`worker exited ${code}: ${err.slice(-2000)}`));
      else resolve(JSON.parse(line) as LoadResult);
    });
  });
}

describe.concurrent('refresh under load with 3-second tokens', () => {
  it('20 concurrent tasks in one process: no call fails and every expiry is refreshed exactly once', ({ expect }) => withSandbox(async (base) => {
    const env = await openCredentialEnv({ service: { refreshMarginMs: MARGIN_MS } });
    try {
      await seedConnection(env.store, 'con_load', 'github');
      const completed = await authorize(env.service, { connectionId: 'con_load', provider: 'github', authBaseUrl: `${base}/github` });
      const before = await refreshCount(base, 'github');

      const result = await runLoad(env, { connectionId: 'con_load', baseUrl: `${base}/github`, tasks: 20, durationMs: DURATION_MS });

      expect(result.errors).toEqual({});
      expect(result.failed).toBe(0);
      expect(result.ok).toBeGreaterThan(100);
      const audit = await expectOneRefreshPerExpiry(expect, env, base, completed.credential.id, before);
      expect(await env.service.info(TENANT, completed.credential.id)).toMatchObject({ status: 'valid', refreshCount: audit.success });
      console.log(`one process: ${result.ok} calls, ${audit.success} refreshes, ${audit.skipped ?? 0} skipped`);
    } finally {
      await env.close();
    }
  }), 120_000);

  it('two processes sharing the store: no call fails and the rotating refresh token is never used twice', ({ expect }) => withSandbox(async (base) => {
    const dir = tempDir();
    const env = await openCredentialEnv({ dir, service: { refreshMarginMs: MARGIN_MS } });
    try {
      await seedConnection(env.store, 'con_shared', 'github');
      const completed = await authorize(env.service, { connectionId: 'con_shared', provider: 'github', authBaseUrl: `${base}/github` });
      const before = await refreshCount(base, 'github');

      const results = await Promise.all([runWorker(dir, base, 'con_shared', 10), runWorker(dir, base, 'con_shared', 10)]);

      for (const result of results) {
        expect(result.errors).toEqual({});
        expect(result.failed).toBe(0);
        expect(result.ok).toBeGreaterThan(50);
      }
      const audit = await expectOneRefreshPerExpiry(expect, env, base, completed.credential.id, before);
      expect(await env.store.connections.get(TENANT, 'con_shared')).toMatchObject({ status: 'pending' });
      expect(await env.service.info(TENANT, completed.credential.id)).toMatchObject({ status: 'valid' });
      console.log(`two processes: ${results[0]!.ok + results[1]!.ok} calls, ${audit.success} refreshes, ${audit.skipped ?? 0} skipped by the other process`);
    } finally {
      await env.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }), 120_000);
});
