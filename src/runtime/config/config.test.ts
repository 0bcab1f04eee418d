import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TributaryError } from '../../domain/errors.ts';
import { CONFIG_KEYS, loadConfig, resolveConfig, Secret } from './index.ts';
import type { ConfigSources } from './index.ts';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tributary-config-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function failure(sources: ConfigSources): TributaryError {
  try {
    loadConfig({ cwd: dir, ...sources });
  } catch (error) {
    if (error instanceof TributaryError) return error;
    throw error;
  }
  throw new Error('expected the configuration to be rejected');
}

describe('configuration', () => {
  it('defaults to every role on 127.0.0.1:3000 with ./data', () => {
    const config = loadConfig({ env: {}, cwd: dir });
    expect(config.server).toEqual({ port: 3000, host: '127.0.0.1' });
    expect(config.dataDir).toBe(join(dir, 'data'));
    expect(config.store).toEqual({ kind: 'sqlite', path: join(dir, 'data', 'tributary.db'), display: join(dir, 'data', 'tributary.db') });
    expect(config.redis).toBeNull();
    expect(config.vault).toEqual({ masterKey: null, masterKeyFile: join(dir, 'data', 'master.key'), createFile: true });
    expect(config.roles).toEqual(['api', 'scheduler', 'token-refresher', 'inbound-worker', 'outbound-worker', 'webhook-receiver', 'notifier']);
    expect(config.demo).toBe(true);
    expect(config.log.level).toBe('info');
  });

  it('layers the config file < env vars < flags', () => {
    writeFileSync(join(dir, 'tributary.json'), JSON.stringify({ port: 4000, host: '0.0.0.0', logLevel: 'debug', roles: 'api,scheduler' }));
    const config = loadConfig({
      cwd: dir,
      env: { TRIBUTARY_CONFIG: 'tributary.json', TRIBUTARY_PORT: '5000', TRIBUTARY_LOG_LEVEL: 'warn', TRIBUTARY_DEMO: 'false' },
      flags: { port: '6000', demo: true },
    });
    expect(config.server).toEqual({ port: 6000, host: '0.0.0.0' });
    expect(config.log.level).toBe('warn');
    expect(config.roles).toEqual(['api', 'scheduler']);
    expect(config.demo).toBe(true);
  });

  it('treats an empty env var as unset', () => {
    expect(loadConfig({ cwd: dir, env: { TRIBUTARY_PORT: '' } }).server.port).toBe(3000);
  });

  it('rejects a bad value with one line naming the key as written, the problem and what is expected', () => {
    expect(failure({ env: { TRIBUTARY_PORT: 'abc' } }).message).toBe(
      'Invalid configuration: TRIBUTARY_PORT must be an integer from 0 to 65535 (got "abc")',
    );
    expect(failure({ env: {}, flags: { port: '70000' } }).message).toBe(
      'Invalid configuration: --port must be an integer from 0 to 65535 (got 70000)',
    );
    expect(failure({ env: { TRIBUTARY_DEMO: 'maybe' } }).field).toBe('TRIBUTARY_DEMO');
    const error = failure({ env: { TRIBUTARY_ROLES: 'api,sheduler' } });
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toMatch(/^Invalid configuration: TRIBUTARY_ROLES names an unknown role "sheduler" \(expected .*scheduler.*\)$/);
    expect(failure({ env: {}, flags: { roles: 'api,api' } }).message).toContain('--roles must be');
  });

  it('names the file and key for a bad value in the config file, and rejects unknown keys', () => {
    writeFileSync(join(dir, 'a.json'), JSON.stringify({ port: 'x' }));
    expect(failure({ env: {}, flags: { config: 'a.json' } }).message).toBe(
      'Invalid configuration: port in a.json must be an integer from 0 to 65535 (got "x")',
    );
    writeFileSync(join(dir, 'b.json'), JSON.stringify({ prot: 1 }));
    expect(failure({ env: { TRIBUTARY_CONFIG: 'b.json' } }).message).toMatch(/"prot" is not a configuration key/);
    expect(failure({ env: { TRIBUTARY_CONFIG: 'missing.json' } }).message).toMatch(
      /^Invalid configuration: TRIBUTARY_CONFIG names a config file that cannot be read \(ENOENT/,
    );
  });

  it('never prints a secret value, not even an invalid one', () => {
    const short = 'tiny-secret';
    const error = failure({ env: { TRIBUTARY_ADMIN_KEY: short } });
    expect(error.message).toBe(
      'Invalid configuration: TRIBUTARY_ADMIN_KEY must be at least 16 characters without spaces (the value is secret and not shown)',
    );
    const url = 'postgres://user:pa55word@db:5432/tributary';
    const cluster = failure({ env: { TRIBUTARY_DATABASE_URL: url } });
    expect(cluster.message).toMatch(/TRIBUTARY_DATABASE_URL is set but TRIBUTARY_REDIS_URL is not \(expected both/);
    expect(cluster.message).not.toContain('pa55word');
    expect(failure({ env: { TRIBUTARY_REDIS_URL: 'http://nope' } }).message).not.toContain('nope');

    const config = loadConfig({ cwd: dir, env: { TRIBUTARY_ADMIN_KEY: 'a-long-enough-admin-key', TRIBUTARY_MASTER_KEY: 'master-value' } });
    const printed = [JSON.stringify(config), inspect(config, { depth: 10 }), String(config.auth.adminKey)].join('\n');
    expect(printed).not.toContain('a-long-enough-admin-key');
    expect(printed).not.toContain('master-value');
    expect(config.auth.adminKey?.reveal()).toBe('a-long-enough-admin-key');
  });

  it('chooses cluster mode from the database and Redis URLs, printing them without their passwords', () => {
    const env = {
      TRIBUTARY_DATABASE_URL: 'postgres://app:db-pa55@db.internal:5432/tributary',
      TRIBUTARY_DATABASE_SCHEMA: 'trb_prod',
      TRIBUTARY_REDIS_URL: 'redis://:redis-pa55@cache:6379/2',
      TRIBUTARY_REDIS_PREFIX: 'trb-prod',
      TRIBUTARY_LEADER_LEASE_MS: '4000',
      TRIBUTARY_WORKER_LEASE_MS: '9000',
    };
    const config = loadConfig({ cwd: dir, env });
    expect(config.store).toMatchObject({ kind: 'postgres', schema: 'trb_prod', display: 'postgres://app:***@db.internal:5432/tributary (schema trb_prod)' });
    expect(config.store.kind === 'postgres' && config.store.url.reveal()).toBe(env.TRIBUTARY_DATABASE_URL);
    expect(config.redis).toMatchObject({ prefix: 'trb-prod', display: 'redis://:***@cache:6379/2' });
    expect(config.redis?.url.reveal()).toBe(env.TRIBUTARY_REDIS_URL);
    // Every process of a cluster must read the same keys: none generates its own key file.
    expect(config.vault.createFile).toBe(false);
    expect(config.leader.leaseMs).toBe(4000);
    expect(config.workers.leaseMs).toBe(9000);
    const printed = [JSON.stringify(config), inspect(config, { depth: 10 })].join('\n');
    expect(printed).not.toContain('db-pa55');
    expect(printed).not.toContain('redis-pa55');
    // Redis alone: SQLite stays the store, the queue, locks and counters move to Redis.
    const redisOnly = loadConfig({ cwd: dir, env: { TRIBUTARY_REDIS_URL: 'redis://127.0.0.1:6379' } });
    expect(redisOnly.store.kind).toBe('sqlite');
    expect(redisOnly.redis?.prefix).toBe('tributary');
    expect(redisOnly.vault.createFile).toBe(true);
    expect(failure({ env: { TRIBUTARY_REDIS_PREFIX: 'has:colon' } }).message).toMatch(/TRIBUTARY_REDIS_PREFIX must be letters, digits/);
  });

  it('reads OAuth clients as JSON, keeps their secrets wrapped, and derives the public URL', () => {
    const clients = JSON.stringify({ github: { clientId: 'Iv1.abc', clientSecret: 'gh-client-secret-value' } });
    const config = loadConfig({ cwd: dir, env: { TRIBUTARY_OAUTH_CLIENTS: clients, TRIBUTARY_HOST: '0.0.0.0', TRIBUTARY_PORT: '8080' } });
    expect(config.connections.publicUrl).toBe('http://127.0.0.1:8080');
    expect(config.connections.allowPrivateEgress).toBe(false);
    expect(config.connections.oauthClients.github?.clientId).toBe('Iv1.abc');
    expect(config.connections.oauthClients.github?.clientSecret.reveal()).toBe('gh-client-secret-value');
    expect(JSON.stringify(config)).not.toContain('gh-client-secret-value');
    expect(config.tokenRefresher).toEqual({ intervalMs: 21_600_000, windowMs: 3_600_000 });

    const broken = failure({ env: { TRIBUTARY_OAUTH_CLIENTS: '{"gitlab": {"clientId": "x", "clientSecret": "leaky-value"}}' } });
    expect(broken.message).toMatch(/^Invalid configuration: TRIBUTARY_OAUTH_CLIENTS must be a JSON object mapping providers/);
    expect(broken.message).not.toContain('leaky-value');
    expect(failure({ env: { TRIBUTARY_OAUTH_CLIENTS: '{not json leaky-value' } }).message).not.toContain('leaky-value');
  });

  it('is deeply frozen', () => {
    const config = resolveConfig({ roles: ['api'] }, { cwd: dir });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.server)).toBe(true);
    expect(Object.isFrozen(config.roles)).toBe(true);
    expect(() => (config.roles as string[]).push('scheduler')).toThrow();
  });

  it('validates programmatic options too, naming the option', () => {
    expect(() => resolveConfig({ port: -1 })).toThrow('Invalid configuration: port must be an integer from 0 to 65535 (got -1)');
  });
});

describe('Secret', () => {
  it('compares in constant time by hash and reveals only on request', () => {
    const secret = new Secret('value-1');
    expect(secret.equals('value-1')).toBe(true);
    expect(secret.equals('value-2')).toBe(false);
    expect(secret.equals('')).toBe(false);
    expect(`${secret}`).toBe('[redacted]');
  });
});

describe('the README', () => {
  it('documents every configuration key with its env var, flag and file key', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    for (const key of CONFIG_KEYS) {
      expect(readme, key.env).toContain(`| \`${key.env}\` | ${key.flag === null ? '–' : `\`${key.flag}\``} | \`${key.name}\` |`);
    }
  });
});
