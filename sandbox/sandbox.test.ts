import { afterEach, describe, expect, it } from 'vitest';
import { PROVIDER_NAMES, startSandbox } from './index.ts';
import { defaultSimulators } from './providers.ts';

/** Response bodies in these tests are read loosely, as a client reading JSON does. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

let running: { close(): Promise<void> } | null = null;
afterEach(async () => {
  await running?.close();
  running = null;
});

describe('startSandbox', () => {
  it('serves every simulator under its prefix, the control API and the ground truth on an ephemeral port', async () => {
    const started = await startSandbox({ port: 0, seed: 3, size: 300 });
    running = started;
    expect(started.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const info = await (await fetch(`${started.url}/_sandbox`)).json() as Json;
    const expected = defaultSimulators().map((s) => s.name);
    expect(info).toMatchObject({ seed: 3, size: 300, baseUrl: started.url, providers: expected });
    expect(expected.every((p) => PROVIDER_NAMES.includes(p))).toBe(true);

    const truth = await (await fetch(`${started.url}/_sandbox/ground-truth`)).json() as Json;
    expect(truth.count).toBeGreaterThan(0);
    const providersInTruth = new Set(truth.entries.map((e: { provider: string }) => e.provider));
    expect(providersInTruth.has('salesforce')).toBe(true);
    const csv = await fetch(`${started.url}/_sandbox/ground-truth?format=csv`);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);

    for (const provider of expected) {
      // Every simulator mints a token through the control API and answers under its prefix.
      const minted = await fetch(`${started.url}/_sandbox/tokens`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ provider }),
      });
      expect(minted.status, provider).toBe(201);
      expect((await minted.json() as Json).accessToken, provider).toEqual(expect.any(String));
      const objects = await (await fetch(`${started.url}/_sandbox/${provider}/objects`)).json() as Json;
      expect(objects.objects.length, provider).toBeGreaterThan(0);
      const answer = await fetch(`${started.url}/${provider}/`);
      expect(answer.status, provider).toBeLessThan(500);
    }
    const sf = await fetch(`${started.url}/salesforce/services/data/v60.0/query?q=SELECT+Id+FROM+Contact`);
    expect(sf.status).toBe(401);
    expect((await fetch(`${started.url}/_sandbox/requests?provider=salesforce`).then((r) => r.json() as Json)).count).toBeGreaterThan(0);
  });

  it('gives the same ground truth for the same seed and size', async () => {
    const a = await startSandbox({ seed: 5, size: 120 });
    const first = await (await fetch(`${a.url}/_sandbox/ground-truth?format=csv`)).text();
    await a.close();
    const b = await startSandbox({ seed: 5, size: 120 });
    running = b;
    expect(await (await fetch(`${b.url}/_sandbox/ground-truth?format=csv`)).text()).toBe(first);
  });
});
