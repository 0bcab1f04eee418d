/**
 * Reads an integration's stored `conflictStrategy` and `fieldOwnership` into a validated
 * `ConflictPolicy`, with every default in one place (STYLE.md 10).
 *
 * Stored shape (all keys optional):
 * ```json
 * { "strategy": "field_merge",
 *   "lastWriteWins": { "toleranceMs": 5000, "tieBreak": "remote" },
 *   "mergeFallback": "source_wins",
 *   "customTieBreak": "remote",
 *   "fields": { "phone": { "strategy": "custom", "priority": ["salesforce", "google", "tributary"] },
 *               "notes": { "strategy": "custom", "resolver": "longest-text" },
 *               "title": "manual" } }
 * ```
 * `fieldOwnership`: `{ "email": "external", "tier": "internal" }`.
 */
import { TributaryError } from '../../domain/errors.ts';
import {
  CONFLICT_STRATEGIES,
  FIELD_OWNERS,
  type ConflictPolicy,
  type ConflictStrategyName,
  type FieldOwner,
  type FieldRule,
  type Side,
} from '../../domain/conflict.ts';

/** Defaults: last write wins, 5 s clock-skew tolerance, the provider wins a tie. */
export const DEFAULT_CONFLICT_POLICY: ConflictPolicy = Object.freeze({
  strategy: 'last_write_wins',
  fields: Object.freeze({}),
  ownership: Object.freeze({}),
  lastWriteWins: Object.freeze({ toleranceMs: 5000, tieBreak: 'remote' }),
  mergeFallback: Object.freeze({ strategy: 'source_wins' }),
  customTieBreak: 'remote',
}) as ConflictPolicy;

