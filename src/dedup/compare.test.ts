import { describe, expect, it } from 'vitest';
import { exact, jaro, jaroWinkler, levenshtein, levenshteinSimilarity, tokenSetRatio } from './compare.ts';

/** The textbook dynamic programme, to check the bit-parallel implementation against. */
function referenceLevenshtein(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = d[i] as number[];
      const previous = d[i - 1] as number[];
      row[j] = Math.min((previous[j] as number) + 1, (row[j - 1] as number) + 1, (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return (d[a.length] as number[])[b.length] as number;
}

/** Jaro as the definition reads, with boolean arrays. */
function referenceJaro(a: string, b: string): number {
  if (a === b) return 1;
  const window = Math.max(0, Math.floor(Math.max(a.length, b.length) / 2) - 1);
  const usedA: boolean[] = Array.from({ length: a.length }, () => false);
  const usedB: boolean[] = Array.from({ length: b.length }, () => false);
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    for (let j = Math.max(0, i - window); j <= Math.min(b.length - 1, i + window); j++) {
      if (!usedB[j] && a[i] === b[j]) {
        usedA[i] = true;
        usedB[j] = true;
        m++;
        break;
      }
    }
  }
  if (m === 0) return 0;
  const matchedA = [...a].filter((_, i) => usedA[i]);
  const matchedB = [...b].filter((_, j) => usedB[j]);
  const t = matchedA.filter((c, k) => c !== matchedB[k]).length / 2;
  return (m / a.length + m / b.length + (m - t) / m) / 3;
}

/** A deterministic pseudo-random generator (mulberry32). */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('exact', () => {
  it('is 1 for equal strings and 0 otherwise', () => {
    expect(exact('a', 'a')).toBe(1);
    expect(exact('a', 'A')).toBe(0);
  });
});

describe('Jaro and Jaro-Winkler', () => {
  it('give the published values for the classic examples', () => {
    expect(jaro('martha', 'marhta')).toBeCloseTo(0.9444, 4);
    expect(jaroWinkler('martha', 'marhta')).toBeCloseTo(0.9611, 4);
    expect(jaroWinkler('dwayne', 'duane')).toBeCloseTo(0.84, 2);
    expect(jaroWinkler('dixon', 'dicksonx')).toBeCloseTo(0.8133, 4);
  });

  it('are 1 for equal strings, 0 for nothing in common or an empty side, and symmetric', () => {
    expect(jaroWinkler('smith', 'smith')).toBe(1);
    expect(jaroWinkler('abc', 'xyz')).toBe(0);
    expect(jaroWinkler('', 'abc')).toBe(0);
    expect(jaroWinkler('crate', 'trace')).toBeCloseTo(jaroWinkler('trace', 'crate'), 10);
  });

  it('match a plain reference implementation on random strings of every length', () => {
    const next = random(7);
    const alphabet = 'abcde';
    const word = (length: number): string => Array.from({ length }, () => alphabet[Math.floor(next() * alphabet.length)]).join('');
    for (let k = 0; k < 500; k++) {
      // Up to 45 characters: both the bit-mask path (<= 31) and the flag-array path.
      const a = word(1 + Math.floor(next() * 45));
      const b = word(1 + Math.floor(next() * 45));
      expect(jaro(a, b), `${a} / ${b}`).toBeCloseTo(referenceJaro(a, b), 12);
    }
  });
});

describe('Levenshtein', () => {
  it('counts insertions, deletions and substitutions', () => {
    expect(levenshtein('kitten', 'sitting')).toBe(3);
    expect(levenshtein('', 'abc')).toBe(3);
    expect(levenshtein('flaw', 'lawn')).toBe(2);
    expect(levenshteinSimilarity('19560409', '19560490')).toBeCloseTo(0.75, 10);
  });

  it('matches the reference dynamic programme on random strings, short and long, ASCII and not', () => {
    const next = random(42);
    const alphabet = 'abcdeé ';
    const word = (length: number): string => Array.from({ length }, () => alphabet[Math.floor(next() * alphabet.length)]).join('');
    for (let k = 0; k < 500; k++) {
      const a = word(Math.floor(next() * 40));
      const b = word(Math.floor(next() * 40));
      expect(levenshtein(a, b), `${a} / ${b}`).toBe(referenceLevenshtein(a, b));
    }
  });
});

describe('tokenSetRatio', () => {
  it('ignores word order and words present on one side only', () => {
    expect(tokenSetRatio('acme holdings ltd', 'ltd acme')).toBe(1);
    expect(tokenSetRatio('wallaby pl delmar', 'delmar wallaby pl')).toBe(1);
  });

  it('stays low for unrelated text and 0 for an empty side', () => {
    expect(tokenSetRatio('wallaby pl', 'hoseason st')).toBeLessThan(0.5);
    expect(tokenSetRatio('', 'abc')).toBe(0);
  });
});
