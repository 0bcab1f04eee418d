/**
 * Matching new people and organizations to the tenant's existing entities of OTHER
 * sources (a provider's own records stay distinct: two Salesforce Contacts are two
 * people, even with one email). Exact normalised identifiers link at once; otherwise the
 * dedup engine scores the candidates that share a blocking key, and its two thresholds
 * decide: link, review (a new entity plus a review row), or a new entity.
 */
import { DEFAULT_RULES, linkRecords } from '../../dedup/index.ts';
import type { DedupRecord, DedupRules } from '../../dedup/index.ts';
import type { Repositories } from '../../ports/store.ts';
import { DEDUP_ENTITY_TYPES, computeMatchKeys, type MatchKeys } from './match-keys.ts';

/** The integration's `dedupRules`, resolved: `{ enabled?: false, person?: DedupRules, organization?: DedupRules }`. */
export interface DedupSettings {
  readonly enabled: boolean;
  readonly rules: Readonly<Record<string, DedupRules>>;
}

/** At most this many scored candidates per new entity: a huge block is a weak signal anyway. */
const MAX_CANDIDATES = 25;

export function resolveDedupSettings(raw: Record<string, unknown> | null | undefined): DedupSettings {
  const rules: Record<string, DedupRules> = { ...DEFAULT_RULES };
  for (const type of DEDUP_ENTITY_TYPES) {
    const custom = raw?.[type];
    if (custom && typeof custom === 'object') rules[type] = custom as DedupRules;
  }
  return { enabled: raw?.enabled !== false, rules };
}

export interface NewEntity {
  /** The caller's key for the entity (its external reference). */
  readonly ref: string;
  readonly entityType: string;
  readonly object: string;
  readonly fields: Record<string, unknown>;
}

export type DedupDecision =
  | { readonly kind: 'link'; readonly entityId: string; readonly score: number; readonly reason: string }
  | { readonly kind: 'review'; readonly candidateId: string; readonly score: number };

/** Match keys computed for a new entity, by its ref, with the fields object they were computed from. */
export type ComputedKeys = Map<string, { readonly fields: Record<string, unknown>; readonly keys: MatchKeys }>;

/**
 * Decisions for the new entities that matched; absent ones become new entities. The
 * keys it computes are added to `computed` when given (the page plan reuses them).
 */
export async function decideMatches(
  tx: Repositories, tenantId: string, connectionId: string, items: readonly NewEntity[], settings: DedupSettings, computed?: ComputedKeys,
): Promise<Map<string, DedupDecision>> {
  const decisions = new Map<string, DedupDecision>();
  if (!settings.enabled) return decisions;
  // Grouped by (entity type, object): a page has one or two groups, so a list beats a map keyed by joined strings.
  const groups: NewEntity[][] = [];
  for (const item of items) {
    if (!DEDUP_ENTITY_TYPES.has(item.entityType)) continue;
    const group = groups.find((g) => g[0]!.entityType === item.entityType && g[0]!.object === item.object);
    if (group) group.push(item);
    else groups.push([item]);
  }
  for (const group of groups) {
    const { entityType, object } = group[0]!;
    const keysOf = new Map<string, MatchKeys>();
    for (const item of group) {
      const keys = computeMatchKeys(entityType, item.fields);
      keysOf.set(item.ref, keys);
      computed?.set(item.ref, { fields: item.fields, keys });
    }
    const exactKeys = [...new Set([...keysOf.values()].flatMap((k) => k.exact))];
    const exactHits = groupHits(await tx.entities.findByMatchKeys(tenantId, entityType, exactKeys, connectionId, object));
    // No hit (always so for a tenant's first source): every item goes on, without a look at each.
    const unresolved: NewEntity[] = exactHits.size === 0 ? group : [];
    if (exactHits.size > 0) {
      for (const item of group) {
        const key = keysOf.get(item.ref)!.exact.find((k) => exactHits.has(k));
        if (key !== undefined) decisions.set(item.ref, { kind: 'link', entityId: exactHits.get(key)![0]!, score: 1, reason: key.split(':')[0]! });
        else unresolved.push(item);
      }
    }
    const rules = settings.rules[entityType];
    if (unresolved.length === 0 || !rules) continue;
    const blockKeys = [...new Set(unresolved.flatMap((item) => keysOf.get(item.ref)!.block))];
    const blockHits = groupHits(await tx.entities.findByMatchKeys(tenantId, entityType, blockKeys, connectionId, object));
    if (blockHits.size === 0) continue; // no candidate for anyone
    const candidateIds = new Set<string>();
    const left: DedupRecord[] = [];
    for (const item of unresolved) {
      const ids = keysOf.get(item.ref)!.block.flatMap((k) => blockHits.get(k) ?? []).slice(0, MAX_CANDIDATES);
      if (ids.length === 0) continue;
      for (const id of ids) candidateIds.add(id);
      left.push({ id: item.ref, fields: asStrings(item.fields) });
    }
    if (left.length === 0) continue;
    const candidates = await tx.entities.getMany(tenantId, [...candidateIds]);
    const right = candidates.map((entity) => ({ id: entity.id, fields: asStrings(entity.fields) }));
    const best = new Map<string, { rightId: string; score: number; decision: 'match' | 'review' }>();
    for (const pair of linkRecords(left, right, rules).pairs) {
      const current = best.get(pair.leftId);
      if (!current || pair.score > current.score) best.set(pair.leftId, { rightId: pair.rightId, score: pair.score, decision: pair.decision });
    }
    for (const [ref, pair] of best) {
      decisions.set(ref, pair.decision === 'match'
        ? { kind: 'link', entityId: pair.rightId, score: pair.score, reason: 'score' }
        : { kind: 'review', candidateId: pair.rightId, score: pair.score });
    }
  }
  return decisions;
}

function groupHits(hits: readonly { key: string; entityId: string }[]): Map<string, string[]> {
  const byKey = new Map<string, string[]>();
  for (const hit of hits) {
    const list = byKey.get(hit.key);
    if (list) list.push(hit.entityId);
    else byKey.set(hit.key, [hit.entityId]);
  }
  for (const list of byKey.values()) list.sort();
  return byKey;
}

function asStrings(fields: Record<string, unknown>): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (value === null || value === undefined) out[key] = null;
    else if (typeof value === 'string') out[key] = value;
    else if (typeof value === 'number' || typeof value === 'boolean') out[key] = String(value);
  }
  return out;
}
