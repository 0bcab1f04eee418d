/**
 * Token revocation against the sandbox. GitHub revokes through its REST API
 * (`DELETE /applications/{client_id}/token`, the app's Basic auth, the access token in a
 * JSON body): a revoked token stops working; a wrong client secret, a missing client or
 * an already revoked token answer false and revoke nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../../sandbox/index.ts';
import { revokeToken, type TokenClientDeps } from './token-client.ts';

let sandbox: Sandbox | null = null;
afterEach(async () => {
  await sandbox?.close();
  sandbox = null;
});

const deps: TokenClientDeps = { fetch, egress: async () => undefined, timeoutMs: 5000, now: () => Date.now() };
const CLIENT = { clientId: 'sandbox-github-client', clientSecret: 'sandbox-github-secret' };

async function start(): Promise<{ base: string; mint(): Promise<string>; userStatus(token: string): Promise<number> }> {
  sandbox = await createSandbox({ seed: 3, size: 10, rateLimitScale: 100 });
  const base = await sandbox.listen(0);
  return {
    base,
    async mint() {
      const response = await fetch(`${base}/_sandbox/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ provider: 'github' }) });
      return ((await response.json()) as { accessToken: string }).accessToken;
    },
    userStatus: async (token) => (await fetch(`${base}/github/user`, { headers: { authorization: `Bearer ${token}` } })).status,
  };
}

describe('revokeToken (GitHub)', () => {
  it('revokes the access token with the app credentials, after which the token is refused', async () => {
    const s = await start();
    const token = await s.mint();
    expect(await s.userStatus(token)).toBe(200);
    expect(await revokeToken(deps, { provider: 'github', authBaseUrl: `${s.base}/github`, token: 'ghr_refresh-is-not-what-github-takes', accessToken: token, client: CLIENT })).toBe(true);
    expect(await s.userStatus(token)).toBe(401);
    // Already revoked: GitHub answers 422, we answer false.
    expect(await revokeToken(deps, { provider: 'github', authBaseUrl: `${s.base}/github`, token, client: CLIENT })).toBe(false);
  });

  it('answers false and revokes nothing with a wrong secret or without the app credentials', async () => {
    const s = await start();
    const token = await s.mint();
    expect(await revokeToken(deps, { provider: 'github', authBaseUrl: `${s.base}/github`, token, client: { ...CLIENT, clientSecret: 'wrong' } })).toBe(false);
    expect(await revokeToken(deps, { provider: 'github', authBaseUrl: `${s.base}/github`, token })).toBe(false);
    expect(await s.userStatus(token)).toBe(200);
  });

  it('uses apiBaseUrl when given (GitHub Enterprise Server keeps the API under /api/v3)', async () => {
    const s = await start();
    const token = await s.mint();
    const urls: string[] = [];
    const recording: TokenClientDeps = { ...deps, fetch: (input, init) => (urls.push(String(input)), fetch(input, init)) };
    expect(await revokeToken(recording, { provider: 'github', authBaseUrl: 'https://ghe.example.com', apiBaseUrl: `${s.base}/github/`, token, client: CLIENT })).toBe(true);
    expect(urls).toEqual([`${s.base}/github/applications/sandbox-github-client/token`]);
    expect(await s.userStatus(token)).toBe(401);
  });
});
