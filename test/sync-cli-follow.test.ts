import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../sandbox/index.ts';
import { buildPlatform } from '../src/runtime/compose.ts';
import { resolveConfig } from '../src/runtime/config/index.ts';
import { createLogger } from '../src/runtime/logging/logger.ts';
import { connectDemoProvider } from '../src/runtime/demo/demo-connections.ts';
import { SYSTEM_ACTOR } from '../src/runtime/tenancy/index.ts';

const BIN = join(import.meta.dirname, '..', 'bin', 'tributary.js');

function runCli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 50_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('tributary sync run', () => {
  let dir: string;
  let sandbox: Sandbox;
  let base: string;
  let integrationId: string;
  let brokenId: string;
  let tenantKey: string;

  beforeAll(async () => {
    sandbox = await createSandbox({ seed: 11, size: 300, rateLimitScale: 100 });
    base = await sandbox.listen(0);
    dir = mkdtempSync(join(tmpdir(), 'tributary-sync-cli-'));
    const config = resolveConfig({ dataDir: dir, allowPrivateEgress: true, logLevel: 'silent' });
    const platform = await buildPlatform(config, { logger: createLogger({ level: 'silent' }) });
    try {
      const { services } = platform;
      const tenant = await services.tenants.create({ actor: SYSTEM_ACTOR, requestId: null }, { name: 'CLI tests' });
      tenantKey = (await services.apiKeys.create({ actor: SYSTEM_ACTOR, requestId: null }, { tenantId: tenant.id, name: 'cli' })).plaintext;
      const connection = await connectDemoProvider(services, { tenantId: tenant.id, provider: 'salesforce', sandboxUrl: base, redirectUri: 'http://127.0.0.1:1/v1/oauth/callback' });
      expect(connection.status).toBe('active');
      integrationId = (await services.integrations.create(tenant.id, { connectionId: connection.id, object: 'Contact' })).id;
      // Run below with the egress policy refusing loopback: the run fails.
      const broken = await services.integrations.create(tenant.id, { connectionId: connection.id, object: 'Account' });
      brokenId = broken.id;
    } finally {
      await platform.close();
    }
  }, 60_000);

  afterAll(async () => {
    await sandbox?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('runs the pull on the data directory, draws progress and prints the sync result, exit 0', async () => {
    const { code, stdout, stderr } = await runCli(['sync', 'run', integrationId, '--follow', '--data', dir], { TRIBUTARY_ALLOW_PRIVATE_EGRESS: 'true' });
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/^Run run_\w+: succeeded$/m);
    const processed = Number(/processed (\d+), created (\d+)/.exec(stdout)?.[1]);
    expect(processed).toBeGreaterThan(0);
    expect(stdout).toMatch(/created \d+, updated \d+, failed 0/);
    // The progress line (not a TTY: one line per second and a last one) names records and pages.
    expect(stderr).toMatch(/\d+ records \| \d+ pages \| \d+ rec\/s/);
    // A second run is incremental: nothing new. Its log lines are correlated as a manual
    // run started through the API is (`manual_…`), not by the integration id.
    const again = await runCli(['sync', 'run', integrationId, '--data', dir], { TRIBUTARY_ALLOW_PRIVATE_EGRESS: 'true', TRIBUTARY_LOG_LEVEL: 'debug' });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/: succeeded\n {2}processed \d+, created 0,/);
    const finished = again.stderr.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => line.msg === 'pull run finished');
    expect(finished).toMatchObject({ correlationId: expect.stringMatching(/^manual_[0-9a-f]{32}$/), queue: 'sync-inbound', integrationId });
  }, 60_000);

  it('exits 1 with the reason when the run fails (the egress policy refuses the sandbox)', async () => {
    const { code, stdout, stderr } = await runCli(['sync', 'run', brokenId, '--follow', '--data', dir], { TRIBUTARY_ALLOW_PRIVATE_EGRESS: 'false' });
    expect(code).toBe(1);
    expect(`${stdout}${stderr}`).toMatch(/private, loopback or link-local|VALIDATION_FAILED/);
  }, 60_000);

  it('runs through a running platform\'s API with --url and --key: its worker pulls, the command follows the run', async () => {
    const platform = spawn(process.execPath, [BIN, 'start', '--no-demo', '--port', '0', '--data', dir, '--roles', 'api,inbound-worker', '--log-level', 'warn'], {
      env: { ...process.env, TRIBUTARY_ALLOW_PRIVATE_EGRESS: 'true' }, stdio: ['ignore', 'ignore', 'pipe'],
    });
    const exited = new Promise((resolve) => platform.on('exit', resolve));
    try {
      let banner = '';
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no banner: ${banner}`)), 30_000);
        platform.stderr.on('data', (chunk: Buffer) => {
          banner += chunk.toString();
          const match = /running at (http:\/\/\S+)/.exec(banner);
          if (match?.[1]) {
            clearTimeout(timer);
            resolve(match[1]);
          }
        });
      });
      const { code, stdout, stderr } = await runCli(['sync', 'run', integrationId, '--follow', '--full', '--url', url, '--key', tenantKey], {});
      expect(code, stderr).toBe(0);
      expect(stdout).toMatch(/^Run run_\w+: succeeded\n {2}processed [1-9]\d*, /m);
      expect(stderr).not.toContain(tenantKey);
    } finally {
      platform.kill('SIGTERM');
      await exited;
    }
  }, 60_000);

  it('refuses --url without --key (usage), and an unknown integration (NOT_FOUND), exit non-zero', async () => {
    const usage = await runCli(['sync', 'run', integrationId, '--url', 'http://127.0.0.1:1'], {});
    expect(usage.code).toBe(2);
    const unknown = await runCli(['sync', 'run', 'int_doesnotexist', '--data', dir], {});
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/NOT_FOUND/);
  }, 60_000);
});
