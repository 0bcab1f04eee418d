import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, runCli, startCli, waitForHealth } from './fixtures/cli-process.ts';
import type { CliProcess } from './fixtures/cli-process.ts';

const ADMIN_KEY = 'cli-test-admin-key-0123456789abcdef';

let cli: CliProcess | undefined;
let dir: string | undefined;

afterEach(() => {
  if (cli?.child.exitCode === null && cli.child.signalCode === null) cli.child.kill('SIGKILL');
  cli = undefined;
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

interface Body {
  id: string;
  name: string;
  key: string;
  apiKey: { id: string };
  items: { id: string; tenantId: string }[];
  error: { code: string };
}

async function call(base: string, key: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: Body }> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: (text === '' ? {} : JSON.parse(text)) as Body };
}

describe('tributary start (the real CLI)', () => {
  it('serves two isolated tenants from a fresh data dir and exits 0 on SIGTERM', async () => {
    dir = mkdtempSync(join(tmpdir(), 'tributary-cli-'));
    const data = join(dir, 'data');

    // An admin key made by the CLI, before the server ever ran.
    const created = await runCli(['admin-key', 'create', '--data', data, '--name', 'ops']);
    expect(created.code, created.stderr).toBe(0);
    const storedAdminKey = created.stdout.trim();
    expect(storedAdminKey).toMatch(/^trb_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/);

    const port = await freePort();
    cli = startCli(['start', '--data', data, '--port', String(port), '--no-demo'], { TRIBUTARY_ADMIN_KEY: ADMIN_KEY });
    const base = `http://127.0.0.1:${port}`;
    await waitForHealth(`${base}/health`, cli);
    expect(cli.stderr()).toContain(`Tributary is running at ${base}`);

    // Both admin keys work: the configured one and the stored one.
    const a = await call(base, ADMIN_KEY, 'POST', '/v1/tenants', { name: 'Tenant A' });
    const b = await call(base, storedAdminKey, 'POST', '/v1/tenants', { name: 'Tenant B' });
    expect([a.status, b.status]).toEqual([201, 201]);
    const keyA = await call(base, ADMIN_KEY, 'POST', `/v1/tenants/${a.json.id}/api-keys`, { name: 'a' });
    const keyB = await call(base, ADMIN_KEY, 'POST', `/v1/tenants/${b.json.id}/api-keys`, { name: 'b' });
    expect([keyA.status, keyB.status]).toEqual([201, 201]);

    // Isolation: A's key cannot see B, by id or in any list.
    expect((await call(base, keyA.json.key, 'GET', `/v1/tenants/${b.json.id}`)).status).toBe(404);
    expect((await call(base, keyA.json.key, 'GET', `/v1/tenants/${b.json.id}/api-keys`)).status).toBe(404);
    expect((await call(base, keyB.json.key, 'GET', `/v1/tenants/${a.json.id}`)).json.error.code).toBe('NOT_FOUND');
    expect((await call(base, keyA.json.key, 'GET', `/v1/tenants/${a.json.id}`)).json.name).toBe('Tenant A');
    const listA = await call(base, keyA.json.key, 'GET', '/v1/tenants');
    expect(listA.json.items.map((t) => t.id)).toEqual([a.json.id]);
    const keysA = await call(base, keyA.json.key, 'GET', `/v1/tenants/${a.json.id}/api-keys`);
    expect(keysA.json.items.map((k) => k.id)).toEqual([keyA.json.apiKey.id]);
    const auditB = await call(base, keyB.json.key, 'GET', '/v1/audit');
    expect(new Set(auditB.json.items.map((e) => e.tenantId))).toEqual(new Set([b.json.id]));

    expect(existsSync(join(data, 'tributary.db'))).toBe(true);
    expect(statSync(join(data, 'master.key')).mode & 0o777).toBe(0o600);

    const exit = await cli.stop('SIGTERM', 10_000);
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(exit.ms).toBeLessThan(10_000);

    const logs = cli.stdout();
    expect(logs).toContain('"msg":"shutdown complete"');
    for (const secret of [ADMIN_KEY, storedAdminKey, keyA.json.key, keyB.json.key]) expect(logs + cli.stderr()).not.toContain(secret);
  });

  it('picks a free port for --port 0, prints it, runs only the roles asked for, and exits 0 on SIGINT', async () => {
    dir = mkdtempSync(join(tmpdir(), 'tributary-cli-'));
    cli = startCli(['start', '--data', join(dir, 'data'), '--port', '0', '--roles', 'api,scheduler'], { TRIBUTARY_LOG_LEVEL: 'info' });
    const deadline = Date.now() + 30_000;
    let url: string | undefined;
    while (url === undefined && Date.now() < deadline && cli.child.exitCode === null) {
      url = /Tributary is running at (http:\/\/127\.0\.0\.1:\d+)/.exec(cli.stderr())?.[1];
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(url, cli.stderr()).toBeDefined();
    expect(url).not.toMatch(/:0$/);
    await waitForHealth(`${url}/health`, cli);
    expect(cli.stderr()).toContain('admin-key create');
    expect(cli.stdout()).toContain('"role":"scheduler"');
    expect(cli.stdout()).not.toContain('"role":"inbound-worker"');
    const exit = await cli.stop('SIGINT', 10_000);
    expect(exit).toMatchObject({ code: 0, signal: null });
  });
});
