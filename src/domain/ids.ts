import { randomUUID } from 'node:crypto';

/**
 * Ids are prefixed UUIDs (`ten_…`, `key_…`) so that a stray id in a log says what it is.
 * The prefix is part of the id; nothing parses it back.
 */
export type IdPrefix = 'ten' | 'key' | 'job' | 'aud' | 'sec' | 'con' | 'crd' | 'int' | 'ent' | 'run' | 'whk' | 'evt' | 'dlq' | 'req' | 'mrg';

export function newId(prefix: IdPrefix): string {
  return `${prefix}_${randomUUID().replaceAll('-', '')}`;
}

let lastMs = 0;
let counter = 0;

/**
 * A time-ordered id in the UUIDv7 layout (48-bit epoch ms, version 7, a 12-bit counter
 * within the ms, then random bits), for rows written at a high rate (webhook intake):
 * consecutive ids land at the end of their primary-key index instead of on a random
 * page each, so a group commit writes far fewer pages. Hand-written because Node 20's
 * crypto only makes v4 UUIDs; the random tail (and its variant bits) is a v4's.
 */
export function newSortableId(prefix: IdPrefix): string {
  let ms = Date.now();
  if (ms > lastMs) {
    lastMs = ms;
    counter = 0;
  } else if (counter < 0xfff) {
    ms = lastMs;
    counter += 1;
  } else {
    ms = ++lastMs;
    counter = 0;
  }
  return `${prefix}_${ms.toString(16).padStart(12, '0')}7${counter.toString(16).padStart(3, '0')}${randomUUID().replaceAll('-', '').slice(16)}`;
}
