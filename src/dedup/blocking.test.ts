import { describe, expect, it } from 'vitest';
import { blockingKeys, candidatePairs } from './blocking.ts';
import { prepareRecords } from './prepare.ts';
import { resolveRules, rulesFor } from './rules.ts';
import type { DedupRecord } from './types.ts';

const rules = resolveRules(rulesFor('person', [
  { field: 'given', kind: 'givenName' },
  { field: 'surname', kind: 'surname' },
  { field: 'dob', kind: 'dateOfBirth' },
  { field: 'postcode', kind: 'postcode' },
  { field: 'email', kind: 'email' },
]));

/** Deterministic people from a deliberately small vocabulary, so that name blocks overflow. */
function people(count: number): DedupRecord[] {
  const given = ['james', 'mary', 'john', 'patricia', 'robert', 'jennifer', 'michael', 'linda', 'william', 'elizabeth', 'david', 'susan', 'richard', 'jessica', 'joseph', 'sarah', 'thomas', 'karen', 'charles', 'nancy'];
  const surnames = ['smith', 'johnson', 'williams', 'brown', 'jones', 'garcia', 'miller', 'davis', 'rodriguez', 'martinez', 'hernandez', 'lopez', 'gonzalez', 'wilson', 'anderson', 'thomas', 'taylor', 'moore', 'jackson', 'martin'];
  return Array.from({ length: count }, (_, i) => ({
    id: `p${i}`,
    fields: {
      given: given[i % given.length],
      surname: surnames[Math.floor(i / given.length) % surnames.length],
      dob: `19${String(40 + (i % 60)).padStart(2, '0')}${String(1 + (i % 12)).padStart(2, '0')}${String(1 + (i % 28)).padStart(2, '0')}`,
      postcode: String(2000 + (i % 700)),
      email: i % 3 === 0 ? `user${i}@example.com` : '',
    },
  }));
}

describe('blockingKeys', () => {
  it('gives swapped given and family names the same name keys', () => {
    const records = prepareRecords([
      { id: 'a', fields: { given: 'Jane', surname: 'Smith' } },
      { id: 'b', fields: { given: 'Smith', surname: 'Jane' } },
    ], [], rules);
    const keysA = blockingKeys(records, 0).filter((key) => key.startsWith('n:'));
    const keysB = blockingKeys(records, 1).filter((key) => key.startsWith('n:'));
    expect(keysA.length).toBe(2);
    expect([...keysA].sort()).toEqual([...keysB].sort());
  });
});

describe('candidatePairs', () => {
  it('pairs records that share a key, each pair once, and only across sides when linking', () => {
    const left = [{ id: 'l1', fields: { given: 'Jane', surname: 'Smith', email: 'jane@example.com' } }, { id: 'l2', fields: { given: 'Jane', surname: 'Smyth' } }];
    const right = [{ id: 'r1', fields: { given: 'Jane', surname: 'Smith', email: 'jane@example.com' } }];
    const linked = candidatePairs(prepareRecords(left, right, rules), rules.blocking);
    // Indexes: l1 = 0, l2 = 1, r1 = 2; n = 3. l1-l2 (same side) must not appear.
    expect([...linked.codes].sort((a, b) => a - b)).toEqual([0 * 3 + 2, 1 * 3 + 2]);
    const deduped = candidatePairs(prepareRecords([...left, { ...right[0], id: 'x' } as DedupRecord], [], rules), rules.blocking);
    expect(new Set(deduped.codes).size).toBe(deduped.codes.length);
    expect(deduped.codes).toContain(0 * 3 + 1);
  });

  it('grows linearly: 20,000 records with overflowing blocks give a bounded number of pairs', () => {
    const small = candidatePairs(prepareRecords(people(10_000), [], rules), rules.blocking);
    const large = candidatePairs(prepareRecords(people(20_000), [], rules), rules.blocking);
    expect(large.oversizeBlocks).toBeGreaterThan(0);
    // All pairs would be 200 million; the bound of blocking.ts is keys * n * maxBlockSize / 2 + passes * n * window.
    expect(large.codes.length).toBeLessThan(20_000 * 40);
    expect(large.codes.length / small.codes.length).toBeLessThan(2.3);
  });
});
