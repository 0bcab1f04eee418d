/**
 * A dedup review as a person reads it (pure): the two candidate entities side by side,
 * field by field, with the dedup score and, for every field the entity type's rules
 * compare, how similar the two values are under that field's comparator.
 */
import { DEFAULT_RULES, normalizeEmail, normalizePhone, normalizeText, resolveRules, similarity } from '../../dedup/index.ts';
import type { ResolvedFieldRule } from '../../dedup/index.ts';
import type { Entity } from '../../domain/entity.ts';
import type { DedupReview } from '../../domain/review.ts';

export interface ReviewCandidate {
  readonly id: string;
  /** False when the entity no longer exists (its fields are then empty). */
  readonly exists: boolean;
  readonly type: string | null;
  readonly fields: Record<string, unknown>;
  readonly deletedAt: string | null;
  readonly mergedInto: string | null;
}

export interface FieldComparison {
  readonly field: string;
  /** The first candidate's value, then the second's (null when absent). */
  readonly values: [unknown, unknown];
  readonly same: boolean;
  /** The comparator's similarity in [0, 1] for fields the rules compare and both hold; otherwise null. */
  readonly similarity: number | null;
  /** The field's kind in the dedup rules (null: not compared by them). */
  readonly kind: string | null;
}

export interface DedupReviewView extends DedupReview {
  readonly entityType: string | null;
  readonly score: number | null;
  readonly candidates: [ReviewCandidate, ReviewCandidate];
  /** Rule fields first (in the rules' order), then the others by name. */
  readonly comparison: FieldComparison[];
}

/** The candidate ids of a review's payload (`entityIds`), or null when it has no such pair. */
export function candidateIds(review: DedupReview): [string, string] | null {
  const ids = review.payload.entityIds;
  if (!Array.isArray(ids) || ids.length !== 2 || typeof ids[0] !== 'string' || typeof ids[1] !== 'string') return null;
  return [ids[0], ids[1]];
}

const RESOLVED = new Map(Object.entries(DEFAULT_RULES).map(([type, rules]) => [type, resolveRules(rules).fields]));

function normalise(rule: ResolvedFieldRule, value: string): string | null {
  if (rule.kind === 'email') return normalizeEmail(value);
  if (rule.kind === 'phone') return normalizePhone(value);
  return normalizeText(value);
}

function compare(rule: ResolvedFieldRule | undefined, a: unknown, b: unknown): number | null {
  if (!rule || typeof a !== 'string' || typeof b !== 'string') return null;
  const left = normalise(rule, a);
  const right = normalise(rule, b);
  if (left === null || right === null || left === '' || right === '') return null;
  return Math.round(similarity(rule.comparator, left, right) * 1000) / 1000;
}

function candidate(id: string, entity: Entity | undefined): ReviewCandidate {
  if (!entity) return { id, exists: false, type: null, fields: {}, deletedAt: null, mergedInto: null };
  return { id, exists: true, type: entity.type, fields: entity.fields, deletedAt: entity.deletedAt, mergedInto: entity.mergedInto };
}

/** The view of one review, given the candidate entities the store holds (by id). */
export function reviewView(review: DedupReview, entities: ReadonlyMap<string, Entity>): DedupReviewView {
  const ids = candidateIds(review) ?? ['', ''];
  const pair: [ReviewCandidate, ReviewCandidate] = [candidate(ids[0], entities.get(ids[0])), candidate(ids[1], entities.get(ids[1]))];
  const entityType = typeof review.payload.entityType === 'string' ? review.payload.entityType : (pair[0].type ?? pair[1].type);
  const rules = (entityType !== null ? RESOLVED.get(entityType) : undefined) ?? [];
  const ruleOf = new Map(rules.map((r) => [r.field, r]));
  const names = new Set([...Object.keys(pair[0].fields), ...Object.keys(pair[1].fields)]);
  const ordered = [...rules.map((r) => r.field).filter((f) => names.has(f)), ...[...names].filter((f) => !ruleOf.has(f)).sort()];
  const comparison = ordered.map((field): FieldComparison => {
    const a = pair[0].fields[field] ?? null;
    const b = pair[1].fields[field] ?? null;
    const rule = ruleOf.get(field);
    return { field, values: [a, b], same: JSON.stringify(a) === JSON.stringify(b), similarity: compare(rule, a, b), kind: rule?.kind ?? null };
  });
  const score = typeof review.payload.score === 'number' ? review.payload.score : null;
  return { ...review, entityType, score, candidates: pair, comparison };
}
