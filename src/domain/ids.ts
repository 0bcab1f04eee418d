import { randomUUID } from 'node:crypto';

/**
 * Ids are prefixed UUIDs (`ten_…`, `key_…`) so that a stray id in a log says what it is.
 * The prefix is part of the id; nothing parses it back.
 */
export type IdPrefix = 'ten' | 'key' | 'job' | 'aud' | 'sec' | 'con' | 'crd' | 'int' | 'ent' | 'run' | 'whk' | 'evt' | 'dlq' | 'req';

export function newId(prefix: IdPrefix): string {
  return `${prefix}_${randomUUID().replaceAll('-', '')}`;
}
