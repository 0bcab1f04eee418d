/**
 * Field inference for data nobody described: which columns of a CSV (or any table) are
 * worth comparing, and as what. Column names decide first (`surname`, `e_mail`,
 * `Date of Birth`, `zip`); a column whose name says nothing is judged by a sample of its
 * values (addresses with `@`, phone-like digit strings, host names). Row keys (`id`,
 * `rec_id`, `uuid`) and bookkeeping columns (timestamps, notes, amounts) are left out:
 * they never identify a person or organisation across records.
 */
import { normalizeDate, normalizeDomain, normalizeEmail } from './normalize.ts';
import { DEFAULT_THRESHOLDS } from './rules.ts';
import type { DedupRules, FieldKind, FieldRule } from './types.ts';

/** The column name reduced to lower-case words joined by `_` (`Date of Birth` -> `date_of_birth`). */
function headerKey(name: string): string {
  return name.trim().replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '');
}

/** Name patterns, tried in order; `null` kind means "never compare". */
const NAME_PATTERNS: readonly (readonly [RegExp, FieldKind | null, number?])[] = [
  [/^(id|uuid|guid|key|pk|rec_?id|record_?id|row_?id|row|line|index|_id|oid|objectid)$/, null],
  [/(created|updated|modified|deleted|imported|synced)(_?at|_?on|_?date)?$|timestamp|^(notes?|comments?|description|memo|amount|price|total|balance|status|score)$/, null],
  [/external_?id|remote_?id|source_?id|crm_?id|salesforce_?id|hubspot_?id|provider_?id/, 'externalId'],
  [/e_?mail/, 'email'],
  [/phone|mobile|cell|^tel$|^tel_|telephone/, 'phone'],
  [/birth|^dob$|^born|bday/, 'dateOfBirth'],
  [/soc_?sec|^ssn$|social_?security|passport|licen[cs]e_?(no|num|number)?|tax_?(id|no|number)|national_?id|^nin$|^vat|^ein$|^tfn$|medicare|account_?(no|num|number)|customer_?(no|num|number)|member(ship)?_?(no|num|number|id)/, 'idNumber'],
  [/website|web_?site|domain|homepage|^url$|^web$|^site$/, 'domain'],
  [/compan|organi[sz]ation|^org(_?name)?$|business|employer|^account(_?name)?$|^firm$|^institution$/, 'organisation'],
  [/^(given|first|fore|christian)_?names?$|^(first|given|fname|forename)$/, 'givenName'],
  [/^(sur|last|family)_?names?$|^(surname|last|lname)$/, 'surname'],
  [/^(full_?)?name$|^(contact|person|customer|client|display|member)_?name$/, 'name'],
  [/post_?code|(^|_)zip(_|$)|zip_?code|postal/, 'postcode'],
  [/city|suburb|town|locality|municipality/, 'city'],
  [/street_?(no|num|number)|house_?(no|num|number)|^number$/, 'text', 0.5],
  [/address|street|^addr|^line_?\d$/, 'address'],
  [/^(state|province|region|county|country|territory)$/, 'text', 0.5],
  [/gender|^sex$|title|job|role|department/, 'text', 0.3],
];

function share(values: readonly string[], test: (value: string) => boolean): number {
  if (values.length === 0) return 0;
  let hits = 0;
  for (const value of values) if (test(value)) hits++;
  return hits / values.length;
}

const PHONE_RE = /^\+?[\d\s().-]{7,20}$/;

/** The kind a column's values suggest when its name said nothing; null to leave it out. */
function kindFromValues(values: readonly string[]): { kind: FieldKind; weight?: number } | null {
  if (values.length === 0) return null;
  if (share(values, (v) => normalizeEmail(v) !== null) >= 0.8) return { kind: 'email' };
  if (share(values, (v) => PHONE_RE.test(v) && v.replace(/\D/g, '').length >= 7 && /[\s().+-]/.test(v)) >= 0.8) return { kind: 'phone' };
  if (share(values, (v) => /^(https?:\/\/)?(www\.)?[a-z0-9-]+(\.[a-z0-9-]+)+(\/\S*)?$/i.test(v) && normalizeDomain(v) !== null && !/^\d+(\.\d+)+$/.test(v)) >= 0.8) return { kind: 'domain' };
  // A date column of unknown meaning (created, paid, shipped) says nothing about identity.
  if (share(values, (v) => !/^\d+$/.test(v) && normalizeDate(v) !== null) >= 0.8) return null;
  // A numeric column could be an identifier or a row key; only its name can tell.
  if (share(values, (v) => /^[\d\s.,-]+$/.test(v)) >= 0.8) return null;
  const averageLength = values.reduce((sum, v) => sum + v.length, 0) / values.length;
  const distinct = new Set(values).size / values.length;
  if (averageLength > 40 || distinct < 0.05) return null;
  return { kind: 'text', weight: 0.5 };
}

