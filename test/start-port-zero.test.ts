/**
 * `tributary start --port 0` with no public URL configured: the OS picks the port, and
 * what the platform hands out as its public address (a webhook registration's URL, the
 * OAuth redirect URI of a connection made after start, a notification's link) must carry
 * that port, not 0. The demo supplies a tenant, its key, the sandbox and a Slack connection;
 * the operator's GitHub OAuth app is the sandbox's.
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
  let sandbox: string;
  let headers: Record<string, string>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tributary-port0-'));
    const oauthClients = { github: { clientId: 'sandbox-github-client', clientSecret: 'sandbox-github-secret' } };
    cli = startCli(['start', '--port', '0', '--data', dir, '--log-level', 'warn'], { TRIBUTARY_OAUTH_CLIENTS: JSON.stringify(oauthClients) });
    url = await waitFor('the banner', 60_000, () => (/Demo key: {2}trb_/.test(cli.stderr()) ? /running at (http:\/\/\S+)/.exec(cli.stderr())?.[1] ?? null : null));
    sandbox = /sandbox at (http:\/\/[^,\s]+)/.exec(cli.stderr())?.[1] ?? '';
    const key = readFileSync(join(dir, 'demo-api-key'), 'utf8').trim();
    headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  }, 70_000);

  afterAll(async () => {
    if (cli?.child.exitCode === null) await cli.stop('SIGTERM', 15_000).catch(() => undefined);
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 20_000);

  it('registers webhooks at the port the server actually listens on', async () => {
    const port = new URL(url).port;
    expect(port).not.toBe('0');
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

  it('sends the OAuth consent of a connection made after start back to the listening port', async () => {
    const created = await fetch(`${url}/v1/connections`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ provider: 'github', name: 'GitHub after start', credential: { type: 'oauth2_authorization_code' }, baseUrl: `${sandbox}/github`, authBaseUrl: `${sandbox}/github` }),
    });
    expect(created.status).toBe(201);
    const { connection, authorizeUrl } = (await created.json()) as { connection: { id: string }; authorizeUrl: string };
    expect(new URL(authorizeUrl).searchParams.get('redirect_uri')).toBe(`${url}/v1/oauth/callback`);
    // The sandbox consents at once and sends the browser there; the callback (this server) completes the connection.
    const consent = await fetch(authorizeUrl, { redirect: 'manual' });
    expect(consent.status).toBe(302);
    const callback = consent.headers.get('location') ?? '';
    expect(callback.startsWith(`${url}/v1/oauth/callback?`)).toBe(true);
    expect((await fetch(callback, { redirect: 'manual' })).status).toBeLessThan(400);
    const after = (await (await fetch(`${url}/v1/connections/${connection.id}`, { headers })).json()) as { status: string };
    expect(after.status).toBe('active');
  });

  it('links notifications to the admin UI at the listening port', async () => {
    const connections = (await (await fetch(`${url}/v1/connections`, { headers })).json()) as { items: { id: string; provider: string }[] };
    const slack = connections.items.find((connection) => connection.provider === 'slack')!;
    const general = (await (await fetch(`${sandbox}/_sandbox/slack/channels?limit=100`)).json()) as { records: { id: string; name: string }[] };
    const slackChannel = general.records.find((channel) => channel.name === 'general')!.id;
    const created = await fetch(`${url}/v1/notification-channels`, { method: 'POST', headers, body: JSON.stringify({ name: 'ops', kind: 'slack_app', connectionId: slack.id, slackChannel }) });
    expect(created.status).toBe(201);
    const channel = (await created.json()) as { id: string };
    const tested = (await (await fetch(`${url}/v1/notification-channels/${channel.id}/test`, { method: 'POST', headers: { authorization: headers.authorization! } })).json()) as { delivered: boolean };
    expect(tested.delivered).toBe(true);
    // What Slack received (the sandbox's request log): the message's button opens this server.
    const log = (await (await fetch(`${sandbox}/_sandbox/requests?provider=slack&path=chat.postMessage`)).json()) as { requests: { body: { blocks?: { elements?: { url?: string }[] }[] } }[] };
    const links = log.requests.flatMap((request) => (request.body.blocks ?? []).flatMap((block) => (block.elements ?? []).map((element) => element.url ?? '')));
    expect(links.length).toBeGreaterThan(0);
    for (const link of links) expect(link.startsWith(`${url}/`)).toBe(true);
  });
});
