import { describe, expect, it } from 'vitest';
import {
  foldText, normalizeAddress, normalizeDate, normalizeDomain, normalizeEmail, normalizeGivenName, normalizeIdentifier,
  normalizeName, normalizeOrganisation, normalizePhone, normalizePostcode,
} from './normalize.ts';
import { areNicknameVariants, canonicalGivenName } from './nicknames.ts';

describe('foldText', () => {
  it('removes accents, case and punctuation, and drops apostrophes inside words', () => {
    expect(foldText('  Zoë Müller-Lüdenscheidt ')).toBe('zoe muller ludenscheidt');
    expect(foldText("O'Brien")).toBe('obrien');
    expect(foldText('Straße Łódź Ærø')).toBe('strasse lodz aero');
  });
});

describe('normalizeName', () => {
  it('drops titles and suffixes but keeps a lone word even if it looks like one', () => {
    expect(normalizeName('Dr. Martin Luther King, Jr.')).toBe('martin luther king');
    expect(normalizeName('Mrs Jane Smith III')).toBe('jane smith');
    expect(normalizeName('Miss')).toBe('miss');
  });

  it('answers null for empty or punctuation-only values', () => {
    expect(normalizeName('')).toBeNull();
    expect(normalizeName(' - ')).toBeNull();
    expect(normalizeName(null)).toBeNull();
  });
});

describe('nicknames', () => {
  it('maps unambiguous nicknames to the formal name', () => {
    expect(normalizeGivenName('Bob')).toBe('robert');
    expect(normalizeGivenName('Bill')).toBe('william');
    expect(normalizeGivenName('Katie')).toBe('katherine');
    expect(normalizeGivenName('Bob James')).toBe('robert james');
    expect(canonicalGivenName('zebedee')).toBe('zebedee');
  });

  it('keeps ambiguous nicknames but knows their variants', () => {
    expect(normalizeGivenName('Chris')).toBe('chris');
    expect(areNicknameVariants('chris', 'christopher')).toBe(true);
    expect(areNicknameVariants('chris', 'christine')).toBe(true);
    expect(areNicknameVariants('liz', 'beth')).toBe(true);
    expect(areNicknameVariants('kate', 'katherine')).toBe(true);
    expect(areNicknameVariants('bob', 'william')).toBe(false);
  });
});

describe('normalizeEmail', () => {
  it('lower-cases and trims, and unwraps display names and mailto', () => {
    expect(normalizeEmail('  Jane.Doe@Example.COM ')).toBe('jane.doe@example.com');
    expect(normalizeEmail('Jane Doe <jane@example.com>')).toBe('jane@example.com');
    expect(normalizeEmail('mailto:jane@example.com')).toBe('jane@example.com');
  });

  it('removes Gmail dots and subaddress tags at providers that support them, nowhere else', () => {
    expect(normalizeEmail('J.A.N.E+news@googlemail.com')).toBe('jane@gmail.com');
    expect(normalizeEmail('jane+crm@outlook.com')).toBe('jane@outlook.com');
    expect(normalizeEmail('jane.doe+sales@acme.io')).toBe('jane.doe+sales@acme.io');
  });

  it('answers null for values that are not addresses', () => {
    expect(normalizeEmail('not an email')).toBeNull();
    expect(normalizeEmail('jane@localhost')).toBeNull();
  });
});

describe('normalizePhone', () => {
  it('gives E.164 with the default region for national numbers', () => {
    expect(normalizePhone('(415) 555-0132', 'US')).toBe('+14155550132');
    expect(normalizePhone('020 7946 0018', 'GB')).toBe('+442079460018');
    expect(normalizePhone('+44 20 7946 0018')).toBe('+442079460018');
  });

  it('answers null for what cannot be a phone number', () => {
    expect(normalizePhone('n/a', 'US')).toBeNull();
    expect(normalizePhone('12', 'US')).toBeNull();
    expect(normalizePhone('555-0132')).toBeNull();
  });
});

describe('normalizeDomain', () => {
  it('strips scheme, www, path and port, and reads an email address', () => {
    expect(normalizeDomain('https://WWW.Acme.co.uk:8443/about?x=1')).toBe('acme.co.uk');
    expect(normalizeDomain('acme.com')).toBe('acme.com');
    expect(normalizeDomain('sales@acme.com')).toBe('acme.com');
    expect(normalizeDomain('localhost')).toBeNull();
  });
});

describe('normalizeDate', () => {
  it('reads compact, ISO, numeric and textual dates as YYYYMMDD', () => {
    expect(normalizeDate('19560409')).toBe('19560409');
    expect(normalizeDate('1956-04-09T00:00:00Z')).toBe('19560409');
    expect(normalizeDate('9/4/1956')).toBe('19560409');
    expect(normalizeDate('4/9/1956', 'mdy')).toBe('19560409');
    expect(normalizeDate('25/12/1990', 'mdy')).toBe('19901225');
    expect(normalizeDate('9 Apr 1956')).toBe('19560409');
    expect(normalizeDate('April 9th, 1956')).toBe('19560409');
  });

  it('keeps an eight-digit typo as written and rejects impossible dates in other forms', () => {
    expect(normalizeDate('19561340')).toBe('19561340');
    expect(normalizeDate('1956-13-40')).toBeNull();
    expect(normalizeDate('yesterday')).toBeNull();
  });
});

describe('other normalisers', () => {
  it('postcodes: upper case, no spaces, ZIP+4 shortened', () => {
    expect(normalizePostcode('sw1a 1aa')).toBe('SW1A1AA');
    expect(normalizePostcode('94103-1234')).toBe('94103');
    expect(normalizePostcode('2119')).toBe('2119');
    expect(normalizePostcode('?')).toBeNull();
  });

  it('addresses: street types abbreviated', () => {
    expect(normalizeAddress('7 Wallaby Place')).toBe('7 wallaby pl');
    expect(normalizeAddress('12 Hoseason St.')).toBe('12 hoseason st');
  });

  it('organisations: legal forms and "the" removed, & read as and', () => {
    expect(normalizeOrganisation('The ACME Corp., Inc.')).toBe('acme');
    expect(normalizeOrganisation('Smith & Sons Pty Ltd')).toBe('smith and sons');
    expect(normalizeOrganisation('Limited')).toBe('limited');
  });

  it('identifiers: alphanumerics only, upper case', () => {
    expect(normalizeIdentifier(' 123-45-6789 ')).toBe('123456789');
    expect(normalizeIdentifier('ab 12')).toBe('AB12');
    expect(normalizeIdentifier('--')).toBeNull();
  });
});