/**
 * The kind of one column, from its name first and a sample of its (non-empty) values
 * second, with a weight below 1 for weak evidence; null when the column should not be
 * compared (a row key, a timestamp, free text).
 */
export function inferFieldKind(column: string, values: readonly string[]): { kind: FieldKind; weight?: number } | null {
  const named = NAME_PATTERNS.find(([pattern]) => pattern.test(headerKey(column)));
  if (named === undefined) return kindFromValues(values);
  const [, kind, weight] = named;
  if (kind === null) return null;
  return weight === undefined ? { kind } : { kind, weight };
}

/**
 * Picks the comparable columns of a table and their kinds. `sampleRows` are rows in header
 * order (a few hundred are plenty); `exclude` names columns never to compare (the id
 * column). Answers field rules in header order; kinds only, every other option defaulted.
 */
export function inferFields(header: readonly string[], sampleRows: readonly (readonly string[])[], exclude: readonly string[] = []): FieldRule[] {
  const rules: FieldRule[] = [];
  const taken = new Set<FieldKind>();
  header.forEach((column, index) => {
    if (exclude.includes(column) || column.trim() === '') return;
    const values = sampleRows.map((row) => (row[index] ?? '').trim()).filter((value) => value !== '');
    const inferred = inferFieldKind(column, values);
    if (inferred === null) return;
    let { kind, weight } = inferred;
    // A second given-name or surname column (middle name, maiden name) is compared as text,
    // so that the swapped-name reading keeps one of each.
    if ((kind === 'givenName' || kind === 'surname') && taken.has(kind)) {
      kind = 'text';
      weight = 0.5;
    }
    taken.add(kind);
    rules.push(weight === undefined ? { field: column, kind } : { field: column, kind, weight });
  });
  return disambiguateNames(rules, header, sampleRows);
}

const ORGANISATION_WORDS = /\b(inc|llc|llp|ltd|limited|corp|corporation|company|co|gmbh|plc|pty|ag|sa|group|holdings|partners|associates|bank|university|foundation|solutions|technologies|systems|services|consulting|industries)\b|&| and | - /i;

/**
 * A column called just `name` holds people in a contact list and organisations in an
 * account list. It is read as an organisation when a fifth of its values look like one
 * (legal forms, `&`, `X and Y`, `X - Y`), or when the table has a web domain and nothing
 * personal (no given or family name, email or date of birth).
 */
function disambiguateNames(rules: FieldRule[], header: readonly string[], sampleRows: readonly (readonly string[])[]): FieldRule[] {
  const personal = rules.some((rule) => ['givenName', 'surname', 'email', 'dateOfBirth'].includes(rule.kind));
  const hasDomain = rules.some((rule) => rule.kind === 'domain');
  const hasOrganisation = rules.some((rule) => rule.kind === 'organisation');
  return rules.map((rule) => {
    if (rule.kind !== 'name' || hasOrganisation) return rule;
    const index = header.indexOf(rule.field);
    const values = sampleRows.map((row) => (row[index] ?? '').trim()).filter((value) => value !== '');
    const organisational = values.length > 0 && share(values, (value) => ORGANISATION_WORDS.test(value)) >= 0.2;
    return organisational || (hasDomain && !personal) ? { ...rule, kind: 'organisation' } : rule;
  });
}

/**
 * Rules for a table: the inferred fields with the default thresholds, for a person when
 * the fields look like people (names, dates of birth) and an organisation otherwise.
 */
export function inferRules(header: readonly string[], sampleRows: readonly (readonly string[])[], exclude: readonly string[] = []): DedupRules {
  const fields = inferFields(header, sampleRows, exclude);
  const personal = fields.some((field) => ['givenName', 'surname', 'name', 'dateOfBirth'].includes(field.kind));
  return { entityType: personal ? 'person' : 'organization', fields, thresholds: DEFAULT_THRESHOLDS };
}
