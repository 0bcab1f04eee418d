/**
 * Phonetic codes: Double Metaphone (Philips 2000), from the `double-metaphone` package
 * (wooorm; MIT, ~24 KB, no dependencies, ESM with types, no engines constraint, so it runs
 * on Node 20). A word gets a primary and an alternate code; two spellings that sound
 * alike share one of them (`Smith`/`Schmidt` -> SM0/XMT and XMT/SMT share XMT).
 */
import { doubleMetaphone } from 'double-metaphone';

/** Double Metaphone's primary and alternate codes of one word (`[primary, alternate]`). */
export function metaphone(word: string): readonly [string, string] {
  return doubleMetaphone(word);
}

/**
 * Keys already computed, by name: a pull computes one per person, and family names recur
 * (999 distinct among the sandbox's first 40,444 contacts), while Double Metaphone walks
 * every letter through its rules. Bounded: cleared when full.
 */
const PHONETIC_KEYS_LIMIT = 20_000;
const phoneticKeys = new Map<string, string>();

/**
 * The phonetic key of a (normalised, possibly multi-word) name: the primary codes of its
 * words, joined without separator, so that `mc donald` and `mcdonald` meet. Empty when the
 * name has no letters.
 */
export function phoneticKey(name: string): string {
  let key = phoneticKeys.get(name);
  if (key === undefined) {
    const words = name.split(' ');
    key = doubleMetaphone(words.length === 1 ? name : words.join(''))[0];
    if (phoneticKeys.size >= PHONETIC_KEYS_LIMIT) phoneticKeys.clear();
    phoneticKeys.set(name, key);
  }
  return key;
}

/**
 * True when two words sound alike under Double Metaphone: any of the first's codes equals
 * any of the second's. Empty codes (a word with no sounding letters) never match.
 */
export function soundsAlike(a: string, b: string): boolean {
  const [a1, a2] = doubleMetaphone(a);
  const [b1, b2] = doubleMetaphone(b);
  if (a1 === '' || b1 === '') return false;
  return a1 === b1 || a1 === b2 || a2 === b1 || a2 === b2;
}
