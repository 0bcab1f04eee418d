/**
 * Rules as configuration data: what each field kind defaults to, the built-in rules per
 * entity type, and `resolveRules`, the one place where defaults are applied
 * (`DedupRules` -> `ResolvedRules`, STYLE.md 10).
 */
import { TributaryError } from '../domain/errors.ts';
import type { ComparatorName, DedupRules, FieldKind, FieldRule } from './types.ts';

interface KindDefaults {
  readonly comparator: ComparatorName;
  /** P(agree | same entity). */
  readonly m: number;
  /** Similarity at or below which the field fully disagrees. */
  readonly floor: number;
  readonly strong: boolean;
  /**
   * Prior P(agree | different entities): what u is believed to be before the data is seen.
   * Blended with the data's own frequencies (see prepare.ts), it keeps a small file from
   * making every agreement look common.
   */
  readonly u0: number;
}

/**
 * Defaults per kind. `m` reflects how often true duplicates still agree on the field in
 * messy data (typos, abbreviations, stale values); `floor` how much fuzz a comparator
 * tolerates before the values are simply different.
 */
export const KIND_DEFAULTS: Readonly<Record<FieldKind, KindDefaults>> = {
  name: { comparator: 'name', m: 0.9, floor: 0.7, strong: false, u0: 1e-4 },
  givenName: { comparator: 'name', m: 0.9, floor: 0.7, strong: false, u0: 5e-3 },
  surname: { comparator: 'name', m: 0.9, floor: 0.7, strong: false, u0: 1e-3 },
  email: { comparator: 'levenshtein', m: 0.95, floor: 0.85, strong: true, u0: 1e-6 },
  phone: { comparator: 'phone', m: 0.9, floor: 0.8, strong: true, u0: 1e-6 },
  address: { comparator: 'tokenSet', m: 0.85, floor: 0.6, strong: false, u0: 1e-4 },
  city: { comparator: 'jaroWinkler', m: 0.85, floor: 0.75, strong: false, u0: 1e-2 },
  postcode: { comparator: 'levenshtein', m: 0.9, floor: 0.5, strong: false, u0: 1e-3 },
  dateOfBirth: { comparator: 'date', m: 0.9, floor: 0.7, strong: false, u0: 5e-5 },
  idNumber: { comparator: 'levenshtein', m: 0.9, floor: 0.7, strong: false, u0: 1e-6 },
  externalId: { comparator: 'exact', m: 0.99, floor: 0.99, strong: true, u0: 1e-6 },
  organisation: { comparator: 'tokenSet', m: 0.9, floor: 0.7, strong: false, u0: 1e-3 },
  domain: { comparator: 'exact', m: 0.9, floor: 0.99, strong: true, u0: 1e-4 },
  text: { comparator: 'levenshtein', m: 0.8, floor: 0.5, strong: false, u0: 5e-2 },
};

/** A field rule with every option decided. */
export interface ResolvedFieldRule {
  readonly field: string;
  readonly kind: FieldKind;
  readonly comparator: ComparatorName;
  readonly weight: number;
  readonly m: number;
  readonly u: number | undefined;
  readonly u0: number;
  readonly floor: number;
  readonly strong: boolean;
}

export interface ResolvedRules extends Omit<Required<DedupRules>, 'fields' | 'blocking' | 'defaultRegion'> {
  readonly fields: readonly ResolvedFieldRule[];
  readonly blocking: { readonly maxBlockSize: number; readonly window: number };
  readonly defaultRegion: DedupRules['defaultRegion'];
}

/** Default thresholds on the match probability. */
export const DEFAULT_THRESHOLDS = { match: 0.9, review: 0.5 } as const;

function checkProbability(value: number, field: string): void {
  if (!(value > 0 && value < 1)) {
    throw new TributaryError('CONFIG_INVALID', `${field} must be strictly between 0 and 1 (got ${value})`, { field });
  }
}

/**
 * Applies the defaults of each field's kind and validates the rules.
 * @throws TributaryError CONFIG_INVALID on a probability out of range, thresholds out of
 *   order, a duplicated field or no field at all.
 */
