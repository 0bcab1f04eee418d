import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = join(import.meta.dirname, '..', 'bin', 'tributary.js');
const PROVIDERS = ['salesforce', 'google', 'slack', 'github', 'notion'];

interface Page<T> { items: T[]; nextCursor: string | null }
interface EntityBody { id: string; type: string; links?: { connectionId: string; tombstonedAt: string | null }[] }

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** `tributary start` as a user runs it on a fresh data dir: the demo is on by default. */
function start(dir: string, extraEnv: Record<string, string> = {}): { child: ChildProcess; stderr: () => string; exited: Promise<number | null> } {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extraEnv };
  if (extraEnv.TRIBUTARY_DEMO === undefined) delete env.TRIBUTARY_DEMO;
  delete env.TRIBUTARY_ALLOW_PRIVATE_EGRESS;
  const child = spawn(process.execPath, [BIN, 'start', '--port', '0', '--data', dir, '--log-level', 'warn'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stderr: () => stderr, exited };
}

async function stop(run: { child: ChildProcess; exited: Promise<number | null> }): Promise<number | null> {
  if (run.child.exitCode === null) run.child.kill('SIGTERM');
  const timer = setTimeout(() => run.child.kill('SIGKILL'), 15_000);
  const code = await run.exited;
  clearTimeout(timer);
  return code;
}

async function waitFor<T>(what: string, deadlineMs: number, probe: () => Promise<T | null>): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const found = await probe();
    if (found !== null) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(500);
  }
}

describe('the demo on `tributary start`', () => {
  let dir: string;
  let run: ReturnType<typeof start>;
  let url: string;
  let key: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tributary-demo-'));
    run = start(dir);
    url = await waitFor('the banner', 60_000, async () => /Demo key: {2}(trb_\S+)/.test(run.stderr()) ? /running at (http:\/\/\S+)/.exec(run.stderr())?.[1] ?? null : null);
    key = readFileSync(join(dir, 'demo-api-key'), 'utf8').trim();
  }, 70_000);

  afterAll(async () => {
    if (run) await stop(run);
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 20_000);

  it('prints the demo tenant, its key once and a curl, and keeps the key in the data directory', () => {
    const banner = run.stderr();
    expect(banner).toContain('Demo:      tenant "Demo company"');
    expect(banner).toContain(`Demo key:  ${key}`);
    expect(banner).toContain(`curl -H "Authorization: Bearer ${key}" '${url}/v1/entities?type=person&limit=5'`);
    expect(banner).toMatch(/connected: salesforce, google, slack, github, notion/);
  });

  it('syncs every provider into entities within a bounded wait, people from several providers merged into one', async () => {
    const get = async <T>(path: string): Promise<T> => {
      const response = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${key}` } });
      expect(response.status, path).toBe(200);
      return (await response.json()) as T;
    };
    const connections = (await get<Page<{ id: string; provider: string; status: string }>>('/v1/connections')).items;
    expect(connections.map((c) => c.provider).sort()).toEqual([...PROVIDERS].sort());
    expect(connections.every((c) => c.status === 'active')).toBe(true);
    const providerOf = new Map(connections.map((c) => [c.id, c.provider]));

    // Entities of every provider (people for all but GitHub, whose issues are the demo's object there).
    for (const provider of PROVIDERS) {
      await waitFor(`entities from ${provider}`, 90_000, async () => {
        const page = await get<Page<EntityBody>>(`/v1/entities?provider=${provider}&limit=1`);
        return page.items.length > 0 ? true : null;
      });
    }

    // A person linked from two or more providers: dedup merged them across connections.
    const merged = await waitFor('a person merged across providers', 60_000, async () => {
      let cursor: string | null = null;
      for (let pages = 0; pages < 5; pages += 1) {
        const page: Page<EntityBody> = await get<Page<EntityBody>>(`/v1/entities?type=person&provider=google&limit=50${cursor ? `&cursor=${cursor}` : ''}`);
        for (const entity of page.items) {
          const detail = await get<EntityBody>(`/v1/entities/${entity.id}`);
          const providers = new Set((detail.links ?? []).filter((l) => l.tombstonedAt === null).map((l) => providerOf.get(l.connectionId)));
          if (providers.size >= 2) return { id: entity.id, providers: [...providers] };
        }
        cursor = page.nextCursor;
        if (cursor === null) break;
      }
      return null;
    });
    expect(merged.providers.length).toBeGreaterThanOrEqual(2);
  }, 180_000);

  it('stays off with TRIBUTARY_DEMO=false: no sandbox, no demo tenant, no key file', async () => {
    const other = mkdtempSync(join(tmpdir(), 'tributary-nodemo-'));
    const off = start(other, { TRIBUTARY_DEMO: 'false' });
    try {
      await waitFor('the banner', 30_000, async () => (off.stderr().includes('Stop with Ctrl-C') ? true : null));
      expect(off.stderr()).not.toContain('Demo:');
      expect(existsSync(join(other, 'demo-api-key'))).toBe(false);
      expect(existsSync(join(other, 'demo-sandbox.json'))).toBe(false);
    } finally {
      await stop(off);
      rmSync(other, { recursive: true, force: true });
    }
  }, 40_000);
});
