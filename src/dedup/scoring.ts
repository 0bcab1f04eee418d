/**
 * Scoring, Fellegi-Sunter style. Each comparable field adds log2 evidence:
 *
 * - exact agreement on value v: log2(m / u_v), where u_v is v's share of the records
 *   (blended with the kind's prior, see prepare.ts), so agreeing on a rare surname weighs
 *   more than agreeing on `smith`;
 * - partial agreement (similarity s above the field's floor): the disagreement weight
 *   moved towards the agreement weight by (s - floor) / (1 - floor);
 * - disagreement: log2((1 - m) / (1 - u));
 * - a missing value on either side: 0 (neutral).
 *
 * The sum plus the prior log-odds gives a match probability, `1 / (1 + 2^-W)`. When the
 * rules have both a given-name and a surname field, the names are also compared swapped
 * (a common data-entry error) and the better reading counts, less one bit.
 *
 * An exact agreement on a strong identifier (email, phone, external id, domain) makes the
 * pair a match outright, unless that value is shared by more than `maxStrongIdFrequency`
 * records (`info@`, a switchboard number) or the rest of the records contradicts it (see
 * `contradicts`): then it counts as ordinary evidence.
 */
import { jaroWinkler, levenshteinSimilarity, sortedTokens, tokenSetRatioOfTokens } from './compare.ts';
import { areNicknameVariants, canonicalGivenName } from './nicknames.ts';
import { valueShare } from './prepare.ts';
import type { PreparedField, PreparedRecords } from './prepare.ts';
import type { ResolvedRules } from './rules.ts';
import type { ComparatorName, MatchReason } from './types.ts';

/**
 * Similarity of two normalised values under a comparator, in [0, 1]. `codeA`/`codeB` are
 * the values' phonetic keys and `tokensA`/`tokensB` their sorted words, when the caller
 * has them precomputed.
 */
export function similarity(
  comparator: ComparatorName, a: string, b: string, codeA = '', codeB = '', tokensA?: readonly string[], tokensB?: readonly string[],
): number {
  if (a === b) return 1;
  switch (comparator) {
    case 'exact': return 0;
    case 'jaroWinkler': {
      if (codeA !== '' && codeA === codeB) return Math.max(0.85, jaroWinkler(a, b));
      return jaroWinkler(a, b);
    }
    case 'levenshtein': return levenshteinSimilarity(a, b);
    case 'tokenSet': return tokenSetSimilarity(a, b, tokensA ?? sortedTokens(a), tokensB ?? sortedTokens(b));
    case 'name': return nameSimilarity(a, b, codeA, codeB);
    case 'date': return dateSimilarity(a, b);
    case 'phone': return a.length >= 8 && b.length >= 8 && a.slice(-8) === b.slice(-8) ? 0.9 : levenshteinSimilarity(a, b);
  }
}

/**
 * Multi-word text (addresses, organisations): the better of the normalised Levenshtein
 * similarity of the whole strings and their token-set ratio. When the two share no word of
 * four letters or more, the token-set ratio adds little to the whole-string comparison, so
 * it is skipped (it is the costly part); short words (`st`, `rd`, `12`, `of`) are shared by
 * unrelated addresses and names.
 */
function tokenSetSimilarity(a: string, b: string, tokensA: readonly string[], tokensB: readonly string[]): number {
  const whole = levenshteinSimilarity(a, b);
  if (whole >= 0.95) return whole;
  let shared = false;
  for (const token of tokensA) {
    if (token.length >= 4 && tokensB.includes(token)) {
      shared = true;
      break;
    }
  }
  return shared ? Math.max(whole, tokenSetRatioOfTokens(tokensA, tokensB)) : whole;
}

/**
 * Names: nickname variants count as 0.95 (`bob`/`robert`; in multi-word names any word,
 * so `bob smith` meets `smith, robert`); otherwise Jaro-Winkler, the token-set ratio for multi-word
 * names, and at least 0.85 when they sound alike.
 */
