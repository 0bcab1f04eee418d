import { randomBytes } from 'node:crypto';

let lastMs = 0;
let counter = 0;
// The hex of `lastMs`, made once per millisecond: a page makes thousands of ids in one,
// and printing a 48-bit number in hex was most of an id's cost.
let msHex = '000000000000';
const node = randomBytes(6).toString('hex');

/**
 * A prefixed id that sorts by creation time (48-bit ms, a 32-bit counter, then this
 * process's random 48 bits: `ent_` + 32 hex, the same shape as `newId`). Entities and
 * links are written in large batches; time-ordered ids make their index inserts append
 * at the end of each B-tree instead of dirtying pages all over it.
 */
export function orderedId(prefix: string, nowMs: number = Date.now()): string {
  if (nowMs > lastMs) {
    lastMs = nowMs;
    msHex = nowMs.toString(16).padStart(12, '0');
    counter = 0;
  } else {
    counter += 1;
  }
  return `${prefix}_${msHex}${(counter >>> 0).toString(16).padStart(8, '0')}${node}`;
}