export function resolveRules(rules: DedupRules): ResolvedRules {
  if (rules.fields.length === 0) throw new TributaryError('CONFIG_INVALID', 'dedup rules need at least one field', { field: 'fields' });
  const seen = new Set<string>();
  const fields = rules.fields.map((rule, i): ResolvedFieldRule => {
    if (seen.has(rule.field)) throw new TributaryError('CONFIG_INVALID', `field ${rule.field} appears twice in the dedup rules`, { field: `fields.${i}` });
    seen.add(rule.field);
    const defaults = KIND_DEFAULTS[rule.kind];
    if (defaults === undefined) throw new TributaryError('CONFIG_INVALID', `unknown field kind ${String(rule.kind)}`, { field: `fields.${i}.kind` });
    const resolved: ResolvedFieldRule = {
      field: rule.field,
      kind: rule.kind,
      comparator: rule.comparator ?? defaults.comparator,
      weight: rule.weight ?? 1,
      m: rule.m ?? defaults.m,
      u: rule.u,
      u0: defaults.u0,
      floor: rule.floor ?? defaults.floor,
      strong: rule.strong ?? defaults.strong,
    };
    checkProbability(resolved.m, `fields.${i}.m`);
    if (resolved.u !== undefined) checkProbability(resolved.u, `fields.${i}.u`);
    if (!(resolved.floor >= 0 && resolved.floor < 1)) throw new TributaryError('CONFIG_INVALID', `fields.${i}.floor must be in [0, 1)`, { field: `fields.${i}.floor` });
    if (!(resolved.weight >= 0)) throw new TributaryError('CONFIG_INVALID', `fields.${i}.weight must be >= 0`, { field: `fields.${i}.weight` });
    return resolved;
  });
  const { match, review } = rules.thresholds;
  checkProbability(match, 'thresholds.match');
  checkProbability(review, 'thresholds.review');
  if (review > match) throw new TributaryError('CONFIG_INVALID', 'thresholds.review must not exceed thresholds.match', { field: 'thresholds.review' });
  const maxBlockSize = rules.blocking?.maxBlockSize ?? 40;
  const window = rules.blocking?.window ?? 2;
  if (!(maxBlockSize >= 2) || !(window >= 2)) throw new TributaryError('CONFIG_INVALID', 'blocking.maxBlockSize and blocking.window must be at least 2', { field: 'blocking' });
  return {
    entityType: rules.entityType,
    fields,
    thresholds: { match, review },
    priorLog2Odds: rules.priorLog2Odds ?? -8,
    maxStrongIdFrequency: rules.maxStrongIdFrequency ?? 5,
    blocking: { maxBlockSize, window },
    defaultRegion: rules.defaultRegion,
    dateOrder: rules.dateOrder ?? 'dmy',
  };
}

/** Rules over the given fields with the default thresholds. */
export function rulesFor(entityType: string, fields: readonly FieldRule[], overrides: Partial<DedupRules> = {}): DedupRules {
  return { entityType, fields, thresholds: DEFAULT_THRESHOLDS, ...overrides };
}

/**
 * Built-in rules for Tributary's entity types, over the entity fields the default mappings
 * produce. Hosts override them per tenant as configuration.
 */
export const DEFAULT_RULES: Readonly<Record<'person' | 'organization', DedupRules>> = {
  person: rulesFor('person', [
    { field: 'email', kind: 'email' },
    { field: 'phone', kind: 'phone' },
    { field: 'givenName', kind: 'givenName' },
    { field: 'familyName', kind: 'surname' },
    { field: 'birthDate', kind: 'dateOfBirth' },
    { field: 'postcode', kind: 'postcode' },
    { field: 'city', kind: 'city' },
    { field: 'organization', kind: 'organisation', weight: 0.5 },
  ]),
  organization: rulesFor('organization', [
    { field: 'domain', kind: 'domain' },
    { field: 'name', kind: 'organisation' },
    { field: 'phone', kind: 'phone' },
    { field: 'city', kind: 'city' },
    { field: 'postcode', kind: 'postcode' },
  ]),
};
