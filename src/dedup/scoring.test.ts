import { describe, expect, it } from 'vitest';
import { prepareRecords } from './prepare.ts';
import { resolveRules, rulesFor } from './rules.ts';
import { PairScorer, similarity } from './scoring.ts';
import type { DedupRecord, FieldRule } from './types.ts';

const personFields: FieldRule[] = [
  { field: 'given', kind: 'givenName' },
  { field: 'surname', kind: 'surname' },
  { field: 'email', kind: 'email' },
  { field: 'phone', kind: 'phone' },
  { field: 'dob', kind: 'dateOfBirth' },
  { field: 'city', kind: 'city' },
];

/** A background population, so that value frequencies (u) look like real data's. */
function background(count: number): DedupRecord[] {
  const syllables = ['ka', 'lo', 'mi', 'ne', 'ru', 'ta', 'vo', 'zi', 'be', 'do'];
  return Array.from({ length: count }, (_, i) => ({
    id: `bg${i}`,
    fields: {
      given: `${syllables[i % 10]}${syllables[Math.floor(i / 10) % 10]}n`,
      surname: `${syllables[Math.floor(i / 100) % 10]}${syllables[i % 7]}${syllables[Math.floor(i / 7) % 10]}`,
      email: `bg${i}@example.org`,
      dob: `19${String(30 + (i % 70)).padStart(2, '0')}0${1 + (i % 9)}1${i % 10}`,
      city: ['springfield', 'shelbyville', 'ogdenville', 'north haverbrook', 'capital city'][i % 5],
    },
  }));
}

/** Scores pair (0, 1) of `pair` against a background population. */
function scorePair(pair: readonly DedupRecord[], fields: FieldRule[] = personFields, overrides = {}): ReturnType<PairScorer['score']> {
  const rules = resolveRules(rulesFor('person', fields, { defaultRegion: 'US', ...overrides }));
  const scorer = new PairScorer(prepareRecords([...pair, ...background(300)], [], rules), rules);
  return scorer.score(0, 1);
}

const jane: DedupRecord = { id: 'a', fields: { given: 'Jane', surname: 'Kowalczyk', email: 'jane.k@example.com', dob: '1980-04-09', city: 'Springfield' } };

describe('similarity', () => {
  it('treats nicknames, swapped day and month, and reformatted phone numbers as near agreement', () => {
    expect(similarity('name', 'robert', 'bob')).toBe(0.95);
    expect(similarity('date', '19800409', '19800904')).toBe(0.9);
    expect(similarity('phone', '+14155550132', '4155550132')).toBe(0.9);
    expect(similarity('exact', 'a', 'b')).toBe(0);
  });
});

