import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { TributaryError } from '../domain/errors.ts';
import { parseCsv } from './csv.ts';
import { findDuplicates, linkRecords } from './engine.ts';
import { inferRules } from './infer.ts';
import { DEFAULT_RULES } from './rules.ts';
import type { DedupRecord } from './types.ts';

const people: DedupRecord[] = [
  { id: '1', fields: { givenName: 'Robert', familyName: 'Smith', email: 'bob.smith@example.com', birthDate: '1970-01-02', city: 'Leeds' } },
  { id: '2', fields: { givenName: 'Bob', familyName: 'Smith', email: 'BOB.SMITH@example.com', city: 'Leeds' } },
  { id: '3', fields: { givenName: 'Bobby', familyName: 'Smyth', birthDate: '02/01/1970', city: 'Leeds', postcode: 'LS1 4AP' } },
  { id: '4', fields: { givenName: 'Alice', familyName: 'Jones', email: 'alice@example.com', birthDate: '1985-06-07', city: 'York' } },
  { id: '5', fields: { givenName: 'Alicia', familyName: 'Jones', phone: '+44 20 7946 0018', city: 'Bath' } },
  { id: '6', fields: { givenName: 'Marek', familyName: 'Nowak', phone: '020 7946 0018', city: 'Bath' } },
];

describe('findDuplicates', () => {
  it('links duplicates within one source into clusters with lineage', () => {
    const result = findDuplicates(people, { ...DEFAULT_RULES.person, defaultRegion: 'GB' });
    const matches = result.pairs.filter((p) => p.decision === 'match').map((p) => [p.leftId, p.rightId]);
    expect(matches).toContainEqual(['1', '2']);
    expect(matches).toContainEqual(['1', '3']);
    expect(matches.some(([a, b]) => a === '4' || b === '4')).toBe(false);
    expect(result.clusters.map((c) => c.members.map((m) => m.id))).toEqual([['1', '2', '3']]);
    expect(result.clusters[0]?.lineage.length).toBeGreaterThanOrEqual(2);
    expect(result.stats.records).toBe(6);
  });

  it('rejects repeated ids', () => {
    const twice = [people[0], people[0]] as DedupRecord[];
    expect(() => findDuplicates(twice, DEFAULT_RULES.person)).toThrow(TributaryError);
  });

  it('reports progress through every phase', () => {
    const phases = new Set<string>();
    findDuplicates(people, DEFAULT_RULES.person, { onProgress: (phase) => phases.add(phase) });
    expect([...phases]).toEqual(['prepare', 'block', 'score', 'cluster']);
  });
});

describe('full names', () => {
  it('meet across nicknames, word order and titles', () => {
    const rules = { entityType: 'person', fields: [{ field: 'name', kind: 'name' as const }, { field: 'city', kind: 'city' as const }], thresholds: { match: 0.9, review: 0.5 } };
    const records: DedupRecord[] = [
      { id: '1', fields: { name: 'Dr. Robert Kowalczyk', city: 'Leeds' } },
      { id: '2', fields: { name: 'Bob Kowalczyk', city: 'Leeds' } },
      { id: '3', fields: { name: 'Kowalczyk, Robert', city: 'Leeds' } },
      { id: '4', fields: { name: 'Alice Nakamura', city: 'Leeds' } },
    ];
    const matches = findDuplicates(records, rules).pairs.filter((p) => p.decision === 'match').map((p) => `${p.leftId}-${p.rightId}`);
    expect(matches.sort()).toEqual(['1-2', '1-3', '2-3']);
  });
});

describe('linkRecords', () => {
  it('pairs only left with right records, with ids that may collide across sides', () => {
    const left: DedupRecord[] = [{ id: '1', fields: { name: 'Acme Corporation', domain: 'https://acme.com', city: 'Boston' } }, { id: '2', fields: { name: 'Acme Corp', domain: 'acme.com' } }];
    const right: DedupRecord[] = [{ id: '1', fields: { name: 'ACME Corp.', domain: 'www.acme.com', city: 'Boston' } }, { id: '9', fields: { name: 'Globex', domain: 'globex.com' } }];
    const result = linkRecords(left, right, DEFAULT_RULES.organization);
    expect(result.pairs.map((p) => [p.leftId, p.rightId, p.decision])).toEqual([['1', '1', 'match'], ['2', '1', 'match']]);
    expect(result.clusters[0]?.members).toEqual([{ side: 'left', id: '1' }, { side: 'left', id: '2' }, { side: 'right', id: '1' }]);
  });

  it('answers nothing when a side is empty', () => {
    expect(linkRecords(people, [], DEFAULT_RULES.person).pairs).toEqual([]);
  });
});

/** shared/data/febrl beside the repository (or above it), as the benchmark finds it. */
function febrlDir(): string | undefined {
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
    for (const candidate of [path.join(dir, 'shared', 'data', 'febrl'), path.join(dir, '..', 'shared', 'data', 'febrl')]) {
      if (fs.existsSync(path.join(candidate, 'dataset4a.csv'))) return candidate;
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}

const febrl = febrlDir();

describe.skipIf(febrl === undefined)(`accuracy on FEBRL ${febrl === undefined ? '(skipped: shared/data/febrl not found beside the repository)' : ''}`, () => {
  function load(file: string): { header: string[]; rows: string[][]; records: DedupRecord[] } {
    const [header = [], ...rows] = parseCsv(fs.readFileSync(path.join(febrl as string, file), 'utf8'));
    const records = rows.map((row) => ({ id: row[0] ?? '', fields: Object.fromEntries(header.slice(1).map((column, i) => [column, row[i + 1] ?? ''])) }));
    return { header, rows, records };
  }

  it('links the first 1,000 records of dataset4a to dataset4b with F1 above 0.9', () => {
    const a = load('dataset4a.csv');
    const b = load('dataset4b.csv');
    const left = a.records.slice(0, 1000);
    const rules = inferRules(a.header, a.rows.slice(0, 200), ['rec_id']);
    expect(rules.fields.map((f) => f.field)).not.toContain('rec_id');
    const result = linkRecords(left, b.records, rules);
    const entity = (id: string): string => id.split('-')[1] ?? id;
    const matches = result.pairs.filter((p) => p.decision === 'match');
    const truePositives = matches.filter((p) => entity(p.leftId) === entity(p.rightId)).length;
    const precision = truePositives / matches.length;
    const recall = truePositives / left.length;
    const f1 = (2 * precision * recall) / (precision + recall);
    expect(f1).toBeGreaterThan(0.9);
  });
});