function nameSimilarity(a: string, b: string, codeA: string, codeB: string): number {
  const spaceA = a.indexOf(' ');
  const spaceB = b.indexOf(' ');
  const multiWord = spaceA >= 0 || spaceB >= 0;
  if (!multiWord) {
    if (areNicknameVariants(a, b)) return 0.95;
    const s = jaroWinkler(a, b);
    return s < 0.85 && codeA !== '' && codeA === codeB ? 0.85 : s;
  }
  let s = Math.max(jaroWinkler(a, b), tokenSetSimilarity(a, b, sortedTokens(a), sortedTokens(b)));
  if (s < 0.95) {
    // Read both with nicknames in their formal form, discounting the substitution a little.
    const formalA = formalWords(a);
    const formalB = formalWords(b);
    if (formalA !== a || formalB !== b) {
      s = Math.max(s, 0.95 * Math.max(jaroWinkler(formalA, formalB), tokenSetSimilarity(formalA, formalB, sortedTokens(formalA), sortedTokens(formalB))));
    }
  }
  if (s < 0.85 && codeA !== '' && codeA === codeB) s = 0.85;
  return s;
}

/** A multi-word name with every unambiguous nickname in its formal form (`bob smith` -> `robert smith`). */
function formalWords(name: string): string {
  return name.split(' ').map(canonicalGivenName).join(' ');
}

/** Dates as YYYYMMDD: day and month swapped counts 0.9, otherwise edit-distance similarity. */
function dateSimilarity(a: string, b: string): number {
  if (
    a.length === 8 && b.length === 8 && a.startsWith(b.slice(0, 4))
    && a.charCodeAt(4) === b.charCodeAt(6) && a.charCodeAt(5) === b.charCodeAt(7)
    && a.charCodeAt(6) === b.charCodeAt(4) && a.charCodeAt(7) === b.charCodeAt(5)
  ) return 0.9;
  return levenshteinSimilarity(a, b);
}

/** A field made ready for scoring: its weights computed once. */
interface FieldPlan {
  readonly field: PreparedField;
  readonly values: readonly (string | null)[];
  readonly phonetic: readonly string[] | null;
  readonly comparator: ComparatorName;
  readonly floor: number;
  /** weight * log2(m / u) and weight * log2((1 - m) / (1 - u)). */
  readonly agree: number;
  readonly disagree: number;
  /** Per record: weight * log2(m / share of its value), the evidence of an exact agreement. */
  readonly exactAgree: Float64Array;
  /** Record i's sorted words, for the token-set comparator. */
  readonly tokens: ((i: number) => readonly string[]) | null;
}

function plan(field: PreparedField): FieldPlan {
  const { m, weight, floor, comparator } = field.rule;
  const weights = field.distinct.map((_, id) => weight * Math.log2(m / valueShare(field, id)));
  const exactAgree = Float64Array.from(field.valueIds, (id) => (id < 0 ? 0 : (weights[id] as number)));
  let tokens: ((i: number) => readonly string[]) | null = null;
  if (comparator === 'tokenSet') {
    // Split lazily: most values are never compared word by word.
    const byValue: (readonly string[] | undefined)[] = [];
    tokens = (i) => {
      const id = field.valueIds[i] as number;
      let words = byValue[id];
      if (words === undefined) {
        words = sortedTokens(field.distinct[id] ?? '');
        byValue[id] = words;
      }
      return words;
    };
  }
  return {
    field,
    values: field.values,
    phonetic: field.phonetic,
    comparator,
    floor,
    agree: weight * Math.log2(m / field.u),
    disagree: weight * Math.log2((1 - m) / (1 - field.u)),
    exactAgree,
    tokens,
  };
}

/**
 * The field's log2 evidence for records i and j (0 when either value is missing). With
 * `other`, record j's value is read from another field (the swapped-name reading).
 */
