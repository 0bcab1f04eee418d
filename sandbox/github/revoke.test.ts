/** `DELETE /github/applications/{client_id}/token`: GitHub's "delete an app token". */
import { afterEach, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../index.ts';

let sandbox: Sandbox | null = null;
afterEach(async () => {
  await sandbox?.close();
  sandbox = null;
});

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

describe('github delete an app token', () => {
  it('answers 204 and revokes; 422 for an unknown or revoked token; 404 for wrong client auth', async () => {
    sandbox = await createSandbox({ seed: 4, size: 10 });
    const base = await sandbox.listen(0);
    const minted = (await (await fetch(`${base}/_sandbox/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ provider: 'github' }) })).json()) as { accessToken: string };
    const del = (auth: string | null, body: unknown, clientId = 'sandbox-github-client') =>
      fetch(`${base}/github/applications/${clientId}/token`, {
        method: 'DELETE',
        headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
        body: JSON.stringify(body),
      });
    const good = basic('sandbox-github-client', 'sandbox-github-secret');
    expect((await del(basic('sandbox-github-client', 'wrong'), { access_token: minted.accessToken })).status).toBe(404);
    expect((await del(null, { access_token: minted.accessToken })).status).toBe(404);
    expect((await del(good, {})).status).toBe(422);
    expect((await del(good, { access_token: 'gho_unknown' })).status).toBe(422);
    const user = () => fetch(`${base}/github/user`, { headers: { authorization: `Bearer ${minted.accessToken}` } });
    expect((await user()).status).toBe(200);
    const revoked = await del(good, { access_token: minted.accessToken });
    expect(revoked.status).toBe(204);
    expect((await user()).status).toBe(401);
    const again = await del(good, { access_token: minted.accessToken });
    expect(again.status).toBe(422);
    expect(await again.json()).toMatchObject({ message: 'Validation Failed' });
  });
});
