import { randomBytes } from 'node:crypto';
import { link, mkdir, open, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { KEY_BYTES } from '../../credentials/index.ts';
import type { MasterKey, MasterKeyring } from '../../credentials/index.ts';
import { TributaryError } from '../../domain/errors.ts';
import type { Clock } from '../../ports/clock.ts';
import type { Logger } from '../../ports/logger.ts';
import { systemClock } from '../memory/clock.ts';

/** The environment variable the runtime reads the master keys from (named in errors). */
export const MASTER_KEY_ENV = 'TRIBUTARY_MASTER_KEY';
/** The key file's format version (its `format` field). */
export const KEY_FILE_FORMAT = 1;

const MAX_VERSION = 0xffff_ffff;
const BASE64_32_BYTES = /^[A-Za-z0-9+/_-]{43}=?$/;
const EXPECTED =
  `expected base64 of exactly ${KEY_BYTES} random bytes (generate one with \`openssl rand -base64 32\`), ` +
  'or a comma-separated list of <version>:<base64> entries for rotation, such as `2:<base64>,1:<base64>` (the highest version is current)';

export interface KeyringOptions {
  /** The key file used when `envValue` is not set, e.g. `./data/master.key`. */
  file: string;
  /** The value of TRIBUTARY_MASTER_KEY as the runtime read it; empty or absent means "use the file". */
  envValue?: string | undefined;
  logger?: Logger | undefined;
  /** Stamps `createdAt` of new key versions. */
  clock?: Clock | undefined;
  /** How long `rotate` waits for another process's rotation before giving up (default 10 s). */
  lockTimeoutMs?: number | undefined;
}

/** A master keyring as the local vault uses it: read keys, and for file-backed keyrings, rotate them. */
export interface LocalKeyring extends MasterKeyring {
  /** Where the keys come from: the environment variable or the key file. */
  readonly source: 'env' | 'file';
  /** Every known version, ascending. */
  versions(): number[];
  /**
   * Adds a new random key version, makes it current and saves the file atomically
   * (serialised across processes by a lock file next to it). Env-backed keyrings
   * cannot rotate: CONFIG_INVALID tells the operator how to add a version instead.
   */
  rotate(): Promise<MasterKey>;
  /** Re-reads the key file, picking up a rotation made by another process. No-op when env-backed. */
  reload(): Promise<void>;
}

/**
 * Loads the master keys: from `envValue` (TRIBUTARY_MASTER_KEY) when set, the file
 * being ignored; otherwise from the key file, which is created with one random key
 * when absent.
 *
 * The key file is JSON, mode 0600, in a directory created 0700 if missing. It is
 * written to a temp file and moved into place, never edited in place; creation uses a
 * hard link, which fails if the file exists, so processes starting at once end with ONE
 * key (the losers read the winner's). A key file readable or writable by group or
 * others is REFUSED (MASTER_KEY_INVALID, with the chmod to run), not silently fixed:
 * such a key may already have leaked, and the operator should know and rotate it.
 * Errors name the variable or file and what is expected, never a key.
 */
export async function loadOrCreateKeyring(options: KeyringOptions): Promise<LocalKeyring> {
  if (options.envValue !== undefined && options.envValue.trim() !== '') {
    return new EnvKeyring(parseMasterKeyEnv(options.envValue));
  }
  const keyring = new FileKeyring(options);
  await keyring.loadOrCreate();
  return keyring;
}

/**
 * Parses a TRIBUTARY_MASTER_KEY value: one base64 key (version 1), or `3:<b64>,2:<b64>`.
 * Throws MASTER_KEY_INVALID naming the variable and what is expected, never the value.
 */
export function parseMasterKeyEnv(value: string): MasterKey[] {
  const entries = value.split(',').map((entry) => entry.trim());
  const single = entries.length === 1 && !entries[0]?.includes(':');
  const keys: MasterKey[] = [];
  entries.forEach((entry, index) => {
    const where = single ? 'the value' : `entry ${index + 1} of ${entries.length}`;
    const match = single ? ['', '1', entry] : /^(\d{1,10}):(.*)$/.exec(entry);
    const version = Number(match?.[1]);
    if (!match || !Number.isInteger(version) || version < 1 || version > MAX_VERSION) {
      throw envInvalid(`${where} does not start with a version number from 1 to ${MAX_VERSION} followed by ':'`);
    }
    const key = decodeKey(match[2] ?? '');
    if (key === null) throw envInvalid(`${where} is not base64 of exactly ${KEY_BYTES} bytes`);
    if (keys.some((k) => k.version === version)) throw envInvalid(`version ${version} appears more than once`);
    keys.push({ version, key });
  });
  return keys;
}

abstract class KeyringBase implements LocalKeyring {
  abstract readonly source: 'env' | 'file';
  protected keys = new Map<number, MasterKey>();

  get current(): MasterKey {
    const newest = this.keys.get(Math.max(...this.keys.keys()));
    if (newest === undefined) throw new TributaryError('MASTER_KEY_INVALID', 'The master keyring is empty');
    return newest;
  }

  get(version: number): MasterKey | undefined {
    return this.keys.get(version);
  }

  versions(): number[] {
    return [...this.keys.keys()].sort((a, b) => a - b);
  }

  abstract rotate(): Promise<MasterKey>;
  abstract reload(): Promise<void>;
}

class EnvKeyring extends KeyringBase {
  readonly source = 'env';

  constructor(keys: MasterKey[]) {
    super();
    this.keys = new Map(keys.map((k) => [k.version, k]));
  }

  rotate(): Promise<MasterKey> {
    const next = this.current.version + 1;
    return Promise.reject(
      new TributaryError(
        'CONFIG_INVALID',
        `The master keys come from ${MASTER_KEY_ENV}, so Tributary cannot rotate them itself. Put a new version in front ` +
          `of the old ones (\`${next}:<new base64>,${this.versions().reverse().join(':<old base64>,')}:<old base64>\`), ` +
          'restart every process, then run the rotation again to re-wrap the secrets under it.',
        { field: MASTER_KEY_ENV },
      ),
    );
  }

  reload(): Promise<void> {
    return Promise.resolve();
  }
}

interface KeyFileEntry {
  version: number;
  key: string;
  createdAt: string;
}

class FileKeyring extends KeyringBase {
  readonly source = 'file';
  readonly #file: string;
  readonly #logger: Logger | undefined;
  readonly #clock: Clock;
  readonly #lockTimeoutMs: number;
  #entries: KeyFileEntry[] = [];

  constructor(options: KeyringOptions) {
    super();
    this.#file = options.file;
    this.#logger = options.logger;
    this.#clock = options.clock ?? systemClock;
    this.#lockTimeoutMs = options.lockTimeoutMs ?? 10_000;
  }

  async loadOrCreate(): Promise<void> {
    if (await this.#tryRead()) return;
    await mkdir(dirname(this.#file), { recursive: true, mode: 0o700 });
    const tmp = await this.#writeTemp([this.#newEntry(1)]);
    try {
      await link(tmp, this.#file);
      await syncDir(dirname(this.#file));
      this.#logger?.info({ file: this.#file, keyVersion: 1 }, 'created a new master key file');
    } catch (error) {
      if (!hasCode(error, 'EEXIST')) throw fileError(this.#file, 'cannot be created', error);
      // Another process created it first: use its key, not ours.
    } finally {
      await unlink(tmp).catch(() => undefined);
    }
    if (!(await this.#tryRead())) throw fileError(this.#file, 'vanished right after it was created');
  }

  async reload(): Promise<void> {
    if (!(await this.#tryRead())) throw fileError(this.#file, 'does not exist any more');
  }

  async rotate(): Promise<MasterKey> {
    const release = await this.#lock();
    try {
      await this.reload();
      const entry = this.#newEntry(this.current.version + 1);
      const tmp = await this.#writeTemp([...this.#entries, entry]);
      try {
        await rename(tmp, this.#file);
      } catch (error) {
        await unlink(tmp).catch(() => undefined);
        throw fileError(this.#file, 'cannot be replaced', error);
      }
      await syncDir(dirname(this.#file));
      await this.reload();
      this.#logger?.info({ file: this.#file, keyVersion: entry.version }, 'rotated the master key');
      return this.current;
    } finally {
      await release();
    }
  }

  #newEntry(version: number): KeyFileEntry {
    return { version, key: randomBytes(KEY_BYTES).toString('base64'), createdAt: new Date(this.#clock.now()).toISOString() };
  }

  /** Reads and validates the file; false when it does not exist. */
  async #tryRead(): Promise<boolean> {
    let text: string;
    try {
      const handle = await open(this.#file, 'r');
      try {
        const info = await handle.stat();
        if (!info.isFile()) throw fileError(this.#file, 'is not a regular file');
        if (process.platform !== 'win32' && (info.mode & 0o077) !== 0) {
          throw fileError(
            this.#file,
            `is accessible to group or others (mode ${(info.mode & 0o777).toString(8).padStart(4, '0')}); Tributary refuses to use it. ` +
              `Restrict it with \`chmod 600 ${this.#file}\`, and since the key may have been read, rotate it`,
          );
        }
        text = await handle.readFile('utf8');
      } finally {
        await handle.close();
      }
    } catch (error) {
      if (hasCode(error, 'ENOENT')) return false;
      if (error instanceof TributaryError) throw error;
      throw fileError(this.#file, 'cannot be read', error);
    }
    const entries = parseKeyFile(text, this.#file);
    this.#entries = entries;
    this.keys = new Map(entries.map((e) => [e.version, { version: e.version, key: Buffer.from(e.key, 'base64') }]));
    return true;
  }

  /** Writes the key file's content to a fresh 0600 temp file beside it, synced to disk. */
  async #writeTemp(entries: KeyFileEntry[]): Promise<string> {
    const tmp = `${this.#file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    const handle = await open(tmp, 'wx', 0o600);
    try {
      await handle.writeFile(`${JSON.stringify({ format: KEY_FILE_FORMAT, keys: entries }, null, 2)}\n`, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    return tmp;
  }

  /**
   * Serialises rotations across processes with an O_EXCL lock file. A lock file older
   * than 30 s belongs to a process that died mid-rotation (a rotation takes
   * milliseconds) and is broken. File mtimes are wall-clock, hence Date.now here.
   */
  async #lock(): Promise<() => Promise<void>> {
    const lockFile = `${this.#file}.lock`;
    const deadline = Date.now() + this.#lockTimeoutMs;
    for (;;) {
      try {
        const handle = await open(lockFile, 'wx', 0o600);
        await handle.writeFile(`${process.pid}\n`);
        await handle.close();
        return () => unlink(lockFile).catch(() => undefined);
      } catch (error) {
        if (!hasCode(error, 'EEXIST')) throw fileError(lockFile, 'cannot be created', error);
      }
      const held = await stat(lockFile).catch(() => null);
      if (held !== null && Date.now() - held.mtimeMs > 30_000) {
        await unlink(lockFile).catch(() => undefined);
        continue;
      }
      if (Date.now() > deadline) {
        throw new TributaryError('CONFLICT', `Another process is rotating the master key (lock file ${basename(lockFile)}); try again`);
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

function parseKeyFile(text: string, file: string): KeyFileEntry[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw fileError(file, 'is not valid JSON (expected {"format":1,"keys":[{"version","key","createdAt"}]})');
  }
  const doc = parsed as { format?: unknown; keys?: unknown };
  if (typeof doc !== 'object' || doc === null || doc.format !== KEY_FILE_FORMAT || !Array.isArray(doc.keys) || doc.keys.length === 0) {
    throw fileError(file, `is not a format ${KEY_FILE_FORMAT} key file with at least one key`);
  }
  const seen = new Set<number>();
  return doc.keys.map((raw: unknown, index: number) => {
    const entry = raw as Partial<KeyFileEntry> | null;
    const version = entry?.version;
    if (typeof version !== 'number' || !Number.isInteger(version) || version < 1 || version > MAX_VERSION || seen.has(version)) {
      throw fileError(file, `key ${index + 1} has a missing, invalid or repeated version`);
    }
    seen.add(version);
    if (typeof entry?.key !== 'string' || decodeKey(entry.key) === null) {
      throw fileError(file, `key version ${version} is not base64 of exactly ${KEY_BYTES} bytes`);
    }
    return { version, key: entry.key, createdAt: typeof entry.createdAt === 'string' ? entry.createdAt : '' };
  });
}

function decodeKey(text: string): Buffer | null {
  if (!BASE64_32_BYTES.test(text)) return null;
  const key = Buffer.from(text, 'base64');
  return key.length === KEY_BYTES ? key : null;
}

function envInvalid(problem: string): TributaryError {
  return new TributaryError('MASTER_KEY_INVALID', `${MASTER_KEY_ENV} is not a valid master key: ${problem}; ${EXPECTED}.`, {
    field: MASTER_KEY_ENV,
  });
}

function fileError(file: string, problem: string, cause?: unknown): TributaryError {
  const code = hasCode(cause, '') ? ` (${(cause as { code: string }).code})` : '';
  return new TributaryError('MASTER_KEY_INVALID', `Master key file ${file} ${problem}${code}`, { details: { file }, cause });
}

/** fsync a directory so a rename or link in it survives a crash; best effort (not every OS allows it). */
async function syncDir(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Directory fsync is unsupported on some platforms; the rename itself is still atomic.
  }
}

/** True when `error` is a Node system error with this code ('' matches any code). */
function hasCode(error: unknown, code: string): boolean {
  if (typeof error !== 'object' || error === null || !('code' in error) || typeof error.code !== 'string') return false;
  return code === '' || error.code === code;
}
