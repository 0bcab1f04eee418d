import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../sandbox/index.ts';
import { freePort, runCli, startCli, waitForHealth } from './fixtures/cli-process.ts';
import type { CliProcess } from './fixtures/cli-process.ts';
import { startConnectionsSandbox } from './fixtures/connections-sandbox.ts';

const ADMIN_KEY = 'connections-cli-admin-key-0123456789';

let cli: CliProcess | undefined;
let dir: string | undefined;
let sandbox: Sandbox | undefined;

afterEach(async () => {
  if (cli?.child.exitCode === null && cli.child.signalCode === null) cli.child.kill('SIGKILL');
  cli = undefined;
  await sandbox?.close();
  sandbox = undefined;
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

async function call<T>(base: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: T }> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_KEY}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: (text === '' ? {} : JSON.parse(text)) as T };
}

interface StatusJson {
  connections: { id: string; tenantId: string; provider: string; status: string; entities: number; lastRun: unknown }[];
}

describe('tributary status and keys rotate (the real CLI)', () => {
  it('reports connections as one JSON object and re-wraps every secret while `tributary start` runs on the same data dir', async () => {
    dir = mkdtempSync(join(tmpdir(), 'tributary-conn-cli-'));
    const data = join(dir, 'data');
    const started = await startConnectionsSandbox();
    sandbox = started.sandbox;
    const notionToken = (await started.control<{ accessToken: string }>('/tokens', 'POST', { provider: 'notion' })).accessToken;

    const empty = await runCli(['status', '--json', '--data', data]);
    expect(empty.code, empty.stderr).toBe(0);
    expect(JSON.parse(empty.stdout)).toEqual({ connections: [] });

    const port = await freePort();
    cli = startCli(['start', '--data', data, '--port', String(port), '--no-demo'], { TRIBUTARY_ADMIN_KEY: ADMIN_KEY, TRIBUTARY_ALLOW_PRIVATE_EGRESS: 'true' });
    const base = `http://127.0.0.1:${port}`;
    await waitForHealth(`${base}/health`, cli);

    const tenant = await call<{ id: string }>(base, 'POST', '/v1/tenants', { name: 'Acme' });
    const created = await call<{ connection: { id: string; status: string } }>(base, 'POST', `/v1/tenants/${tenant.json.id}/connections`, {
      provider: 'notion',
      name: 'Acme Notion',
      baseUrl: `${started.base}/notion`,
      credential: { type: 'api_key', apiKey: notionToken },
    });
    expect(created.status).toBe(201);
    expect(created.json.connection.status).toBe('active');

    const status = await runCli(['status', '--json', '--data', data]);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout.trim().split('\n')).toHaveLength(1);
    const report = JSON.parse(status.stdout) as StatusJson;
    expect(report.connections).toHaveLength(1);
    expect(report.connections[0]).toMatchObject({ id: created.json.connection.id, tenantId: tenant.json.id, provider: 'notion', status: 'active', entities: 0, lastRun: null });

    const human = await runCli(['status', '--data', data]);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toContain(created.json.connection.id);
    expect(human.stdout).toContain('Acme');

    const rotated = await runCli(['keys', 'rotate', '--data', data]);
    expect(rotated.code, rotated.stderr).toBe(0);
    const counts = JSON.parse(rotated.stdout) as { keyVersion: number; rewrapped: number };
    expect(counts.keyVersion).toBe(2);
    expect(counts.rewrapped).toBeGreaterThanOrEqual(1);
    expect(rotated.stderr).toContain('master key version 2');

    // The running platform still opens the secret, now wrapped under version 2.
    const validated = await call<{ status: string }>(base, 'POST', `/v1/tenants/${tenant.json.id}/connections/${created.json.connection.id}/validate`);
    expect(validated.json.status).toBe('active');
    for (const output of [status.stdout, human.stdout, rotated.stdout, rotated.stderr, cli.stdout(), cli.stderr()]) expect(output).not.toContain(notionToken);

    const exit = await cli.stop('SIGTERM', 10_000);
    expect(exit.code).toBe(0);
  });
});
