import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../memory/clock.ts';
import { loadOrCreateKeyring, MASTER_KEY_ENV, parseMasterKeyEnv } from './master-keyring.ts';

const run = promisify(execFile);
const PROJECT_ROOT = new URL('../../../', import.meta.url).pathname;
const KEYRING_MODULE = new URL('./master-keyring.ts', import.meta.url).href;

let dir: string;
let file: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tributary-keyring-'));
  file = join(dir, 'data', 'master.key');
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const fingerprint = (key: Buffer): string => createHash('sha256').update(key).digest('hex');
const b64 = (bytes: number): string => randomBytes(bytes).toString('base64');

async function caught(promiseOrFn: Promise<unknown> | (() => unknown)): Promise<Error & { code?: string; field?: string }> {
  try {
    await (typeof promiseOrFn === 'function' ? promiseOrFn() : promiseOrFn);
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected a failure');
}

describe('file-backed master keyring', () => {
  it('creates a 0600 key file with one version in a new 0700 directory', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 2));
    const keyring = await loadOrCreateKeyring({ file, clock });
    expect(keyring.source).toBe('file');
    expect(keyring.current.version).toBe(1);
    expect(keyring.current.key.length).toBe(32);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'data')).mode & 0o777).toBe(0o700);
    const doc = JSON.parse(readFileSync(file, 'utf8')) as { format: number; keys: { version: number; key: string; createdAt: string }[] };
    expect(doc.format).toBe(1);
    expect(doc.keys).toEqual([{ version: 1, key: keyring.current.key.toString('base64'), createdAt: '2026-01-02T00:00:00.000Z' }]);
    expect(readdirSync(join(dir, 'data'))).toEqual(['master.key']);
  });

  it('reads the same key on the next start', async () => {
    const first = await loadOrCreateKeyring({ file });
    const second = await loadOrCreateKeyring({ file });
    expect(second.current.key.equals(first.current.key)).toBe(true);
  });

  it('rotates to a new current version, keeps the old ones, and saves atomically', async () => {
    const keyring = await loadOrCreateKeyring({ file });
    const v1 = keyring.current;
    const v2 = await keyring.rotate();
    expect(v2.version).toBe(2);
    expect(keyring.current).toEqual(v2);
    expect(keyring.get(1)?.key.equals(v1.key)).toBe(true);
    expect(v2.key.equals(v1.key)).toBe(false);
    expect(keyring.versions()).toEqual([1, 2]);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(dir, 'data'))).toEqual(['master.key']);
    const reopened = await loadOrCreateKeyring({ file });
    expect(reopened.versions()).toEqual([1, 2]);
    expect(reopened.current.key.equals(v2.key)).toBe(true);
  });

  it('picks up a rotation made by another instance on reload', async () => {
    const ours = await loadOrCreateKeyring({ file });
    const theirs = await loadOrCreateKeyring({ file });
    const rotated = await theirs.rotate();
    expect(ours.get(2)).toBeUndefined();
    await ours.reload();
    expect(ours.current.version).toBe(2);
    expect(ours.get(2)?.key.equals(rotated.key)).toBe(true);
  });

  it('loses no version when two instances rotate at once', async () => {
    const a = await loadOrCreateKeyring({ file });
    const b = await loadOrCreateKeyring({ file });
    const [ra, rb] = await Promise.all([a.rotate(), b.rotate()]);
    expect([ra.version, rb.version].sort()).toEqual([2, 3]);
    const reopened = await loadOrCreateKeyring({ file });
    expect(reopened.versions()).toEqual([1, 2, 3]);
    expect(reopened.get(ra.version)?.key.equals(ra.key)).toBe(true);
    expect(reopened.get(rb.version)?.key.equals(rb.key)).toBe(true);
  });

  it('waits for a rotation lock held by another process, and gives up with CONFLICT', async () => {
    const keyring = await loadOrCreateKeyring({ file, lockTimeoutMs: 100 });
    writeFileSync(`${file}.lock`, '4242\n');
    const error = await caught(keyring.rotate());
    expect(error.code).toBe('CONFLICT');
    expect(keyring.versions()).toEqual([1]);
  });

  it('breaks a rotation lock left behind by a process that died', async () => {
    const keyring = await loadOrCreateKeyring({ file, lockTimeoutMs: 100 });
    writeFileSync(`${file}.lock`, '4242\n');
    const longAgo = new Date(Date.now() - 60_000);
    utimesSync(`${file}.lock`, longAgo, longAgo);
    expect((await keyring.rotate()).version).toBe(2);
    expect(existsSync(`${file}.lock`)).toBe(false);
  });

  it('ends with one key when several loads race to create the file', async () => {
    // Starts spread over a few ms, so that some loads finish while others still create.
    const delayed = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
    const keyrings = await Promise.all(Array.from({ length: 16 }, (_, i) => delayed(i % 8).then(() => loadOrCreateKeyring({ file }))));
    const onDisk = await loadOrCreateKeyring({ file });
    expect(new Set(keyrings.map((k) => fingerprint(k.current.key)))).toEqual(new Set([fingerprint(onDisk.current.key)]));
    expect(readdirSync(join(dir, 'data'))).toEqual(['master.key']);
  });

  it('ends with one key when separate processes race to create the file', async () => {
    const go = join(dir, 'go');
    const script = join(dir, 'child.mjs');
    writeFileSync(
      script,
      `import { existsSync, writeFileSync } from 'node:fs';
       import { createHash } from 'node:crypto';
       const { loadOrCreateKeyring } = await import(${JSON.stringify(KEYRING_MODULE)});
       writeFileSync(${JSON.stringify(dir)} + '/ready-' + process.argv[2], '');
       while (!existsSync(${JSON.stringify(go)})) await new Promise((r) => setTimeout(r, 5));
       const keyring = await loadOrCreateKeyring({ file: ${JSON.stringify(file)} });
       process.stdout.write(createHash('sha256').update(keyring.current.key).digest('hex'));`,
    );
    const children = [1, 2, 3].map((k) => run(process.execPath, ['--import', 'tsx', script, String(k)], { cwd: PROJECT_ROOT, timeout: 30_000 }));
    const finished = Promise.all(children);
    finished.catch(() => undefined); // a child that crashes early is reported below, not as unhandled
    const deadline = Date.now() + 30_000;
    while (readdirSync(dir).filter((f) => f.startsWith('ready-')).length < 3 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    writeFileSync(go, '');
    const outputs = await finished;
    const prints = new Set(outputs.map((o) => o.stdout.trim()));
    expect(prints.size).toBe(1);
    const keyring = await loadOrCreateKeyring({ file });
    expect(prints.has(fingerprint(keyring.current.key))).toBe(true);
  });

  it('refuses a key file that group or others can read, and leaves it as it was', async () => {
    await loadOrCreateKeyring({ file });
    chmodSync(file, 0o644);
    const before = readFileSync(file, 'utf8');
    const error = await caught(loadOrCreateKeyring({ file }));
    expect(error.code).toBe('MASTER_KEY_INVALID');
    expect(error.message).toContain(file);
    expect(error.message).toContain('chmod 600');
    expect(error.message).toContain('0644');
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(statSync(file).mode & 0o777).toBe(0o644);
  });

  it('refuses a corrupt key file instead of replacing it', async () => {
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(dir, 'data'));
    const secretish = 'not-json-but-maybe-a-key';
    writeFileSync(file, secretish, { mode: 0o600 });
    const error = await caught(loadOrCreateKeyring({ file }));
    expect(error.code).toBe('MASTER_KEY_INVALID');
    expect(error.message).not.toContain(secretish);
    expect(readFileSync(file, 'utf8')).toBe(secretish);

    const shortKey = b64(16);
    writeFileSync(file, JSON.stringify({ format: 1, keys: [{ version: 1, key: shortKey, createdAt: '' }] }));
    const short = await caught(loadOrCreateKeyring({ file }));
    expect(short.code).toBe('MASTER_KEY_INVALID');
    expect(short.message).toMatch(/version 1 is not base64 of exactly 32 bytes/);
    expect(short.message).not.toContain(shortKey);
  });
});

