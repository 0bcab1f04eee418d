/**
 * String comparators. Each answers a similarity in [0, 1] where 1 means identical.
 * They are hot-path code (called for every candidate pair and field), so they reuse
 * scratch buffers and avoid allocation; they are still pure: no state survives a call.
 */

/** 1 when the two strings are equal, else 0. */
export function exact(a: string, b: string): number {
  return a === b ? 1 : 0;
}

let flagsA = new Uint8Array(64);
let flagsB = new Uint8Array(64);

function ensureFlags(length: number): void {
  if (flagsA.length < length) {
    flagsA = new Uint8Array(length * 2);
    flagsB = new Uint8Array(length * 2);
  }
}

/** Jaro for strings of at most 31 characters, with bit masks instead of flag arrays. */
function jaroShort(a: string, b: string, lenA: number, lenB: number, window: number): number {
  let maskA = 0;
  let maskB = 0;
  let matches = 0;
  for (let i = 0; i < lenA; i++) {
    const lo = i > window ? i - window : 0;
    let hi = i + window + 1;
    if (hi > lenB) hi = lenB;
    const code = a.charCodeAt(i);
    for (let j = lo; j < hi; j++) {
      if (b.charCodeAt(j) === code && ((maskB >> j) & 1) === 0) {
        maskA |= 1 << i;
        maskB |= 1 << j;
        matches++;
        break;
      }
    }
  }
  if (matches === 0) return 0;
  let transpositions = 0;
  let k = 0;
  for (let i = 0; i < lenA; i++) {
    if (((maskA >> i) & 1) === 0) continue;
    while (((maskB >> k) & 1) === 0) k++;
    if (a.charCodeAt(i) !== b.charCodeAt(k)) transpositions++;
    k++;
  }
  return (matches / lenA + matches / lenB + (matches - transpositions / 2) / matches) / 3;
}

/** Jaro similarity (Jaro 1989): matching characters within a window, minus transpositions. */
export function jaro(a: string, b: string): number {
  if (a === b) return 1;
  const lenA = a.length;
  const lenB = b.length;
  if (lenA === 0 || lenB === 0) return 0;
  const window = Math.max(0, (Math.max(lenA, lenB) >> 1) - 1);
  if (lenA <= 31 && lenB <= 31) return jaroShort(a, b, lenA, lenB, window);
  ensureFlags(Math.max(lenA, lenB));
  flagsA.fill(0, 0, lenA);
  flagsB.fill(0, 0, lenB);
  let matches = 0;
  for (let i = 0; i < lenA; i++) {
    const lo = Math.max(0, i - window);
    const hi = Math.min(lenB - 1, i + window);
    const code = a.charCodeAt(i);
    for (let j = lo; j <= hi; j++) {
      if (flagsB[j] === 0 && b.charCodeAt(j) === code) {
        flagsA[i] = 1;
        flagsB[j] = 1;
        matches++;
        break;
      }
    }
  }
  if (matches === 0) return 0;
  let transpositions = 0;
  let k = 0;
  for (let i = 0; i < lenA; i++) {
    if (flagsA[i] === 0) continue;
    while (flagsB[k] === 0) k++;
    if (a.charCodeAt(i) !== b.charCodeAt(k)) transpositions++;
    k++;
  }
  return (matches / lenA + matches / lenB + (matches - transpositions / 2) / matches) / 3;
}

/**
 * Jaro-Winkler similarity (Winkler 1990): Jaro boosted by a common prefix of up to four
 * characters with scaling factor 0.1, applied (as Winkler did) only when Jaro is at least
 * 0.7. `martha`/`marhta` -> 0.961, `dixon`/`dicksonx` -> 0.813.
 */
export function jaroWinkler(a: string, b: string): number {
  const j = jaro(a, b);
  if (j < 0.7) return j;
  const limit = Math.min(4, a.length, b.length);
  let prefix = 0;
  while (prefix < limit && a.charCodeAt(prefix) === b.charCodeAt(prefix)) prefix++;
  return j + prefix * 0.1 * (1 - j);
}

let row = new Int32Array(64);
const peq = new Int32Array(128);

/**
 * Myers' bit-parallel edit distance (Myers 1999, in Hyyro's formulation) for a pattern of
 * at most 32 ASCII characters: one pass over the text with word operations. Answers -1
 * (having done nothing) when the pattern is not ASCII.
 */
