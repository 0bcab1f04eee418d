/**
 * Preparation: one linear pass that normalises every comparable field of every record,
 * computes phonetic keys for names and counts value frequencies (for the u-probabilities).
 * Blocking and scoring then work on these columns only.
 */
import {
  normalizeAddress, normalizeDate, normalizeDomain, normalizeEmail, normalizeGivenName, normalizeIdentifier,
  normalizeName, normalizeOrganisation, normalizePhone, normalizePostcode, normalizeText,
} from './normalize.ts';
import { phoneticKey } from './phonetic.ts';
import type { ResolvedFieldRule, ResolvedRules } from './rules.ts';
import type { DedupRecord } from './types.ts';

/** One field of all records, normalised, with its statistics. */
export interface PreparedField {
  readonly rule: ResolvedFieldRule;
  /** Normalised value per record index; null when missing or unusable. */
  readonly values: readonly (string | null)[];
  /** Per record, the number of its value in `distinct`; -1 when missing. */
  readonly valueIds: Int32Array;
  /** The distinct normalised values, and how many records hold each. */
  readonly distinct: readonly string[];
  readonly valueCounts: readonly number[];
  /** Double Metaphone key per record for name-like kinds (of the formal name for a given name); empty string when none. */
  readonly phonetic: readonly string[] | null;
  /** Records with a value. */
  readonly present: number;
  /** P(two random records agree) from the value frequencies, or the rule's own `u`. */
  readonly u: number;
}

export interface PreparedRecords {
  /** Record ids by index: left records first, then right ones (linkage). */
  readonly ids: readonly string[];
  /** Index of the first right-side record; equals `ids.length` for one source. */
  readonly rightStart: number;
  readonly fields: readonly PreparedField[];
}

const PHONETIC_KINDS = new Set(['name', 'givenName', 'surname', 'organisation']);
/** The smallest u ever used. */
const MIN_U = 1e-7;
/**
 * How many pseudo-records the kind's prior u0 counts for against the data's frequencies:
 * a file of 20 rows is judged almost wholly by the priors, one of 100,000 by its own data.
 */
const PRIOR_RECORDS = 1000;

function normaliser(rule: ResolvedFieldRule, rules: ResolvedRules): (value: string) => string | null {
  switch (rule.kind) {
    // Nicknames are kept as written (a typo in `Liza` must still meet `Liza`); the
    // comparator knows the variants, and the phonetic keys use the formal name.
    case 'name':
    case 'givenName':
    case 'surname': return normalizeName;
    case 'email': return normalizeEmail;
    case 'phone': return (value) => normalizePhone(value, rules.defaultRegion);
    case 'address': return normalizeAddress;
    case 'postcode': return normalizePostcode;
    case 'dateOfBirth': return (value) => normalizeDate(value, rules.dateOrder);
    case 'idNumber':
    case 'externalId': return normalizeIdentifier;
    case 'organisation': return normalizeOrganisation;
    case 'domain': return normalizeDomain;
    case 'city':
    case 'text': return normalizeText;
  }
}

function prepareField(rule: ResolvedFieldRule, records: readonly DedupRecord[], rules: ResolvedRules): PreparedField {
  const normalise = normaliser(rule, rules);
  // Only phone numbers are worth a cache: libphonenumber is slow, the rest is cheaper than a lookup.
  const cache = rule.kind === 'phone' ? new Map<string, string | null>() : null;
  const values: (string | null)[] = new Array<string | null>(records.length);
  const valueIds = new Int32Array(records.length).fill(-1);
  const idOf = new Map<string, number>();
  const distinct: string[] = [];
  const valueCounts: number[] = [];
  let present = 0;
  for (let i = 0; i < records.length; i++) {
    const raw = (records[i] as DedupRecord).fields[rule.field];
    let value: string | null = null;
    if (raw != null && raw !== '') {
      const cached = cache?.get(raw);
      if (cached !== undefined) value = cached;
      else {
        value = normalise(raw);
        cache?.set(raw, value);
      }
    }
    values[i] = value;
    if (value !== null) {
      present++;
      let id = idOf.get(value);
      if (id === undefined) {
        id = distinct.length;
        idOf.set(value, id);
        distinct.push(value);
        valueCounts.push(0);
      }
      valueIds[i] = id;
      valueCounts[id] = (valueCounts[id] as number) + 1;
    }
  }
  let phonetic: string[] | null = null;
  if (PHONETIC_KINDS.has(rule.kind)) {
    // A given name is keyed by its formal form, so that `Bob` and `Robert` share a block.
    const codes = rule.kind === 'givenName' ? distinct.map((value) => phoneticKey(normalizeGivenName(value) ?? value)) : distinct.map(phoneticKey);
    phonetic = Array.from(valueIds, (id) => (id < 0 ? '' : (codes[id] as string)));
  }
  let agree = 0;
  if (present > 0) for (const count of valueCounts) agree += (count / present) ** 2;
  const blended = (present * agree + PRIOR_RECORDS * rule.u0) / (present + PRIOR_RECORDS);
  const u = rule.u ?? Math.min(0.5, Math.max(MIN_U, blended));
  return { rule, values, valueIds, distinct, valueCounts, phonetic, present, u };
}

/** Prepares the records of one source (`right` empty) or two (left first, then right). */
export function prepareRecords(left: readonly DedupRecord[], right: readonly DedupRecord[], rules: ResolvedRules): PreparedRecords {
  const records = right.length === 0 ? left : [...left, ...right];
  const ids = records.map((record) => record.id);
  const fields = rules.fields.filter((rule) => rule.weight > 0).map((rule) => prepareField(rule, records, rules));
  return { ids, rightStart: left.length, fields };
}

/**
 * P(a random record holds the value numbered `valueId`) in a field: the value's share of
 * the records that have one, blended with the kind's prior u0 (see PRIOR_RECORDS).
 */
export function valueShare(field: PreparedField, valueId: number): number {
  if (field.rule.u !== undefined) return field.rule.u;
  const count = field.valueCounts[valueId] ?? 1;
  return Math.max(MIN_U, (count + PRIOR_RECORDS * field.rule.u0) / (field.present + PRIOR_RECORDS));
}
