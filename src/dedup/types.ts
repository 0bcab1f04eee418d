/**
 * The deduplication engine's vocabulary: records in, rules as configuration data, pairs
 * and clusters out.
 */
import type { CountryCode } from 'libphonenumber-js';
import type { DateOrder } from './normalize.ts';

/**
 * What a field holds, which decides how it is normalised, compared and blocked on.
 * `externalId` is a provider's id for the same entity (strong by default); `idNumber` is
 * a personal or account number (social security, passport, customer number).
 */
export type FieldKind =
  | 'name'
  | 'givenName'
  | 'surname'
  | 'email'
  | 'phone'
  | 'address'
  | 'city'
  | 'postcode'
  | 'dateOfBirth'
  | 'idNumber'
  | 'externalId'
  | 'organisation'
  | 'domain'
  | 'text';

/** How a field's two normalised values are compared into a similarity in [0, 1]. */
export type ComparatorName = 'exact' | 'jaroWinkler' | 'levenshtein' | 'tokenSet' | 'name' | 'date' | 'phone';

/** One comparable field and how it counts. Unset options take the defaults of its kind. */
export interface FieldRule {
  /** The key in `DedupRecord.fields` (a CSV column name). */
  readonly field: string;
  readonly kind: FieldKind;
  readonly comparator?: ComparatorName;
  /** Multiplies the field's log-odds contribution; 0 turns the field off. Default 1. */
  readonly weight?: number;
  /** P(fields agree | same entity), Fellegi-Sunter's m. */
  readonly m?: number;
  /**
   * P(fields agree | different entities), Fellegi-Sunter's u. Default: estimated from the
   * data's own value frequencies (and per value, so agreeing on a rare value weighs more).
   */
  readonly u?: number;
  /** Similarity at or below which the field counts as fully disagreeing. */
  readonly floor?: number;
  /** Exact equality of normalised values short-circuits the pair to a match. */
  readonly strong?: boolean;
}

/** Blocking options; see blocking.ts. */
export interface BlockingOptions {
  /** A block larger than this is split by its fallback key, then windowed. Default 40. */
  readonly maxBlockSize?: number;
  /** Sorted-neighbourhood window (records compared with the next `window - 1`). Default 2. */
  readonly window?: number;
}

/**
 * Deduplication rules for one entity type: configuration data, storable as JSON.
 * Scores are match probabilities in [0, 1]: `score >= thresholds.match` links
 * automatically, `score >= thresholds.review` waits for a person, lower is distinct.
 */
export interface DedupRules {
  readonly entityType: string;
  readonly fields: readonly FieldRule[];
  readonly thresholds: { readonly match: number; readonly review: number };
  /** log2 of the prior odds that a candidate pair is a match. Default -8. */
  readonly priorLog2Odds?: number;
  /** A strong identifier held by more records than this is treated as an ordinary field. Default 5. */
  readonly maxStrongIdFrequency?: number;
  readonly blocking?: BlockingOptions;
  /** Region for phone numbers written without a country code (ISO 3166 alpha-2). */
  readonly defaultRegion?: CountryCode;
  readonly dateOrder?: DateOrder;
}

/** One input record: a stable id and its raw field values. */
export interface DedupRecord {
  readonly id: string;
  readonly fields: Readonly<Record<string, string | null | undefined>>;
}

export type MatchDecision = 'match' | 'review';

/** Why a pair matched: its score, or an exact strong identifier (the field named). */
export type MatchReason = { readonly kind: 'score' } | { readonly kind: 'strong-identifier'; readonly field: string };

/**
 * A pair at or above the review threshold. In `findDuplicates` both ids are from the one
 * source (`leftId` is the earlier record); in `linkRecords` left is from the left source.
 */
export interface MatchPair {
  readonly leftId: string;
  readonly rightId: string;
  readonly score: number;
  readonly decision: MatchDecision;
  readonly reason: MatchReason;
}

export type Side = 'left' | 'right';

/** A record in a cluster: which source it came from (always `left` for one source) and its id. */
export interface ClusterMember {
  readonly side: Side;
  readonly id: string;
}

/**
 * One step of a cluster's history: the auto-linked pair that joined two records, with its
 * score, in the order it was applied (best score first). `merged` is false when the two
 * were already in one cluster through other links. Removing steps and recomputing the
 * clusters undoes a merge (see cluster.ts).
 */
export interface LinkStep {
  readonly sequence: number;
  readonly left: ClusterMember;
  readonly right: ClusterMember;
  readonly score: number;
  readonly reason: MatchReason;
  readonly merged: boolean;
}

/** Records judged to be one entity, with the links that made it so. */
export interface Cluster {
  /** The cluster's id: its first member's `side:id`, stable for a given input. */
  readonly id: string;
  readonly members: readonly ClusterMember[];
  readonly lineage: readonly LinkStep[];
}

/** Counters for progress and benchmarks. */
export interface DedupStats {
  readonly records: number;
  readonly candidatePairs: number;
  readonly matches: number;
  readonly reviews: number;
  /** Blocks larger than `maxBlockSize` that had to fall back to a finer key or a window. */
  readonly oversizeBlocks: number;
}

export interface DedupResult {
  readonly pairs: readonly MatchPair[];
  /** Clusters of two or more records joined by `match` pairs (reviews never merge). */
  readonly clusters: readonly Cluster[];
  readonly stats: DedupStats;
}

/** Progress callback: the phase and how far it is (`done` of `total`). */
export type ProgressListener = (phase: 'prepare' | 'block' | 'score' | 'cluster', done: number, total: number) => void;

export interface DedupOptions {
  readonly onProgress?: ProgressListener;
}
