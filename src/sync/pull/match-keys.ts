/**
 * The keys deduplication looks entities up by, computed from entity fields (pure):
 * exact identifiers (`email:`, `phone:`, `domain:`), which link at once, and blocking
 * keys (`name:`, `org:`), which only nominate candidates for scoring. Only people and
 * organizations are deduplicated.
 */
import { normalizeDomain, normalizeEmail, normalizeGivenName, normalizeName, normalizeOrganisation, normalizePhone, phoneticKey } from '../../dedup/index.ts';

export const DEDUP_ENTITY_TYPES: ReadonlySet<string> = new Set(['person', 'organization']);

export interface MatchKeys {
  readonly exact: string[];
  readonly block: string[];
}

const str = (value: unknown): string | null => (typeof value === 'string' && value.trim() !== '' ? value : null);

function push(list: string[], prefix: string, value: string | null): void {
  if (value !== null && value !== '' && !list.includes(`${prefix}:${value}`)) list.push(`${prefix}:${value}`);
}

const cache = new WeakMap<object, MatchKeys>();

/**
 * Exact and blocking keys of one entity's fields; empty for types that are not
 * deduplicated. Remembered per fields object (callers never mutate mapped fields).
 */
export function matchKeysOf(entityType: string, fields: Record<string, unknown>): MatchKeys {
  let keys = cache.get(fields);
  if (keys === undefined) {
    keys = computeMatchKeys(entityType, fields);
    cache.set(fields, keys);
  }
  return keys;
}

/** The same, not remembered: for callers that hold the keys themselves (the pull writer, per page). */
export function computeMatchKeys(entityType: string, fields: Record<string, unknown>): MatchKeys {
  const exact: string[] = [];
  const block: string[] = [];
  if (entityType === 'person') {
    push(exact, 'email', normalizeEmail(str(fields.email)));
    for (const phone of [fields.phone, fields.mobilePhone]) push(exact, 'phone', phoneKey(str(phone)));
    const family = normalizeName(str(fields.familyName) ?? lastWord(str(fields.name)));
    const given = normalizeGivenName(str(fields.givenName) ?? firstWord(str(fields.name)));
    if (family !== null) push(block, 'name', `${phoneticKey(family)}:${given?.charAt(0) ?? ''}`);
  } else if (entityType === 'organization') {
    for (const site of [fields.domain, fields.website]) push(exact, 'domain', normalizeDomain(str(site)));
    const name = normalizeOrganisation(str(fields.name));
    if (name !== null) push(block, 'org', name);
  }
  return { exact, block };
}

/** Mapped phones are E.164 already (the mappings' phone_e164): skip libphonenumber for those. */
function phoneKey(value: string | null): string | null {
  if (value === null) return null;
  return E164.test(value) ? value : normalizePhone(value);
}

const E164 = /^\+[1-9]\d{6,14}$/;

function lastWord(name: string | null): string | null {
  const words = name?.trim().split(/\s+/) ?? [];
  return words.length > 1 ? (words[words.length - 1] ?? null) : null;
}

function firstWord(name: string | null): string | null {
  const words = name?.trim().split(/\s+/) ?? [];
  return words.length > 1 ? (words[0] ?? null) : null;
}