function fieldEvidence(p: FieldPlan, i: number, j: number, other: FieldPlan = p): number {
  const a = p.values[i];
  const b = other.values[j];
  if (a == null || b == null) return 0;
  if (a === b) return p.exactAgree[i] as number;
  const s = similarity(p.comparator, a, b, p.phonetic?.[i] ?? '', other.phonetic?.[j] ?? '', p.tokens?.(i), other.tokens?.(j));
  if (s <= p.floor) return p.disagree;
  return p.disagree + ((s - p.floor) / (1 - p.floor)) * (p.agree - p.disagree);
}

export interface PairScore {
  readonly score: number;
  readonly reason: MatchReason;
}

/** Kinds whose plain disagreement vetoes a shared strong identifier. */
const NAMING_KINDS: ReadonlySet<string> = new Set(['givenName', 'name', 'organisation']);

const SCORE_REASON: MatchReason = Object.freeze({ kind: 'score' });

/** How much the other fields must disagree (log2) to veto a shared strong identifier. */
const STRONG_VETO_BITS = 8;

/**
 * Rough relative cost of each comparator. Fields are compared in order of evidence range
 * per unit of cost, so that a hopeless pair is ruled out before its costly comparisons.
 */
const COMPARATOR_COST: Readonly<Record<ComparatorName, number>> = {
  exact: 0.5, date: 1, levenshtein: 1, phone: 1, jaroWinkler: 2, name: 3, tokenSet: 4,
};

/** The most a field can add for a pair whose values are a and b (record i's value first). */
function bound(p: FieldPlan, i: number, a: string | null | undefined, b: string | null | undefined): number {
  if (a == null || b == null) return 0;
  return a === b ? (p.exactAgree[i] as number) : p.agree;
}

/**
 * Scores candidate pairs of one set of prepared records under one set of rules. Fields are
 * compared in order of evidence range per unit of cost (cheap, decisive fields first), and
 * a pair stops being compared as soon as even full agreement
 * on the remaining fields could not lift it to the review threshold: such a pair is
 * answered as `null` without its exact score, which nobody needs.
 */
export class PairScorer {
  private readonly given: FieldPlan | undefined;
  private readonly surname: FieldPlan | undefined;
  /** Fields in comparison order; null stands for the given and family names together. */
  private readonly order: readonly (FieldPlan | null)[];
  private readonly plans: readonly FieldPlan[];
  private readonly strong: readonly PreparedField[];
  private readonly reviewEvidence: number;
  private readonly bounds: Float64Array;

  constructor(records: PreparedRecords, private readonly rules: ResolvedRules) {
    const plans = records.fields.map(plan);
    this.plans = plans;
    const given = plans.filter((p) => p.field.rule.kind === 'givenName');
    const surname = plans.filter((p) => p.field.rule.kind === 'surname');
    const swappable = given.length === 1 && surname.length === 1;
    this.given = swappable ? given[0] : undefined;
    this.surname = swappable ? surname[0] : undefined;
    // The given and family names are scored as one step (straight or swapped), placed in
    // the order by the same evidence-per-cost rule as single fields.
    const steps: { plan: FieldPlan | null; rank: number }[] = plans
      .filter((p) => !swappable || (p !== this.given && p !== this.surname))
      .map((p) => ({ plan: p, rank: (p.agree - p.disagree) / COMPARATOR_COST[p.comparator] }));
    if (this.given !== undefined && this.surname !== undefined) {
      const span = this.given.agree - this.given.disagree + this.surname.agree - this.surname.disagree;
      steps.push({ plan: null, rank: span / (2 * COMPARATOR_COST.name) });
    }
    this.order = steps.sort((a, b) => b.rank - a.rank).map((step) => step.plan);
    this.strong = records.fields.filter((field) => field.rule.strong);
    const review = rules.thresholds.review;
    this.reviewEvidence = Math.log2(review / (1 - review));
    this.bounds = new Float64Array(this.order.length);
  }