function invalid(key: string, message: string): TributaryError {
  return new TributaryError('CONFIG_INVALID', `conflictStrategy.${key}: ${message}`, { field: key });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function strategyName(value: unknown, key: string): ConflictStrategyName {
  if (typeof value === 'string' && (CONFLICT_STRATEGIES as readonly string[]).includes(value)) {
    return value as ConflictStrategyName;
  }
  throw invalid(key, `expected one of ${CONFLICT_STRATEGIES.join(', ')}`);
}

function side(value: unknown, key: string, fallback: Side): Side {
  if (value === undefined) return fallback;
  if (value === 'local' || value === 'remote') return value;
  throw invalid(key, 'expected "local" or "remote"');
}

/** A rule given as a strategy name or as `{ strategy, priority?, resolver? }`. */
function fieldRule(value: unknown, key: string): FieldRule {
  if (typeof value === 'string') {
    const strategy = strategyName(value, key);
    if (strategy === 'custom') throw invalid(key, 'custom needs a priority list or a resolver name');
    return { strategy };
  }
  if (!isRecord(value)) throw invalid(key, 'expected a strategy name or an object');
  const strategy = strategyName(value.strategy, `${key}.strategy`);
  const rule: { strategy: ConflictStrategyName; priority?: readonly string[]; resolver?: string } = { strategy };
  if (value.priority !== undefined) {
    if (!Array.isArray(value.priority) || value.priority.length === 0 || !value.priority.every((s) => typeof s === 'string' && s !== '')) {
      throw invalid(`${key}.priority`, 'expected a non-empty list of system names');
    }
    rule.priority = Object.freeze([...(value.priority as string[])]);
  }
  if (value.resolver !== undefined) {
    if (typeof value.resolver !== 'string' || value.resolver === '') throw invalid(`${key}.resolver`, 'expected a resolver name');
    rule.resolver = value.resolver;
  }
  if (strategy === 'custom' && rule.priority === undefined && rule.resolver === undefined) {
    throw invalid(key, 'custom needs a priority list or a resolver name');
  }
  return Object.freeze(rule);
}

/**
 * Validates and freezes a policy. Throws `CONFIG_INVALID` naming the bad key. Resolver
 * names are checked against the registry only when a conflict needs one (`resolve`),
 * because the registry is code and the policy is data.
 */
export function parseConflictPolicy(conflictStrategy: Record<string, unknown> | null | undefined, fieldOwnership?: Record<string, unknown> | null): ConflictPolicy {
  const raw = conflictStrategy ?? {};
  const d = DEFAULT_CONFLICT_POLICY;
  const strategy = raw.strategy === undefined ? d.strategy : strategyName(raw.strategy, 'strategy');

  let lastWriteWins = d.lastWriteWins;
  if (raw.lastWriteWins !== undefined) {
    if (!isRecord(raw.lastWriteWins)) throw invalid('lastWriteWins', 'expected an object');
    const t = raw.lastWriteWins.toleranceMs ?? d.lastWriteWins.toleranceMs;
    if (typeof t !== 'number' || !Number.isFinite(t) || t < 0) throw invalid('lastWriteWins.toleranceMs', 'expected a number >= 0');
    lastWriteWins = Object.freeze({ toleranceMs: t, tieBreak: side(raw.lastWriteWins.tieBreak, 'lastWriteWins.tieBreak', d.lastWriteWins.tieBreak) });
  }

  const mergeFallback = raw.mergeFallback === undefined ? d.mergeFallback : fieldRule(raw.mergeFallback, 'mergeFallback');
  if (mergeFallback.strategy === 'field_merge') throw invalid('mergeFallback', 'cannot itself be field_merge');

  const fields: Record<string, FieldRule> = {};
  if (raw.fields !== undefined) {
    if (!isRecord(raw.fields)) throw invalid('fields', 'expected an object of field -> rule');
    for (const [name, rule] of Object.entries(raw.fields)) fields[name] = fieldRule(rule, `fields.${name}`);
  }
  const top = strategy === 'custom' && (raw.priority !== undefined || raw.resolver !== undefined)
    ? fieldRule({ strategy, priority: raw.priority, resolver: raw.resolver }, 'custom')
    : undefined;
  if (strategy === 'custom' && top === undefined && raw.fields === undefined) {
    throw invalid('strategy', 'custom needs a priority list, a resolver, or per-field rules');
  }

  const ownership: Record<string, FieldOwner> = {};
  for (const [name, owner] of Object.entries(fieldOwnership ?? {})) {
    if (typeof owner !== 'string' || !(FIELD_OWNERS as readonly string[]).includes(owner)) {
      throw new TributaryError('CONFIG_INVALID', `fieldOwnership.${name}: expected "internal" or "external"`, { field: `fieldOwnership.${name}` });
    }
    ownership[name] = owner as FieldOwner;
  }

  return Object.freeze({
    strategy,
    ...(top?.priority === undefined ? {} : { priority: top.priority }),
    ...(top?.resolver === undefined ? {} : { resolver: top.resolver }),
    fields: Object.freeze(fields),
    ownership: Object.freeze(ownership),
    lastWriteWins,
    mergeFallback,
    customTieBreak: side(raw.customTieBreak, 'customTieBreak', d.customTieBreak),
  });
}

/** The rule for one field: its override, else the integration's strategy. */
export function ruleFor(policy: ConflictPolicy, field: string): FieldRule {
  const own = policy.fields[field];
  if (own !== undefined) return own;
  return {
    strategy: policy.strategy,
    ...(policy.priority === undefined ? {} : { priority: policy.priority }),
    ...(policy.resolver === undefined ? {} : { resolver: policy.resolver }),
  };
}

/**
 * Checks an integration's conflict settings as a request gives them: the same rules as
 * `parseConflictPolicy`, failing with VALIDATION_FAILED naming the field under `prefix`
 * (`body.conflictStrategy.fields.phone`, `body.fieldOwnership.email`).
 */
export function assertValidConflictSettings(conflictStrategy: Record<string, unknown> | null | undefined, fieldOwnership: Record<string, unknown> | null | undefined, prefix = 'body.'): void {
  try {
    parseConflictPolicy(conflictStrategy, fieldOwnership);
  } catch (error) {
    if (!(error instanceof TributaryError) || error.code !== 'CONFIG_INVALID') throw error;
    const field = error.field ?? 'strategy';
    const path = field.startsWith('fieldOwnership.') ? `${prefix}${field}` : `${prefix}conflictStrategy.${field}`;
    throw new TributaryError('VALIDATION_FAILED', error.message, { field: path });
  }
}
