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

/**
 * One field of a stored conflict (`ConflictReview.payload.fields`): the three values and
 * what was decided. `value` is absent while the field waits for a person.
 */
export interface ConflictFieldRecord {
  readonly base: unknown;
  readonly local: unknown;
  readonly remote: unknown;
  readonly decision: ConflictDecision;
  readonly value?: unknown;
  readonly strategy: ConflictStrategyName | 'ownership';
  readonly reason: string;
}

/**
 * What a stored conflict (`ConflictReview.payload`) holds: which link of which entity,
 * the provider's version seen, and the conflicting fields. One row per record and run:
 * an `open` row holds only fields waiting for a person, a `resolved` row the fields a
 * strategy decided on its own.
 */
export interface ConflictPayload {
  readonly runId: string | null;
  readonly linkId: string;
  readonly connectionId: string;
  readonly object: string;
  readonly externalId: string;
  /** The provider (`salesforce`, ...): the remote side. */
  readonly provider: string;
  /** The provider's version of the record the remote values come from. */
  readonly remoteVersion: string | null;
  /**
   * The link's version when the row was written (a pull keeps the older one while a field
   * waits): a decision moves the link to `remoteVersion` only if the link is still there.
   */
  readonly linkVersion?: string | null;
  readonly fields: Readonly<Record<string, ConflictFieldRecord>>;
}

/** How a stored conflict was closed (`ConflictReview.resolution`). */
export interface ConflictResolutionRecord {
  /** `automatic`: the strategy decided during the sync; `manual`: a person; `dismissed`: closed without a decision. */
  readonly kind: 'automatic' | 'manual' | 'dismissed';
  /** Who: `strategy`, or the API key / actor that decided. */
  readonly by: string;
  readonly at: string;
  /** Field -> the decision and the value kept (absent for `dismissed`). */
  readonly fields: Readonly<Record<string, { readonly decision: ConflictDecision; readonly value: unknown }>>;
  /** The outbox row that carries the chosen values to the provider, when one was queued. */
  readonly outboxId?: string | null;
}
