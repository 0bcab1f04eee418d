/**
 * `tributary start --port 0` with no public URL configured: the OS picks the port, and
 * what the platform hands out as its public address (a webhook registration's URL) must
 * carry that port, not 0. The demo supplies a tenant, its key and a Slack connection.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli } from './fixtures/cli-process.ts';
import type { CliProcess } from './fixtures/cli-process.ts';

async function waitFor<T>(what: string, deadlineMs: number, probe: () => T | null): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const found = probe();
    if (found !== null) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('tributary start --port 0', () => {
  let dir: string;
  let cli: CliProcess;
  let url: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tributary-port0-'));
    cli = startCli(['start', '--port', '0', '--data', dir, '--log-level', 'warn']);
    url = await waitFor('the banner', 60_000, () => (/Demo key: {2}trb_/.test(cli.stderr()) ? /running at (http:\/\/\S+)/.exec(cli.stderr())?.[1] ?? null : null));
  }, 70_000);

  afterAll(async () => {
    if (cli?.child.exitCode === null) await cli.stop('SIGTERM', 15_000).catch(() => undefined);
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 20_000);

  it('registers webhooks at the port the server actually listens on', async () => {
    const port = new URL(url).port;
    expect(port).not.toBe('0');
    const key = readFileSync(join(dir, 'demo-api-key'), 'utf8').trim();
    const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
    const connections = (await (await fetch(`${url}/v1/connections`, { headers })).json()) as { items: { id: string; provider: string }[] };
    const slack = connections.items.find((connection) => connection.provider === 'slack');
    expect(slack).toBeDefined();
    const created = await fetch(`${url}/v1/webhooks`, { method: 'POST', headers, body: JSON.stringify({ connectionId: slack!.id, config: { signingSecret: 'port-zero-signing-secret' } }) });
    expect(created.status).toBe(201);
    const registration = (await created.json()) as { url: string; path: string };
    expect(registration.url).toBe(`http://127.0.0.1:${port}${registration.path}`);
    // The URL given to the provider reaches this server's intake (a Slack delivery without a signature is refused there, not unreachable).
    expect((await fetch(registration.url, { method: 'POST', body: '{}' })).status).toBe(401);
  });
});
