/**
 * An integration's `dedupRules` as given to the API (`{ enabled?, person?, organization? }`,
 * read by sync/pull/dedup-match.ts), checked before it is stored: a rule set that would only
 * fail during a run is refused up front, as a 400 naming the field.
 */
import { TributaryError, isTributaryError } from '../../domain/errors.ts';
import { KIND_DEFAULTS, resolveRules } from '../../dedup/index.ts';
import type { ComparatorName, DedupRules } from '../../dedup/index.ts';
import { DEDUP_ENTITY_TYPES } from '../pull/match-keys.ts';

/** A record keyed by every comparator: the compiler flags this list when one is added. */
const COMPARATORS: Readonly<Record<ComparatorName, true>> = { exact: true, jaroWinkler: true, levenshtein: true, tokenSet: true, name: true, date: true, phone: true };
const FIELD_RULE_KEYS = new Set(['field', 'kind', 'comparator', 'weight', 'm', 'u', 'floor', 'strong']);
const RULES_KEYS = new Set(['entityType', 'fields', 'thresholds', 'priorLog2Odds', 'maxStrongIdFrequency', 'blocking', 'defaultRegion', 'dateOrder']);

function invalid(field: string, message: string): TributaryError {
  return new TributaryError('VALIDATION_FAILED', `dedupRules.${field}: ${message}`, { field: `body.dedupRules.${field}` });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** @throws TributaryError VALIDATION_FAILED naming `body.dedupRules.<path>`. */
export function assertValidDedupRules(raw: Record<string, unknown> | undefined): void {
  if (raw === undefined) return;
  for (const [key, value] of Object.entries(raw)) {
    if (key === 'enabled') {
      if (typeof value !== 'boolean') throw invalid(key, 'must be true or false');
    } else if (DEDUP_ENTITY_TYPES.has(key)) {
      assertValidRules(key, value);
    } else {
      throw invalid(key, `unknown key (expected enabled, ${[...DEDUP_ENTITY_TYPES].join(', ')})`);
    }
  }
}

function assertValidRules(type: string, value: unknown): void {
  if (!isObject(value)) throw invalid(type, 'must be an object with fields and thresholds');
  for (const key of Object.keys(value)) if (!RULES_KEYS.has(key)) throw invalid(`${type}.${key}`, 'unknown key');
  if (value.entityType !== undefined && value.entityType !== type) throw invalid(`${type}.entityType`, `must be ${type}`);
  if (!Array.isArray(value.fields)) throw invalid(`${type}.fields`, 'must be a list of field rules');
  value.fields.forEach((rule: unknown, i) => {
    const at = `${type}.fields.${i}`;
    if (!isObject(rule)) throw invalid(at, 'must be an object with field and kind');
    for (const key of Object.keys(rule)) if (!FIELD_RULE_KEYS.has(key)) throw invalid(`${at}.${key}`, 'unknown key');
    if (typeof rule.field !== 'string' || rule.field === '') throw invalid(`${at}.field`, 'must be a field name');
    if (typeof rule.kind !== 'string' || !Object.hasOwn(KIND_DEFAULTS, rule.kind)) throw invalid(`${at}.kind`, `must be one of ${Object.keys(KIND_DEFAULTS).join(', ')}`);
    if (rule.comparator !== undefined && (typeof rule.comparator !== 'string' || !Object.hasOwn(COMPARATORS, rule.comparator))) {
      throw invalid(`${at}.comparator`, `must be one of ${Object.keys(COMPARATORS).join(', ')}`);
    }
    for (const key of ['weight', 'm', 'u', 'floor'] as const) if (rule[key] !== undefined && typeof rule[key] !== 'number') throw invalid(`${at}.${key}`, 'must be a number');
    if (rule.strong !== undefined && typeof rule.strong !== 'boolean') throw invalid(`${at}.strong`, 'must be true or false');
  });
  const thresholds = value.thresholds;
  if (!isObject(thresholds) || typeof thresholds.match !== 'number' || typeof thresholds.review !== 'number') {
    throw invalid(`${type}.thresholds`, 'must be { match, review }, probabilities');
  }
  if (value.blocking !== undefined && !isObject(value.blocking)) throw invalid(`${type}.blocking`, 'must be an object');
  // The ranges (probabilities, threshold order, duplicated fields) are the engine's own checks.
  try {
    resolveRules({ ...value, entityType: type } as unknown as DedupRules);
  } catch (error) {
    if (!isTributaryError(error) || error.code !== 'CONFIG_INVALID') throw error;
    throw invalid(`${type}${error.field === undefined ? '' : `.${error.field}`}`, error.message);
  }
}
