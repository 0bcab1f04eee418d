/** Contact-detail transforms: emails, E.164 phones, domains, URLs, countries. */
import { Metadata, parsePhoneNumberFromString } from 'libphonenumber-js/core';
import type { CountryCode, MetadataJson, PhoneNumber } from 'libphonenumber-js/core';
import minMetadata from 'libphonenumber-js/min/metadata';
import type { TransformDef } from './types.ts';
import { TransformError, arg, describe, expectString, normalizingInverse } from './types.ts';

const EMAIL = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:"]+$/;

/** Trims, strips a "Name <a@b>" wrapper and a `mailto:`, lower-cases; throws when not an email. */
export function normalizeEmail(raw: string): string {
  let s = raw.trim();
  const angle = /<([^<>]+)>\s*$/.exec(s);
  if (angle) s = (angle[1] as string).trim();
  if (s.toLowerCase().startsWith('mailto:')) s = s.slice(7);
  s = s.toLowerCase();
  if (!EMAIL.test(s)) throw new TransformError(`not an email address: ${describe(raw)}`);
  return s;
}

/**
 * libphonenumber parsing is the expensive step of the hot path; the same numbers recur
 * (shared switchboards, re-synced records), so results are memoised in a bounded map.
 */
const PHONE_CACHE_LIMIT = 20_000;
const phoneCache = new Map<string, string | null>();

/**
 * The min metadata (what the package's default entry uses) with every calling code
 * shared by several countries (+1: US, CA and 23 more) narrowed to its main country.
 * Most of a parse's time went into finding which of those countries a number belongs
 * to, which matters here only through that country's possible lengths (the final
 * "possible" check and whether a national prefix is stripped). A narrowed result is
 * kept only where no such decision can differ (`narrowedIsExact`); otherwise the full
 * metadata parses again, so `toE164` answers exactly what the full metadata answers.
 */
interface PhoneMetadata {
  readonly country_calling_codes: Record<string, string[]>;
  readonly countries: Record<string, readonly unknown[]>;
  /** Calling codes of no country (+800 and the like), kept apart from `country_calling_codes`. */
  readonly nonGeographic: Record<string, unknown>;
}
const fullMetadata = minMetadata as unknown as PhoneMetadata;
const narrowedMetadata = {
  ...fullMetadata,
  country_calling_codes: Object.fromEntries(Object.entries(fullMetadata.country_calling_codes).map(([code, countries]) => [code, countries.slice(0, 1)])),
} as unknown as MetadataJson;

/** Per shared calling code: national number lengths whose "possible" answers differ between its countries. */
const ambiguousLengths = new Map<string, Set<number>>();
for (const [code, countries] of Object.entries(fullMetadata.country_calling_codes)) {
  if (countries.length < 2) continue;
  const plans = countries.map((country) => {
    const plan = new Metadata(minMetadata as unknown as MetadataJson);
    plan.selectNumberingPlan(country as CountryCode);
    return plan.numberingPlan?.possibleLengths() ?? undefined;
  });
  // checkNumberLength: possible when listed; an incomplete number is also possible when longer than all.
  const answers = (lengths: number[] | undefined, n: number): string => (lengths === undefined ? 'yy' : `${lengths.includes(n)}${lengths.includes(n) || n > lengths[lengths.length - 1]!}`);
  const ambiguous = new Set<number>();
  for (let n = 0; n <= 20; n++) if (new Set(plans.map((lengths) => answers(lengths, n))).size > 1) ambiguous.add(n);
  if (ambiguous.size > 0) ambiguousLengths.set(code, ambiguous);
}

/** Per country: the start of a national number a parse may strip as a national prefix (null: none). */
const prefixPatterns = new Map<string, RegExp | null>();
function nationalPrefixOf(country: string): RegExp | null {
  let pattern = prefixPatterns.get(country);
  if (pattern === undefined) {
    const plan = new Metadata(minMetadata as unknown as MetadataJson);
    plan.selectNumberingPlan(country as CountryCode);
    // Not in the package's types, but what its own national prefix extraction reads.
    const source = (plan.numberingPlan as unknown as { nationalPrefixForParsing(): string | undefined } | undefined)?.nationalPrefixForParsing();
    pattern = source ? new RegExp(`^(?:${source})`) : null;
    prefixPatterns.set(country, pattern);
  }
  return pattern;
}

/**
 * True when the full metadata gives the same answer: the number's length is judged alike
 * in every country of its calling code, and no national prefix can have been considered
 * (the length of what stripping it would leave is judged by the country found for that).
 */
function narrowedIsExact(phone: PhoneNumber, region: string): boolean {
  const ambiguous = ambiguousLengths.get(phone.countryCallingCode);
  if (ambiguous === undefined) return true;
  if (ambiguous.has(phone.nationalNumber.length)) return false;
  const countries = fullMetadata.country_calling_codes[phone.countryCallingCode] ?? [];
  for (const country of [countries[0], region]) {
    if (country !== undefined && countries.includes(country) && nationalPrefixOf(country)?.test(phone.nationalNumber) === true) return false;
  }
  return true;
}

