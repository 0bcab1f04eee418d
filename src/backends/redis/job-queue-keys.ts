import type { Redis } from 'ioredis';

/**
 * Deletes every key that starts with `prefix` (SCAN in batches, never KEYS or FLUSHDB:
 * the server may be shared). For tests, and for tearing down a deployment's queues and
 * locks; it is not atomic, so nothing should use the prefix meanwhile.
 */
export async function deleteKeysWithPrefix(redis: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${escapeGlob(prefix)}*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) deleted += await redis.del(...keys);
  } while (cursor !== '0');
  return deleted;
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
