import { orderedPair } from '../../rows/dedup-rows.ts';
import { docId } from '../documents.ts';

/**
 * Record kinds of the `entities` container that several repositories read: the entity
 * store writes them, the outbox, dedup and conflict repositories read or update them.
 */
export const ENTITY = 'entity';
export const LINK = 'link';
export const RELATIONSHIP = 'rel';
export const MATCH_KEY = 'mk';
export const REVIEW = 'review';
export const OUTBOX = 'outbox';
export const DISMISSED_PAIR = 'dismissed';
export const MERGE = 'merge';

/** The id of a dismissed pair's document: one per unordered pair. */
export function dismissedPairId(a: string, b: string): string {
  const [left, right] = orderedPair(a, b);
  return docId(DISMISSED_PAIR, `${left}|${right}`);
}