  /** The strong identifier two records share (a field rule name), or null. */
  strongIdentifier(i: number, j: number): string | null {
    for (const field of this.strong) {
      const a = field.values[i];
      if (a != null && a === field.values[j] && (field.valueCounts[field.valueIds[i] as number] ?? 0) <= this.rules.maxStrongIdFrequency) return field.rule.field;
    }
    return null;
  }

  /** The evidence of the given and family names, the better of the straight and swapped readings. */
  private nameEvidence(given: FieldPlan, surname: FieldPlan, i: number, j: number): number {
    let best = fieldEvidence(given, i, j) + fieldEvidence(surname, i, j);
    // The swapped reading is only worth computing when an initial crosses over and it
    // could beat the straight one.
    const gi = given.values[i];
    const si = surname.values[i];
    const gj = given.values[j];
    const sj = surname.values[j];
    const swappedAtMost = Math.max(given.agree, given.exactAgree[i] as number) + Math.max(surname.agree, surname.exactAgree[i] as number) - 1;
    if (best < swappedAtMost && ((gi != null && sj != null && gi[0] === sj[0]) || (si != null && gj != null && si[0] === gj[0]))) {
      const swapped = fieldEvidence(given, i, j, surname) + fieldEvidence(surname, i, j, given) - 1;
      if (swapped > best) best = swapped;
    }
    return best;
  }

  /**
   * The pair's total log2 evidence including the prior; with `cutoff`, NaN as soon as the
   * total is sure to stay below it.
   */
  evidence(i: number, j: number, cutoff = -Infinity): number {
    const order = this.order;
    const bounds = this.bounds;
    const given = this.given as FieldPlan;
    const surname = this.surname as FieldPlan;
    let remaining = 0;
    if (cutoff > -Infinity) {
      for (let f = 0; f < order.length; f++) {
        const p = order[f];
        let b: number;
        if (p != null) b = bound(p, i, p.values[i], p.values[j]);
        else {
          const gi = given.values[i];
          const si = surname.values[i];
          const anyJ = given.values[j] ?? surname.values[j];
          b = (gi != null && anyJ != null ? Math.max(given.agree, given.exactAgree[i] as number) : 0)
            + (si != null && anyJ != null ? Math.max(surname.agree, surname.exactAgree[i] as number) : 0);
        }
        bounds[f] = b;
        remaining += b;
      }
    }
    let total = this.rules.priorLog2Odds;
    for (let f = 0; f < order.length; f++) {
      if (total + remaining < cutoff) return Number.NaN;
      const p = order[f];
      total += p != null ? fieldEvidence(p, i, j) : this.nameEvidence(given, surname, i, j);
      remaining -= bounds[f] as number;
    }
    return total;
  }

  /**
   * True when the rest of the record contradicts a shared strong identifier: a given, full
   * or organisation name that plainly differs (a household's landline, a couple's shared
   * address, two companies on one web host),
   * or the other fields together below -STRONG_VETO_BITS (a recycled number, a typo that
   * hit someone else's address).
   */
  private contradicts(i: number, j: number): boolean {
    let others = 0;
    for (const p of this.plans) {
      if (p.field.rule.strong) continue;
      const evidence = fieldEvidence(p, i, j);
      if (NAMING_KINDS.has(p.field.rule.kind) && p.values[i] != null && p.values[j] != null && evidence <= p.disagree) return true;
      others += evidence;
    }
    return others < -STRONG_VETO_BITS;
  }

  /**
   * The pair's match probability and why, or null when it is below the review threshold.
   * An exact strong identifier (not over-shared, not contradicted) answers 1; a
   * contradicted one is scored like any other field.
   */
  score(i: number, j: number): PairScore | null {
    const field = this.strongIdentifier(i, j);
    if (field !== null && !this.contradicts(i, j)) return { score: 1, reason: { kind: 'strong-identifier', field } };
    const evidence = this.evidence(i, j, this.reviewEvidence);
    if (!(evidence >= this.reviewEvidence)) return null;
    return { score: 1 / (1 + 2 ** -evidence), reason: SCORE_REASON };
  }
}