function myers(pattern: string, text: string): number {
  const m = pattern.length;
  for (let i = 0; i < m; i++) {
    const code = pattern.charCodeAt(i);
    if (code >= 128) {
      for (let k = 0; k < i; k++) peq[pattern.charCodeAt(k)] = 0;
      return -1;
    }
    peq[code] = (peq[code] as number) | (1 << i);
  }
  let pv = -1;
  let mv = 0;
  let score = m;
  const last = 1 << (m - 1);
  for (let j = 0; j < text.length; j++) {
    const code = text.charCodeAt(j);
    const eq = code < 128 ? (peq[code] as number) : 0;
    const xv = eq | mv;
    const xh = (((eq & pv) + pv) ^ pv) | eq;
    let ph = mv | ~(xh | pv);
    let mh = pv & xh;
    if (ph & last) score++;
    else if (mh & last) score--;
    ph = (ph << 1) | 1;
    mh <<= 1;
    pv = mh | ~(xv | ph);
    mv = ph & xv;
  }
  for (let i = 0; i < m; i++) peq[pattern.charCodeAt(i)] = 0;
  return score;
}

/** Levenshtein edit distance: insertions, deletions and substitutions, each costing 1. */
export function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  const longer = a.length >= b.length ? a : b;
  const shorter = a.length >= b.length ? b : a;
  const lenA = longer.length;
  const lenB = shorter.length;
  if (lenB === 0) return lenA;
  if (lenB <= 32) {
    const distance = myers(shorter, longer);
    if (distance >= 0) return distance;
  }
  if (row.length <= lenB) row = new Int32Array((lenB + 1) * 2);
  for (let j = 0; j <= lenB; j++) row[j] = j;
  for (let i = 1; i <= lenA; i++) {
    let diagonal = row[0] as number;
    row[0] = i;
    const code = longer.charCodeAt(i - 1);
    for (let j = 1; j <= lenB; j++) {
      const above = row[j] as number;
      const cost = code === shorter.charCodeAt(j - 1) ? 0 : 1;
      row[j] = Math.min(above + 1, (row[j - 1] as number) + 1, diagonal + cost);
      diagonal = above;
    }
  }
  return row[lenB] as number;
}

/** Levenshtein distance scaled to a similarity: 1 - distance / longer length. */
export function levenshteinSimilarity(a: string, b: string): number {
  if (a === b) return 1;
  const longer = Math.max(a.length, b.length);
  return longer === 0 ? 1 : 1 - levenshtein(a, b) / longer;
}

/** The distinct words of a space-separated string, sorted: the input of {@link tokenSetRatioOfTokens}. */
export function sortedTokens(text: string): string[] {
  const parts = text.split(' ').filter((token) => token !== '');
  return [...new Set(parts)].sort();
}

/**
 * Token-set ratio (as fuzzywuzzy defines it, with normalised Levenshtein as the base
 * ratio): the words common to both strings compared with each side's full word set, so
 * that word order and extra words matter little (`acme holdings ltd` vs `ltd acme` -> 1).
 * Expects space-separated, already-folded text.
 */
export function tokenSetRatio(a: string, b: string): number {
  if (a === b) return 1;
  return tokenSetRatioOfTokens(sortedTokens(a), sortedTokens(b));
}

/** {@link tokenSetRatio} over words already split by {@link sortedTokens}. */
export function tokenSetRatioOfTokens(tokensA: readonly string[], tokensB: readonly string[]): number {
  if (tokensA.length === 0 || tokensB.length === 0) return 0;
  const common: string[] = [];
  const onlyA: string[] = [];
  const onlyB: string[] = [];
  // Both lists are sorted: merge them.
  let x = 0;
  let y = 0;
  while (x < tokensA.length || y < tokensB.length) {
    const ta = tokensA[x];
    const tb = tokensB[y];
    if (ta !== undefined && ta === tb) {
      common.push(ta);
      x++;
      y++;
    } else if (tb === undefined || (ta !== undefined && ta < tb)) {
      onlyA.push(ta as string);
      x++;
    } else {
      onlyB.push(tb);
      y++;
    }
  }
  const base = common.join(' ');
  const restA = onlyA.join(' ');
  const restB = onlyB.join(' ');
  const combinedA = restA === '' ? base : base === '' ? restA : `${base} ${restA}`;
  const combinedB = restB === '' ? base : base === '' ? restB : `${base} ${restB}`;
  let best = levenshteinSimilarity(combinedA, combinedB);
  if (base !== '') best = Math.max(best, levenshteinSimilarity(base, combinedA), levenshteinSimilarity(base, combinedB));
  return best;
}
