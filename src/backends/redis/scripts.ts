import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';

/**
 * A Lua script from src/backends/redis/lua/, run by its SHA (EVALSHA) and sent in full
 * only when the server does not know it yet (NOSCRIPT: first use, or after a restart).
 */
export class LuaScript {
  readonly #source: string;
  readonly #sha: string;

  constructor(fileName: string) {
    this.#source = readFileSync(new URL(`./lua/${fileName}`, import.meta.url), 'utf8');
    this.#sha = createHash('sha1').update(this.#source).digest('hex');
  }

  async run(redis: Redis, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    try {
      return await redis.evalsha(this.#sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return redis.eval(this.#source, keys.length, ...keys, ...args);
    }
  }
}