describe('env-backed master keyring (TRIBUTARY_MASTER_KEY)', () => {
  it('takes a single base64 key as version 1 and never touches the file', async () => {
    const key = randomBytes(32);
    const keyring = await loadOrCreateKeyring({ file, envValue: key.toString('base64') });
    expect(keyring.source).toBe('env');
    expect(keyring.current.version).toBe(1);
    expect(keyring.current.key.equals(key)).toBe(true);
    expect(existsSync(join(dir, 'data'))).toBe(false);
  });

  it('takes a versioned list, the highest version current, in any order', async () => {
    const k2 = randomBytes(32);
    const k3 = randomBytes(32);
    const keyring = await loadOrCreateKeyring({ file, envValue: ` 2:${k2.toString('base64')} , 3:${k3.toString('base64url')}` });
    expect(keyring.versions()).toEqual([2, 3]);
    expect(keyring.current.version).toBe(3);
    expect(keyring.current.key.equals(k3)).toBe(true);
    expect(keyring.get(2)?.key.equals(k2)).toBe(true);
  });

  it('uses the file when the variable is empty', async () => {
    const keyring = await loadOrCreateKeyring({ file, envValue: '  ' });
    expect(keyring.source).toBe('file');
    expect(existsSync(file)).toBe(true);
  });

  it.each([
    ['a short password', 'hunter2-is-my-password'],
    ['31 bytes', b64(31)],
    ['33 bytes', b64(33)],
    ['hex instead of base64', randomBytes(32).toString('hex')],
    ['version 0', `0:${b64(32)}`],
    ['a version that is not a number', `two:${b64(32)}`],
    ['a repeated version', `2:${b64(32)},2:${b64(32)}`],
    ['one bad entry among good ones', `3:${b64(32)},2:${b64(20)}`],
    ['a trailing comma', `1:${b64(32)},`],
  ])('rejects %s with a clear error that does not echo the value', async (_case, value) => {
    const error = await caught(loadOrCreateKeyring({ file, envValue: value }));
    expect(error.code).toBe('MASTER_KEY_INVALID');
    expect(error.field).toBe(MASTER_KEY_ENV);
    expect(error.message).toContain(MASTER_KEY_ENV);
    expect(error.message).toContain('exactly 32 random bytes');
    for (const part of value.split(/[,:]/).filter((p) => p.length > 3)) expect(error.message).not.toContain(part);
    expect(existsSync(file)).toBe(false);
  });

  it('parses without the file system too (for config validation)', () => {
    expect(parseMasterKeyEnv(`1:${b64(32)},5:${b64(32)}`).map((k) => k.version)).toEqual([1, 5]);
  });

  it('cannot rotate, and says how to add a version instead', async () => {
    const keyring = await loadOrCreateKeyring({ file, envValue: `1:${b64(32)}` });
    const error = await caught(keyring.rotate());
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.field).toBe(MASTER_KEY_ENV);
    expect(error.message).toContain('`2:<new base64>,1:<old base64>`');
    await keyring.reload();
    expect(keyring.versions()).toEqual([1]);
  });
});
