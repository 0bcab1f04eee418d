import { Redis } from 'ioredis';
import type { RedisOptions } from 'ioredis';

export interface RedisClientOptions {
  /** `redis://host:port/db`. */
  url: string;
  /** A command not answered within this time fails (so callers can fall back). Default 500 ms. */
  commandTimeoutMs?: number;
  /** Delay between reconnection attempts while the server is away. Default 250 ms. */
  reconnectDelayMs?: number;
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
    enableAutoPipelining: true,
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
