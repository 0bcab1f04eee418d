/**
 * Normalisers: turn a raw field value into the canonical form that comparisons and
 * blocking keys use. Each returns `null` for a value that is empty or unusable, so that a
 * missing value stays neutral in scoring instead of disagreeing.
 *
 * Pure functions; the only dependency is libphonenumber-js for phone numbers.
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { CountryCode } from 'libphonenumber-js';
import { canonicalGivenName } from './nicknames.ts';

/** Letters that NFKD does not decompose into ASCII plus a combining mark. */
const SPECIAL_LETTERS: Readonly<Record<string, string>> = {
  ß: 'ss', æ: 'ae', œ: 'oe', ø: 'o', ł: 'l', đ: 'd', ð: 'd', þ: 'th', ı: 'i', ħ: 'h',
};
const SPECIAL_RE = /[ßæœøłđðþıħ]/g;
/** Already folded: single-spaced lower-case words. */
const CLEAN_RE = /^[a-z0-9]+( [a-z0-9]+)*$/;
/** Anything outside printable ASCII: only such text needs the slow Unicode folding. */
const NON_ASCII_RE = /[^ -~\t\n\r]/;

/**
 * Lower case, accents and diacritics removed (`Zoë Müller-Lüdenscheidt` ->
 * `zoe muller ludenscheidt`), apostrophes dropped (`O'Brien` -> `obrien`), every other
 * run of non-alphanumerics made one space, trimmed.
 */