describe('PairScorer', () => {
  it('links a record to its typo-ridden copy above the match threshold', () => {
    const copy: DedupRecord = { id: 'b', fields: { given: 'Jnae', surname: 'Kowalczik', email: '', dob: '1980-04-09', city: 'Springfeld' } };
    const scored = scorePair([jane, copy]);
    expect(scored?.score).toBeGreaterThanOrEqual(0.9);
    expect(scored?.reason).toEqual({ kind: 'score' });
  });

  it('puts a pair with partial evidence between the thresholds (review)', () => {
    const cousin: DedupRecord = { id: 'b', fields: { given: 'Jane', surname: 'Kowalczyk', dob: '1981-07-12', city: 'Shelbyville' } };
    const scored = scorePair([jane, cousin]);
    expect(scored).not.toBeNull();
    expect(scored?.score).toBeGreaterThanOrEqual(0.5);
    expect(scored?.score).toBeLessThan(0.9);
  });

  it('answers null (distinct) for a pair below the review threshold', () => {
    const other: DedupRecord = { id: 'b', fields: { given: 'Boris', surname: 'Nakamura', email: 'boris@example.net', dob: '1955-12-01', city: 'Ogdenville' } };
    expect(scorePair([jane, other])).toBeNull();
  });

  it('keeps missing values neutral: removing a field from one side does not lower the score', () => {
    const full: DedupRecord = { id: 'b', fields: { ...jane.fields, email: 'someone.else@example.com' } };
    const partial: DedupRecord = { id: 'b', fields: { ...jane.fields, email: '' } };
    expect(scorePair([jane, partial])?.score).toBeGreaterThan(scorePair([jane, full])?.score ?? 0);
  });

  it('weighs agreement on a rare value more than on a common one', () => {
    const fields: FieldRule[] = [{ field: 'city', kind: 'city' }, { field: 'given', kind: 'givenName' }];
    const rules = resolveRules(rulesFor('person', fields, { thresholds: { match: 0.9, review: 0.01 } }));
    const records: DedupRecord[] = [
      { id: 'a', fields: { city: 'springfield', given: 'ann' } },
      { id: 'b', fields: { city: 'springfield', given: 'ann' } },
      { id: 'c', fields: { city: 'ulan bator', given: 'ann' } },
      { id: 'd', fields: { city: 'ulan bator', given: 'ann' } },
      ...background(100),
    ];
    const scorer = new PairScorer(prepareRecords(records, [], rules), rules);
    expect(scorer.evidence(2, 3)).toBeGreaterThan(scorer.evidence(0, 1));
  });

  it('recognises swapped given and family names', () => {
    const swapped: DedupRecord = { id: 'b', fields: { ...jane.fields, given: 'Kowalczyk', surname: 'Jane' } };
    expect(scorePair([jane, swapped])?.score).toBeGreaterThanOrEqual(0.9);
  });

  it('short-circuits a shared email or phone to a match', () => {
    const sparse: DedupRecord = { id: 'b', fields: { given: 'J', email: 'JANE.K@example.com' } };
    expect(scorePair([jane, sparse])).toEqual({ score: 1, reason: { kind: 'strong-identifier', field: 'email' } });
    const byPhone = scorePair([{ id: 'a', fields: { phone: '(415) 555-0132' } }, { id: 'b', fields: { phone: '+1 415 555 0132' } }]);
    expect(byPhone?.reason).toEqual({ kind: 'strong-identifier', field: 'phone' });
  });

  it('does not short-circuit a strong identifier that the names contradict, or that too many records share', () => {
    const household: DedupRecord[] = [
      { id: 'a', fields: { given: 'Jane', surname: 'Kowalczyk', phone: '(415) 555-0132' } },
      { id: 'b', fields: { given: 'Boris', surname: 'Kowalczyk', phone: '(415) 555-0132' } },
    ];
    expect(scorePair(household)?.reason).not.toEqual({ kind: 'strong-identifier', field: 'phone' });
    const shared = Array.from({ length: 7 }, (_, i) => ({ id: `s${i}`, fields: { given: `name${i}x`, email: 'info@acme.com' } }));
    expect(scorePair(shared)?.reason).not.toEqual({ kind: 'strong-identifier', field: 'email' });
  });
});

describe('strong identifiers of organisations', () => {
  it('do not merge two companies that share a web host but not a name', () => {
    const fields: FieldRule[] = [{ field: 'name', kind: 'organisation' }, { field: 'domain', kind: 'domain' }];
    const host = [
      { id: 'a', fields: { name: 'Will, Fay and Haag', domain: 'https://www.candid-slipper.name/' } },
      { id: 'b', fields: { name: "O'Reilly, Torphy-Sauer and Koepp LLC", domain: 'candid-slipper.name' } },
    ];
    expect(scorePair(host, fields)?.reason).not.toEqual({ kind: 'strong-identifier', field: 'domain' });
    const same = [host[0] as DedupRecord, { id: 'b', fields: { name: 'WILL, FAY AND HAAG LLC', domain: 'candid-slipper.name' } }];
    expect(scorePair(same, fields)).toEqual({ score: 1, reason: { kind: 'strong-identifier', field: 'domain' } });
  });
});

describe('resolveRules', () => {
  it('rejects thresholds out of order and probabilities out of range', () => {
    expect(() => resolveRules(rulesFor('person', personFields, { thresholds: { match: 0.5, review: 0.9 } }))).toThrow(/thresholds.review/);
    expect(() => resolveRules(rulesFor('person', [{ field: 'x', kind: 'text', m: 1 }]))).toThrow(/fields.0.m/);
    expect(() => resolveRules(rulesFor('person', []))).toThrow(/at least one field/);
    expect(() => resolveRules(rulesFor('person', [{ field: 'x', kind: 'text' }, { field: 'x', kind: 'email' }]))).toThrow(/twice/);
  });
});
