import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectRedis } from '../../backends/redis/client.ts';
import { deleteKeysWithPrefix } from '../../backends/redis/job-queue-keys.ts';
import { RedisLocks } from '../../backends/redis/locks.ts';
import { silentLogger as quiet } from '../../backends/job-options.ts';
import { LeaderElection } from './leader-election.ts';

const REDIS_URL = process.env.TRIBUTARY_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const clock = { now: () => Date.now() };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let redis: Redis;
let prefix: string;
let locks: RedisLocks;
const elections: LeaderElection[] = [];

function candidate(owner: string, leaseMs = 900): LeaderElection {
  const election = new LeaderElection({ locks, name: 'role:test', clock, logger: quiet, leaseMs, owner });
  elections.push(election);
  return election;
}

beforeEach(async () => {
  prefix = `test:leader:${randomUUID()}:`;
  redis = await connectRedis({ url: REDIS_URL });
  locks = new RedisLocks(redis, { keyPrefix: prefix });
});

afterEach(async () => {
  for (const election of elections.splice(0)) await election.stop();
  await deleteKeysWithPrefix(redis, prefix);
  redis.disconnect();
});

describe('LeaderElection on Redis locks', () => {
  it('elects one leader, keeps it by renewal past the lease, and hands over with a higher fencing token when it stops', async () => {
    const a = candidate('process-a').start();
    const first = await a.ensure();
    expect(first).not.toBeNull();
    const b = candidate('process-b').start();
    expect(await b.ensure()).toBeNull();

    // Three lease lengths later the leader still leads, on the same grant (renewals keep the token).
    await sleep(2_700);
    expect(a.isLeader()).toBe(true);
    expect(a.fencingToken()).toBe(first!.token);
    expect(b.isLeader()).toBe(false);
    expect((await locks.holder('role:test'))?.owner).toBe('process-a');

    await a.stop();
    const taken = await b.ensure();
    expect(taken?.owner).toBe('process-b');
    expect(taken!.token).toBeGreaterThan(first!.token);
    expect(a.isLeader()).toBe(false);
  });

  it('takes over from a leader that stopped renewing (died) once its lease lapses', async () => {
    const dead = new LeaderElection({ locks, name: 'role:test', clock, logger: quiet, leaseMs: 900, owner: 'dead' });
    const held = await dead.ensure(); // never started: no renewals, as after a SIGKILL
    expect(held).not.toBeNull();
    const heir = candidate('heir').start();
    expect(heir.isLeader()).toBe(false);
    const started = Date.now();
    while (!heir.isLeader()) {
      if (Date.now() - started > 3_000) throw new Error('no takeover within 3 s');
      await sleep(50);
    }
    expect(Date.now() - started).toBeGreaterThanOrEqual(500);
    expect(heir.fencingToken()).toBeGreaterThan(held!.token);
  });

  it('steps down when its renewal is refused because another process holds the lease', async () => {
    const paused = candidate('paused');
    const held = await paused.ensure();
    expect(paused.isLeader()).toBe(true);
    // Another process took the name meanwhile (the paused leader's lease lapsed while it slept).
    await locks.release(held!);
    const usurper = await locks.acquire('role:test', 'usurper', 60_000);
    expect(usurper).not.toBeNull();
    paused.start(); // its next round (a third of the lease later) renews, and is refused
    await sleep(600);
    await expect(paused.ensure()).resolves.toBeNull();
    expect(paused.isLeader()).toBe(false);
    expect(paused.fencingToken()).toBeNull();
  });
});