export function foldText(value: string): string {
  let text = value.toLowerCase();
  if (CLEAN_RE.test(text)) return text;
  if (NON_ASCII_RE.test(text)) {
    text = text.replace(SPECIAL_RE, (letter) => SPECIAL_LETTERS[letter] ?? letter);
    text = text.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
  }
  return text.replace(/['’‘`]/g, '').replace(/[^a-z0-9]+/g, ' ').trim();
}

const NAME_TITLES = new Set(['mr', 'mrs', 'ms', 'miss', 'mx', 'dr', 'prof', 'sir', 'dame', 'rev', 'fr', 'mme', 'mlle', 'herr', 'frau']);
const NAME_SUFFIXES = new Set(['jr', 'sr', 'ii', 'iii', 'iv', 'phd', 'md', 'esq', 'jnr', 'snr']);

/**
 * A person's name (full, given or family): folded, titles (`Dr`, `Mrs`) and suffixes
 * (`Jr`, `III`, `PhD`) removed. Nicknames are kept as written here; see
 * {@link normalizeGivenName}.
 */
export function normalizeName(value: string | null | undefined): string | null {
  if (value == null) return null;
  const folded = foldText(value);
  if (!folded.includes(' ')) return folded === '' ? null : folded;
  const tokens = folded.split(' ');
  const kept = tokens.filter((token, i) => !(NAME_TITLES.has(token) && i < tokens.length - 1) && !(NAME_SUFFIXES.has(token) && i > 0));
  const name = kept.join(' ');
  return name === '' ? null : name;
}

/**
 * A given name, folded and mapped to its formal form when the nickname table says so
 * unambiguously (`Bill` -> `william`, `Liz` -> `elizabeth`; `Chris` stays `chris`).
 * Only the first token is canonicalised (`Bob James` -> `robert james`).
 */
export function normalizeGivenName(value: string | null | undefined): string | null {
  const name = normalizeName(value);
  if (name === null) return null;
  const space = name.indexOf(' ');
  if (space < 0) return canonicalGivenName(name);
  return `${canonicalGivenName(name.slice(0, space))}${name.slice(space)}`;
}

/**
 * Mail providers known to deliver `local+tag@domain` to `local@domain` (subaddressing).
 * Other domains keep the `+tag`: some company servers treat `+` as part of the name.
 */
const SUBADDRESSING_DOMAINS = new Set([
  'gmail.com', 'outlook.com', 'hotmail.com', 'live.com', 'msn.com', 'icloud.com', 'me.com', 'mac.com',
  'fastmail.com', 'fastmail.fm', 'proton.me', 'protonmail.com', 'pm.me', 'zoho.com', 'yandex.com', 'yandex.ru',
]);
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * An email address for matching: trimmed, a `mailto:` prefix and `Name <...>` wrapper
 * removed, lower-cased (local parts are case-sensitive in theory, never in practice).
 * `googlemail.com` becomes `gmail.com`; for Gmail the dots of the local part are removed
 * (Gmail ignores them, no other provider does); for the providers that support
 * subaddressing a `+tag` is removed. Answers null when the value is not an address.
 */
export function normalizeEmail(value: string | null | undefined): string | null {
  if (value == null) return null;
  let email = value.trim().toLowerCase();
  const angle = /<([^>]+)>/.exec(email);
  if (angle?.[1] !== undefined) email = angle[1].trim();
  if (email.startsWith('mailto:')) email = email.slice(7);
  if (!EMAIL_RE.test(email)) return null;
  const at = email.lastIndexOf('@');
  let local = email.slice(0, at);
  let domain = email.slice(at + 1).replace(/\.$/, '');
  if (domain === 'googlemail.com') domain = 'gmail.com';
  if (SUBADDRESSING_DOMAINS.has(domain)) {
    const plus = local.indexOf('+');
    if (plus > 0) local = local.slice(0, plus);
  }
  if (domain === 'gmail.com') local = local.replaceAll('.', '');
  return local === '' ? null : `${local}@${domain}`;
}

/**
 * A phone number in E.164 (`+14155550123`), read with `defaultRegion` when it has no
 * country code. Answers null when libphonenumber cannot read a possible number from it.
 */
export function normalizePhone(value: string | null | undefined, defaultRegion?: CountryCode): string | null {
  if (value == null) return null;
  const text = value.trim();
  if (!/\d/.test(text)) return null;
  try {
    const parsed = parsePhoneNumberFromString(text, defaultRegion === undefined ? undefined : { defaultCountry: defaultRegion });
    if (parsed?.isPossible() !== true) return null;
    return parsed.number;
  } catch {
    return null;
  }
}

/**
 * A web domain: scheme, user info, port, path, query and a leading `www.` removed,
 * lower-cased (`https://WWW.Acme.co.uk/about` -> `acme.co.uk`). An email address gives its
 * domain. Answers null when no dotted host name remains.
 */
export function normalizeDomain(value: string | null | undefined): string | null {
  if (value == null) return null;
  let host = value.trim().toLowerCase();
  const at = host.lastIndexOf('@');
  if (at >= 0 && !host.includes('/')) host = host.slice(at + 1);
  host = host.replace(/^[a-z][a-z0-9+.-]*:\/\//, '');
  host = host.replace(/^[^/@]*@/, '');
  host = host.split(/[/?#]/)[0] ?? '';
  host = host.replace(/:\d+$/, '').replace(/\.$/, '').replace(/^www\d*\./, '');
  if (!/^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(host)) return null;
  return host;
}

/** Month names and abbreviations (English) for textual dates. */
const MONTHS: Readonly<Record<string, number>> = {
  jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, sept: 9, oct: 10, nov: 11, dec: 12,
};

/** How to read an all-numeric date whose year comes last (`03/04/1990`). */
export type DateOrder = 'dmy' | 'mdy';

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function ymd(year: number, month: number, day: number): string | null {
  if (month < 1 || month > 12 || day < 1 || day > 31 || year < 1000 || year > 9999) return null;
  return `${pad(year, 4)}${pad(month, 2)}${pad(day, 2)}`;
}

/**
 * A calendar date as `YYYYMMDD`, the compact form that makes one-digit typos visible to
 * an edit distance. Reads `YYYYMMDD`, ISO 8601 (`1990-04-03`, with or without a time),
 * `D/M/YYYY` or `M/D/YYYY` per `order` (a first part over 12 forces day-first), dots and
 * dashes as separators, and `3 Apr 1990` / `April 3, 1990`. An eight-digit value is kept
 * as written even when its month or day is impossible: a typo in a real record's date
 * still compares well with the true date. Answers null otherwise.
 */
export function normalizeDate(value: string | null | undefined, order: DateOrder = 'dmy'): string | null {
  if (value == null) return null;
  const text = value.trim().toLowerCase();
  if (text === '') return null;
  if (/^\d{8}$/.test(text)) return text;
  let match = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:$|[t\s])/.exec(text);
  if (match) return ymd(Number(match[1]), Number(match[2]), Number(match[3]));
  match = /^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$/.exec(text);
  if (match) {
    const first = Number(match[1]);
    const second = Number(match[2]);
    const year = Number(match[3]);
    const dayFirst = first > 12 || (order === 'dmy' && second <= 12);
    return dayFirst ? ymd(year, second, first) : ymd(year, first, second);
  }
  match = /^(\d{1,2})\s+([a-z]{3,9})\.?,?\s+(\d{4})$/.exec(text);
  if (match) {
    const month = MONTHS[(match[2] ?? '').slice(0, 3)] ?? 0;
    return ymd(Number(match[3]), month, Number(match[1]));
  }
  match = /^([a-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$/.exec(text);
  if (match) {
    const month = MONTHS[(match[1] ?? '').slice(0, 3)] ?? 0;
    return ymd(Number(match[3]), month, Number(match[2]));
  }
  return null;
}

/**
 * A postal code: upper case, spaces and dashes removed (`sw1a 1aa` -> `SW1A1AA`); a US
 * ZIP+4 keeps its five-digit ZIP (`94103-1234` -> `94103`) so that it meets the short form.
 */
export function normalizePostcode(value: string | null | undefined): string | null {
  if (value == null) return null;
  const text = value.trim().toUpperCase();
  const zip4 = /^(\d{5})-\d{4}$/.exec(text);
  if (zip4?.[1] !== undefined) return zip4[1];
  const code = text.replace(/[\s-]+/g, '');
  return /^[A-Z0-9]{2,10}$/.test(code) ? code : null;
}

/** Street-type words and their usual abbreviations, so that both spellings meet. */
const ADDRESS_ABBREVIATIONS: Readonly<Record<string, string>> = {
  street: 'st', road: 'rd', avenue: 'ave', av: 'ave', drive: 'dr', place: 'pl', crescent: 'cres', court: 'ct',
  lane: 'ln', boulevard: 'blvd', circuit: 'cct', parade: 'pde', terrace: 'tce', highway: 'hwy', close: 'cl',
  square: 'sq', grove: 'gr', way: 'wy', apartment: 'apt', suite: 'ste', unit: 'u', north: 'n', south: 's',
  east: 'e', west: 'w', mount: 'mt', saint: 'st', parkway: 'pkwy',
};

const ADDRESS_WORD_RE = new RegExp(`\\b(${Object.keys(ADDRESS_ABBREVIATIONS).join('|')})\\b`, 'g');

/** A street address: folded, street-type words abbreviated (`Wallaby Place` -> `wallaby pl`). */
export function normalizeAddress(value: string | null | undefined): string | null {
  if (value == null) return null;
  const text = foldText(value).replace(ADDRESS_WORD_RE, (word) => ADDRESS_ABBREVIATIONS[word] ?? word);
  return text === '' ? null : text;
}

/** Legal-form words that say nothing about which organisation it is. */
const LEGAL_FORMS = new Set([
  'inc', 'incorporated', 'llc', 'llp', 'lp', 'ltd', 'limited', 'plc', 'gmbh', 'ag', 'sa', 'sas', 'sarl', 'srl', 'spa',
  'bv', 'nv', 'pty', 'pte', 'co', 'corp', 'corporation', 'company', 'the', 'kg', 'oy', 'ab', 'as', 'aps', 'kk', 'pvt',
]);

/**
 * An organisation's name: folded, `&` read as `and`, legal forms and `the` removed
 * (`The ACME Corp., Inc.` -> `acme`). Answers the folded name when nothing else remains.
 */
export function normalizeOrganisation(value: string | null | undefined): string | null {
  if (value == null) return null;
  const folded = foldText(value.replace(/&/g, ' and '));
  if (folded === '') return null;
  const tokens = folded.split(' ');
  const kept = tokens.filter((token) => !LEGAL_FORMS.has(token));
  return kept.length === 0 ? folded : kept.join(' ');
}

/** An identifier (social security number, account number): upper case, alphanumerics only. */
export function normalizeIdentifier(value: string | null | undefined): string | null {
  if (value == null) return null;
  const id = value.toUpperCase().replace(/[^A-Z0-9]/g, '');
  return id === '' ? null : id;
}

/** Any other text: folded (see {@link foldText}); null when empty. */
export function normalizeText(value: string | null | undefined): string | null {
  if (value == null) return null;
  const text = foldText(value);
  return text === '' ? null : text;
}
