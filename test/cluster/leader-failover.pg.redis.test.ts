/**
 * Singleton roles in cluster mode: two `tributary start --roles scheduler,token-refresher`
 * processes on the same PostgreSQL and Redis. One leads each role (the other stands by);
 * after a SIGKILL of the leader, the survivor takes both roles over within the leader
 * lease, with higher fencing tokens. A process given other master keys, or none, refuses
 * to start: every process must open the same secrets.
 */
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { RedisLocks } from '../../src/backends/redis/locks.ts';
import type { Lease } from '../../src/ports/locks.ts';
import { runCli } from '../fixtures/cli-process.ts';
import { REDIS_URL, startCluster, until, type Cluster, type RoleProcess } from './cluster-fixture.ts';

const LEADER_LEASE_MS = 2_000;
const ROLES = ['role:scheduler', 'role:token-refresher'] as const;

let cluster: Cluster | null = null;
let redis: Redis | null = null;
afterEach(async () => {
  redis?.disconnect();
  redis = null;
  await cluster?.close();
  cluster = null;
});

const pidOf = (lease: Lease): number => Number(lease.owner.split(':').at(-2));

describe('leader election of the singleton roles (two processes, SIGKILL of the leader)', () => {
  it('runs each singleton role in one process at a time and fails over to the survivor', { timeout: 180_000 }, async () => {
    cluster = await startCluster({ sandboxSize: 20, leaderLeaseMs: LEADER_LEASE_MS });
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    const locks = new RedisLocks(redis, { keyPrefix: `${cluster.prefix}:` });
    const processes = await Promise.all([cluster.spawn('scheduler,token-refresher'), cluster.spawn('scheduler,token-refresher')]);
    const byPid = new Map<number, RoleProcess>(processes.map((p) => [p.child.pid as number, p]));

    const holders = async (): Promise<Lease[] | null> => {
      const leases = await Promise.all(ROLES.map((name) => locks.holder(name)));
      return leases.every((lease) => lease !== null) ? (leases as Lease[]) : null;
    };
    const before = await until('both roles led', holders, 30_000);
    for (const lease of before) expect(byPid.has(pidOf(lease))).toBe(true);

    // While both run, each role keeps one leader (renewed, same grant): never a second one.
    for (let n = 0; n < 8; n++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      const now = await holders();
      expect(now?.map((lease) => [lease.owner, lease.token])).toEqual(before.map((lease) => [lease.owner, lease.token]));
    }

    const leader = byPid.get(pidOf(before[0]!))!;
    const survivor = processes.find((p) => p !== leader)!;
    leader.child.kill('SIGKILL');
    await leader.exited;

    const after = await until(
      'the survivor leading both roles',
      async () => {
        const now = await holders();
        return now?.every((lease) => pidOf(lease) === survivor.child.pid) ? now : null;
      },
      // The lease lapses within LEADER_LEASE_MS; generous slack for a loaded machine.
      30_000,
    );
    after.forEach((lease, index) => {
      if (before[index]!.owner !== lease.owner) expect(lease.token).toBeGreaterThan(before[index]!.token);
    });
    expect(survivor.child.exitCode).toBeNull();
    // The database URL's password is in every process's environment and in none of their output.
    for (const p of processes) {
      expect(p.stderr()).toContain('postgres://postgres:***@');
      expect(p.stdout() + p.stderr()).not.toContain(cluster.databasePassword);
    }

    // The vault's keys are shared: a process with other keys, or none, refuses to start.
    const { TRIBUTARY_MASTER_KEY: _shared, ...withoutKey } = cluster.env;
    const [stranger, keyless] = await Promise.all([
      runCli(['start', '--roles', 'scheduler', '--no-demo'], { ...cluster.env, TRIBUTARY_MASTER_KEY: randomBytes(32).toString('base64') }, 60_000),
      runCli(['start', '--roles', 'scheduler', '--no-demo', '--data', join(tmpdir(), `trb-no-key-${randomBytes(4).toString('hex')}`)], withoutKey, 60_000),
    ]);
    expect(stranger.code, stranger.stderr).toBe(2);
    expect(stranger.stderr).toMatch(/master keys do not open the secrets already stored/);
    expect(keyless.code, keyless.stderr).toBe(2);
    expect(keyless.stderr).toMatch(/Cluster mode needs the master keys every process shares/);
    for (const output of [stranger, keyless]) expect(output.stdout + output.stderr).not.toContain(cluster.databasePassword);
  });
});