/** Per country: the national number lengths its plan calls possible (what `isPossible` checks). */
const possibleLengthsOf = new Map<string, readonly number[]>();
function possibleLengths(country: string): readonly number[] {
  let lengths = possibleLengthsOf.get(country);
  if (lengths === undefined) {
    const plan = new Metadata(minMetadata as unknown as MetadataJson);
    plan.selectNumberingPlan(country as CountryCode);
    lengths = plan.numberingPlan?.possibleLengths() ?? [];
    possibleLengthsOf.set(country, lengths);
  }
  return lengths;
}

const INTERNATIONAL_DIGITS = /^\+[1-9]\d{2,19}$/;

/**
 * True when `raw` is already a possible E.164 number, decided without a parse: it is `+`
 * and digits only, its calling code (the first of 1-3 leading digits the metadata knows,
 * as libphonenumber picks it) belongs to a country, no national prefix can be stripped
 * from the rest, its country is not in doubt (`narrowedIsExact`), and the rest's length is
 * one the country's plan calls possible: then libphonenumber answers `raw` itself. Any
 * other case returns false and is parsed. CRMs often store numbers in this form (60 % of
 * the sandbox's are), and parsing allocates: 417 MB in libphonenumber over the 100,387
 * contacts of bench:ingest, before this shortcut.
 */
export function isPossibleE164(raw: string, region: string): boolean {
  if (!INTERNATIONAL_DIGITS.test(raw)) return false;
  for (let size = 1; size <= 3; size++) {
    const code = raw.slice(1, 1 + size);
    if (fullMetadata.nonGeographic[code] !== undefined) return false;
    const countries = fullMetadata.country_calling_codes[code];
    if (countries === undefined) continue;
    const country = countries[0];
    const nationalNumber = raw.slice(1 + size);
    if (country === undefined || country === '001' || nationalNumber.length < 2 || nationalNumber.length > 17) return false;
    if (nationalPrefixOf(country)?.test(nationalNumber) === true) return false;
    if (!narrowedIsExact({ countryCallingCode: code, nationalNumber } as PhoneNumber, region)) return false;
    return possibleLengths(country).includes(nationalNumber.length);
  }
  return false;
}

function parsePhone(raw: string, region: string): string | null {
  let parsed = parsePhoneNumberFromString(raw, region as CountryCode, narrowedMetadata);
  if (parsed && !narrowedIsExact(parsed, region)) parsed = parsePhoneNumberFromString(raw, region as CountryCode, minMetadata as unknown as MetadataJson);
  return parsed && parsed.isPossible() ? parsed.number : null;
}

export function toE164(raw: string, region: string): string | null {
  // Before the cache: answering costs less than remembering, and the cache keeps room for numbers that need a parse.
  if (isPossibleE164(raw, region)) return raw;
  const key = `${region}|${raw}`;
  const hit = phoneCache.get(key);
  if (hit !== undefined) return hit;
  // libphonenumber throws (and catches) an error for text it cannot read as a number;
  // that stack trace is never seen, and capturing it was a third or more of the cost.
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  let result;
  try {
    result = parsePhone(raw, region);
  } finally {
    Error.stackTraceLimit = limit;
  }
  if (phoneCache.size >= PHONE_CACHE_LIMIT) phoneCache.clear();
  phoneCache.set(key, result);
  return result;
}

function hostOf(raw: string): string {
  const s = raw.trim();
  try {
    const url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(s) ? s : `https://${s}`);
    return url.hostname.toLowerCase();
  } catch {
    throw new TransformError(`not a URL: ${describe(raw)}`);
  }
}

