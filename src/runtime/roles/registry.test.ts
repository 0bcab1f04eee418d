import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../logging/logger.ts';
import type { RoleContext } from './role.ts';
import type { Role } from './role.ts';
import { idleRole } from './idle-role.ts';
import { ROLES, ROLE_NAMES, startRoles } from './index.ts';
import type { RoleName } from './index.ts';

function context(lines: string[]): RoleContext {
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString());
      callback();
    },
  });
  // These roles use only the logger; the services are never touched.
  return {
    logger: createLogger({ level: 'info', destination }),
    server: { port: 0, host: '127.0.0.1' },
    tokenRefresher: { intervalMs: 60_000, windowMs: 60_000 },
    leader: { leaseMs: 15_000 }, retention: { purgeIntervalMs: 3_600_000 },
    workers: { leaseMs: null },
    roles: ['api', 'webhook-receiver', 'outbound-worker'],
    services: {} as RoleContext['services'],
  };
}

function recordingRole(name: RoleName, events: string[], failOnStart = false): Role {
  return {
    name,
    doc: name,
    async start() {
      if (failOnStart) throw new Error(`${name} cannot start`);
      events.push(`start ${name}`);
      return { name, stop: async () => void events.push(`stop ${name}`) };
    },
  };
}

describe('roles', () => {
  it('registers every role name', () => {
    expect(Object.keys(ROLES).sort()).toEqual([...ROLE_NAMES].sort());
  });

  it('starts idle roles that log and stop cleanly', async () => {
    const lines: string[] = [];
    const registry = { ...ROLES, 'outbound-worker': idleRole('outbound-worker', 'idle', 'a later feature') };
    // Beside the api role (in `roles`), the webhook receiver leaves the intake to the API's server.
    const running = await startRoles(['webhook-receiver', 'outbound-worker'], context(lines), registry);
    expect(running.url).toBeNull();
    await running.stop();
    const text = lines.join('');
    expect(text).toContain('webhook-receiver role started; the api role serves the intake in this process');
    expect(text).toContain('outbound-worker role started; idle until a later feature lands');
    expect(text).toContain('outbound-worker role stopped');
  });

  it('stops roles in reverse order, and stops the started ones when a later one fails to start', async () => {
    const events: string[] = [];
    const registry = {
      ...ROLES,
      api: recordingRole('api', events),
      scheduler: recordingRole('scheduler', events),
      'inbound-worker': recordingRole('inbound-worker', events, true),
    };
    await expect(startRoles(['api', 'scheduler', 'inbound-worker'], context([]), registry)).rejects.toThrow('inbound-worker cannot start');
    expect(events).toEqual(['start api', 'start scheduler', 'stop scheduler', 'stop api']);
  });
});
