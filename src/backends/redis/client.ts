import { Redis } from 'ioredis';
import type { RedisOptions } from 'ioredis';

export interface RedisClientOptions {
  /** `redis://host:port/db`. */
  url: string;
  /** A command not answered within this time fails (so callers can fall back). Default 500 ms. */
  commandTimeoutMs?: number;
  /** Delay between reconnection attempts while the server is away. Default 250 ms. */
  reconnectDelayMs?: number;
  /**
   * Batch the commands issued in one tick into one write (ioredis auto-pipelining). Default
   * true. The rate limiter's connection turns it off (measured on its call path: about 1.8 MB
   * kept alive past each young-generation collection with it, 5 KB without, so ten times the
   * GC time; and a command issued while a batch is in flight waits for that batch's replies).
   */
  autoPipelining?: boolean;
}

/**
 * An ioredis client that fails fast instead of queueing: no offline queue and no
 * per-command retries, so a rate limit check never hangs on a Redis that is down; the
 * client keeps reconnecting in the background. Resolves once connected; rejects (and
 * disconnects) when the first connection fails.
 */
export async function connectRedis(options: RedisClientOptions): Promise<Redis> {
  const redisOptions: RedisOptions = {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: options.commandTimeoutMs ?? 500,
    retryStrategy: () => options.reconnectDelayMs ?? 250,
    enableAutoPipelining: options.autoPipelining ?? true,
  };
  const client = new Redis(options.url, redisOptions);
  // Connection errors are reported through failed commands; without a listener ioredis
  // prints every reconnection failure.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    client.disconnect();
    throw error;
  }
  return client;
}