export function normalizeUrl(raw: string): string {
  const s = raw.trim();
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:/i.test(s) ? s : `https://${s}`);
  } catch {
    throw new TransformError(`not a URL: ${describe(raw)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TransformError(`not a web URL: ${describe(raw)}`);
  url.hash = url.hash === '#' ? '' : url.hash;
  const text = url.toString();
  return url.pathname === '/' && url.search === '' && url.hash === '' ? text.replace(/\/$/, '') : text;
}

let countryTable: Map<string, string> | null = null;
/** Codes Intl names that are not current ISO 3166-1 countries (reserved, groupings, retired). */
const NOT_COUNTRIES = new Set(['AA', 'UK', 'EU', 'EZ', 'UN', 'FX', 'SU', 'YU', 'CS', 'AN', 'DD', 'ZZ', 'TP', 'ZR', 'BU', 'NT']);
const regionNames = new Intl.DisplayNames('en', { type: 'region' });

/** English names, alpha-2 codes, common alpha-3 codes and aliases -> alpha-2. Built once. */
function countries(): Map<string, string> {
  if (countryTable) return countryTable;
  const table = new Map<string, string>();
  const A = 'A'.charCodeAt(0);
  for (let i = 0; i < 26; i++) {
    for (let j = 0; j < 26; j++) {
      const code = String.fromCharCode(A + i, A + j);
      if (NOT_COUNTRIES.has(code) || (/^(Q[M-Z]|X[A-Z])$/.test(code) && code !== 'XK')) continue;
      const name = regionNames.of(code);
      if (name && name !== code && !/^(Unknown|Pseudo)/.test(name)) {
        table.set(code.toLowerCase(), code);
        if (!table.has(name.toLowerCase())) table.set(name.toLowerCase(), code);
      }
    }
  }
  const aliases: Record<string, string> = {
    usa: 'US', 'united states of america': 'US', america: 'US', uk: 'GB', 'great britain': 'GB', england: 'GB', scotland: 'GB', wales: 'GB',
    gbr: 'GB', deu: 'DE', germany: 'DE', deutschland: 'DE', fra: 'FR', can: 'CA', aus: 'AU', nld: 'NL', holland: 'NL', esp: 'ES', españa: 'ES',
    ita: 'IT', italia: 'IT', che: 'CH', schweiz: 'CH', suisse: 'CH', aut: 'AT', österreich: 'AT', irl: 'IE', jpn: 'JP', chn: 'CN', ind: 'IN', bra: 'BR',
    mex: 'MX', swe: 'SE', nor: 'NO', dnk: 'DK', fin: 'FI', pol: 'PL', prt: 'PT', bel: 'BE', nzl: 'NZ', zaf: 'ZA', kor: 'KR', 'south korea': 'KR',
    rus: 'RU', russia: 'RU', 'czech republic': 'CZ', 'the netherlands': 'NL', 'viet nam': 'VN', uae: 'AE',
  };
  for (const [alias, code] of Object.entries(aliases)) table.set(alias, code);
  countryTable = table;
  return table;
}

export function countryCode(raw: string): string {
  const key = raw.trim().replace(/\s+/g, ' ').toLowerCase();
  const table = countries();
  const code = table.get(key) ?? table.get(key.replace(/\./g, '')) ?? (key.replace(/\./g, '') === 'us' ? 'US' : undefined);
  if (!code) throw new TransformError(`unknown country: ${describe(raw)}`);
  return code;
}

function countryName(code: string): string {
  const upper = code.trim().toUpperCase();
  if (!/^[A-Z]{2}$/.test(upper) || !countries().has(upper.toLowerCase())) throw new TransformError(`not an ISO 3166 country code: ${describe(code)}`);
  return regionNames.of(upper) as string;
}

export const CONTACT_TRANSFORMS: readonly TransformDef[] = [
  {
    name: 'email',
    doc: 'Normalises an email address (trim, lower case, "Name <a@b>" and mailto: removed); fails when it is not one.',
    input: 'string',
    output: 'string',
    args: [],
    make: () => (v) => normalizeEmail(expectString(v, 'email')),
    inverse: normalizingInverse,
  },
  {
    name: 'phone_e164',
    doc: 'A phone number in E.164 (+14155552671) via libphonenumber; numbers without a country code use `region` (default: the context\'s defaultRegion). Fails when impossible.',
    input: 'string',
    output: 'string',
    args: [{ name: 'region', type: 'region', required: false, doc: 'ISO 3166-1 alpha-2 default region (`GB`).' }],
    make: (args) => {
      const fixed = arg<string | null>(args, 0, null);
      return (v, ctx) => {
        const text = expectString(v, 'phone_e164');
        const e164 = toE164(text, fixed ?? ctx.defaultRegion);
        if (!e164) throw new TransformError(`not a valid phone number: ${describe(text)}`);
        return e164;
      };
    },
    inverse: normalizingInverse,
  },
  {
    name: 'domain_from_email',
    doc: 'The domain of an email address ("ada@Example.com" -> "example.com"). Not invertible.',
    input: 'string',
    output: 'string',
    args: [],
    make: () => (v) => normalizeEmail(expectString(v, 'domain_from_email')).split('@')[1] as string,
  },
  {
    name: 'domain_from_url',
    doc: 'The host of a URL without "www." ("https://www.Acme.com/x" -> "acme.com"). Not invertible.',
    input: 'string',
    output: 'string',
    args: [],
    make: () => (v) => hostOf(expectString(v, 'domain_from_url')).replace(/^www\./, ''),
  },
  {
    name: 'url',
    doc: 'Normalises a web URL: adds https:// when no scheme, lower-cases the host, drops default ports and a bare trailing "/".',
    input: 'string',
    output: 'string',
    args: [],
    make: () => (v) => normalizeUrl(expectString(v, 'url')),
    inverse: normalizingInverse,
  },
  {
    name: 'country_code',
    doc: 'A country name or code -> ISO 3166-1 alpha-2 ("Germany", "DEU", "de" -> "DE"). Inverse: the English name.',
    input: 'string',
    output: 'string',
    args: [],
    make: () => (v) => countryCode(expectString(v, 'country_code')),
    inverse: { kind: 'exact', make: () => (v) => countryName(expectString(v, 'country_code')) },
  },
  {
    name: 'country_name',
    doc: 'An ISO 3166-1 alpha-2 code -> English name ("DE" -> "Germany"). Inverse: country_code.',
    input: 'string',
    output: 'string',
    args: [],
    make: () => (v) => countryName(expectString(v, 'country_name')),
    inverse: { kind: 'exact', make: () => (v) => countryCode(expectString(v, 'country_name')) },
  },
];
