/**
 * Conflict resolution vocabulary: the strategies an integration can choose, its
 * per-field rules and field ownership (parsed from `Integration.conflictStrategy` and
 * `Integration.fieldOwnership`), and the record of each conflict with its decision.
 *
 * Sides: `local` is Tributary / the host product (the reference's "target"); `remote`
 * is the provider (the reference's "source").
 */

export const CONFLICT_STRATEGIES = [
  'source_wins',
  'target_wins',
  'last_write_wins',
  'field_merge',
  'manual',
  'custom',
] as const;
/** The reference's six strategies. `source` = the provider, `target` = Tributary. */
export type ConflictStrategyName = (typeof CONFLICT_STRATEGIES)[number];

export type Side = 'local' | 'remote';

export const FIELD_OWNERS = ['internal', 'external'] as const;
/** `internal`: Tributary / the host product owns the field; `external`: the provider does. */
export type FieldOwner = (typeof FIELD_OWNERS)[number];

/** A strategy that decides a single conflicting field (no nested `field_merge` rule). */
export interface FieldRule {
  readonly strategy: ConflictStrategyName;
  /** `custom`: systems in priority order, e.g. `['salesforce', 'google', 'tributary']`. */
  readonly priority?: readonly string[];
  /** `custom`: the name of a resolver function registered in code. */
  readonly resolver?: string;
}

/** `last_write_wins` settings. */
export interface LastWriteWinsSettings {
  /** Modification times closer than this are a tie (clocks of two systems disagree). */
  readonly toleranceMs: number;
  /** Who wins a tie, or when a modification time is unknown. */
  readonly tieBreak: Side;
}

/** A validated conflict policy: what `resolve` needs from an integration. */
export interface ConflictPolicy {
  /** The integration's strategy, used for every field without its own rule. */
  readonly strategy: ConflictStrategyName;
  /** `custom` at integration level: the priority list for fields without their own rule. */
  readonly priority?: readonly string[];
  /** `custom` at integration level: the resolver for fields without their own rule. */
  readonly resolver?: string;
  /** Per-field overrides (field name -> rule); they beat `strategy`. */
  readonly fields: Readonly<Record<string, FieldRule>>;
  /** Field -> owning system. Ownership beats every strategy and every override. */
  readonly ownership: Readonly<Record<string, FieldOwner>>;
  readonly lastWriteWins: LastWriteWinsSettings;
  /** `field_merge`: the rule for a field changed on both sides that cannot be merged. */
  readonly mergeFallback: FieldRule;
  /** `custom` without a usable priority entry for either side: this side wins. */
  readonly customTieBreak: Side;
}

/**
 * What happened to one conflicting field: `local` / `remote` (that side's value won),
 * `value` (a new value, from a merge or a resolver), `pending` (held for a person).
 */
export type ConflictDecision = 'local' | 'remote' | 'value' | 'pending';

/** One field changed on both sides since the base, with both values and the decision. */
export interface ConflictRecord {
  readonly field: string;
  readonly base: unknown;
  readonly local: unknown;
  readonly remote: unknown;
  readonly decision: ConflictDecision;
  /** The chosen value; `undefined` while pending. */
  readonly value: unknown;
  /** The strategy that decided, or `ownership` when an owned field decided it. */
  readonly strategy: ConflictStrategyName | 'ownership';
  /** A sentence for people: why this decision. */
  readonly reason: string;
}

/** A person's decision on a pending conflict: one side, or an explicit value. */
export type ManualChoice = { readonly side: Side } | { readonly value: unknown };
