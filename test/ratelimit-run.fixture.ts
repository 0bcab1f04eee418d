/**
 * The sandbox run behind the shared-budget tests and `npm run bench:ratelimit`: a sandbox
 * whose GitHub core limit is lowered to `limit`, and `processes` worker processes
 * (ratelimit-worker.fixture.ts) with `workersPerProcess` loops each, sharing one budget
 * through Redis. Optionally lowers the provider's limit to `lowerTo` once `lowerAfter`
 * calls were counted. Reports what the sandbox counted: calls, refusals, utilisation.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { connectRedis } from '../src/backends/redis/client.ts';
import { startSandbox } from '../sandbox/index.ts';

export interface SharedBudgetRun {
  limit: number;
  processes: number;
  workersPerProcess: number;
  redisUrl: string;
  lowerTo?: number;
  lowerAfter?: number;
  deadlineMs?: number;
}

export interface SharedBudgetResult {
  /** The provider's limit at the end of the run. */
  allowed: number;
  /** Calls the sandbox counted against the core budget. */
  used: number;
  /** 429/403 rate refusals the sandbox sent. */
  provider429s: number;
  utilisation: number;
  workers: { ok: number; refused: number; statuses: Record<string, number>; stoppedBy: string[] }[];
  elapsedMs: number;
}

const WORKER = fileURLToPath(new URL('./ratelimit-worker.fixture.ts', import.meta.url));

interface LimitsBody {
  counters: { key: string; used: number; limit: number }[];
  totalRejections: number;
}

export async function runSharedBudget(run: SharedBudgetRun): Promise<SharedBudgetResult> {
  const sandbox = await startSandbox({ size: 10 });
  const prefix = `test:rl:shared:${randomUUID()}:`;
  const redis = await connectRedis({ url: run.redisUrl });
  const children: ReturnType<typeof spawn>[] = [];
  try {
    const post = (path: string, method: string, body: unknown) =>
      fetch(`${sandbox.url}/_sandbox${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const token = ((await (await post('/tokens', 'POST', { provider: 'github' })).json()) as { accessToken: string }).accessToken;
    await post('/limits', 'PUT', { keyPrefix: 'github:core:', limit: run.limit });
    const limits = async (): Promise<LimitsBody> => (await (await fetch(`${sandbox.url}/_sandbox/limits`)).json()) as LimitsBody;

    const env = {
      ...process.env,
      SANDBOX_URL: sandbox.url, GITHUB_TOKEN: token, REDIS_URL: run.redisUrl, KEY_PREFIX: prefix,
      WORKERS: String(run.workersPerProcess), DEADLINE_MS: String(run.deadlineMs ?? 20_000), CONNECTION_ID: 'con_shared',
    };
    const ready: Promise<void>[] = [];
    const outputs = Array.from({ length: run.processes }, () => {
      const child = spawn(process.execPath, ['--import', 'tsx', WORKER], { env, stdio: ['pipe', 'pipe', 'pipe'] });
      children.push(child);
      let out = '';
      let err = '';
      let markReady: () => void = () => {};
      ready.push(new Promise<void>((resolve) => (markReady = resolve)));
      child.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.startsWith('ready\n')) markReady();
      });
      child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
      return new Promise<SharedBudgetResult['workers'][number]>((resolve, reject) => {
        child.on('exit', (code) => {
          markReady();
          if (code !== 0) reject(new Error(`worker exited with ${code}: ${err.slice(-2000)}`));
          else resolve(JSON.parse(out.trim().split('\n').pop() ?? '{}') as SharedBudgetResult['workers'][number]);
        });
      });
    });
    await Promise.all(ready);
    const started = Date.now();
    for (const child of children) child.stdin?.write('go\n');

    let lowered = run.lowerTo === undefined;
    let settled = false;
    const all = Promise.all(outputs).finally(() => (settled = true));
    while (!lowered && !settled) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      const core = (await limits()).counters.find((c) => c.key.startsWith('github:core:'));
      if ((core?.used ?? 0) >= (run.lowerAfter ?? 0)) {
        await post('/limits', 'PUT', { keyPrefix: 'github:core:', limit: run.lowerTo });
        lowered = true;
      }
    }
    const workers = await all;
    const final = await limits();
    const core = final.counters.find((c) => c.key.startsWith('github:core:'));
    const used = core?.used ?? 0;
    const allowed = core?.limit ?? run.limit;
    return { allowed, used, provider429s: final.totalRejections, utilisation: used / allowed, workers, elapsedMs: Date.now() - started };
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
    redis.disconnect();
    await sandbox.close();
  }
}
