/**
 * Blocking: which pairs of records are worth scoring at all. Comparing every pair is
 * quadratic; instead each record gets a few blocking keys (phonetic surname + first
 * initial and the reverse, email, phone, identifiers, date of birth, postcode + birth
 * year, organisation name, domain) and only records sharing a key are paired, plus a
 * sorted-neighbourhood pass over each name (family + given, full, organisation) that
 * catches what a typo in every key would miss. A block larger than `maxBlockSize` is split by a fallback key (birth year and the
 * first letters of the name) and, if still too large, compared only within a sliding
 * window, so no block costs more than `size * window` pairs.
 *
 * Bound: at most `keys * n * maxBlockSize / 2 + passes * n * (window - 1)` candidate pairs
 * for n records: linear in n.
 */
import { canonicalGivenName } from './nicknames.ts';
import { metaphone } from './phonetic.ts';
import type { PreparedField, PreparedRecords } from './prepare.ts';

export interface CandidatePairs {
  /** Pair codes `low * n + high` (low < high), each once, ascending. */
  readonly codes: Float64Array;
  readonly oversizeBlocks: number;
}

interface KeyContext {
  readonly given: PreparedField | undefined;
  readonly surname: PreparedField | undefined;
  readonly fullNames: readonly PreparedField[];
  readonly dob: PreparedField | undefined;
  readonly postcode: PreparedField | undefined;
  readonly organisations: readonly PreparedField[];
  /** Fields whose exact value is a key on its own, with their key prefixes. */
  readonly exactKeys: readonly { readonly field: PreparedField; readonly prefix: string }[];
}

function firstOfKind(records: PreparedRecords, ...kinds: string[]): PreparedField | undefined {
  return records.fields.find((field) => kinds.includes(field.rule.kind));
}

function context(records: PreparedRecords): KeyContext {
  return {
    given: firstOfKind(records, 'givenName'),
    surname: firstOfKind(records, 'surname'),
    fullNames: records.fields.filter((field) => field.rule.kind === 'name'),
    dob: firstOfKind(records, 'dateOfBirth'),
    postcode: firstOfKind(records, 'postcode'),
    organisations: records.fields.filter((field) => field.rule.kind === 'organisation'),
    exactKeys: records.fields
      .map((field, index) => ({ field, prefix: `x${index}:` }))
      .filter(({ field }) => ['email', 'phone', 'idNumber', 'externalId', 'domain', 'dateOfBirth'].includes(field.rule.kind)),
  };
}

/**
 * The blocking keys of record i. Each key is prefixed by what it is, so keys of different
 * kinds never meet. The exact-value keys (`x<field>:<value>`) come last.
 */
export function blockingKeys(records: PreparedRecords, i: number, ctx: KeyContext = context(records)): string[] {
  const keys = derivedKeys(ctx, i);
  for (const { field, prefix } of ctx.exactKeys) {
    const value = field.values[i];
    if (value != null) keys.push(prefix + value);
  }
  return keys;
}

/** The keys built from parts of values (phonetic codes, initials, years). */
function derivedKeys(ctx: KeyContext, i: number): string[] {
  const keys: string[] = [];
  const given = ctx.given?.values[i] ?? null;
  const surname = ctx.surname?.values[i] ?? null;
  const givenCode = ctx.given?.phonetic?.[i] ?? '';
  const surnameCode = ctx.surname?.phonetic?.[i] ?? '';
  // Unprefixed by field, so that a record with given and family names swapped still meets.
  // The given name's code is of its formal form (`bob` -> ROBRT) and its initial as
  // written: a nickname meets its formal name through one key, a typo'd nickname its
  // correct spelling through the other.
  if (surnameCode !== '' && given !== null) keys.push(`n:${surnameCode}|${given[0]}`);
  if (givenCode !== '' && surname !== null) keys.push(`n:${givenCode}|${surname[0]}`);
  if (given !== null && surname === null && givenCode !== '') keys.push(`g:${givenCode}`);
  if (surname !== null && given === null && surnameCode !== '') keys.push(`g:${surnameCode}`);
  for (const field of ctx.fullNames) {
    const name = field.values[i];
    if (name == null) continue;
    const words = name.split(' ');
    const first = words[0] ?? '';
    const last = words[words.length - 1] ?? '';
    if (words.length === 1) keys.push(`g:${field.phonetic?.[i] ?? name}`);
    // The same shape as the given/family name keys, so a full name meets its split form.
    else keys.push(`n:${metaphone(last)[0]}|${first[0]}`, `n:${metaphone(canonicalGivenName(first))[0]}|${last[0]}`);
  }
  for (const field of ctx.organisations) {
    const name = field.values[i];
    if (name == null) continue;
    const words = name.split(' ');
    keys.push(`o:${name}`, `o:${metaphone(words[0] ?? '')[0]}|${(words[1] ?? '').slice(0, 1)}`);
  }
  const dob = ctx.dob?.values[i] ?? null;
  const postcode = ctx.postcode?.values[i] ?? null;
  if (postcode !== null && dob !== null) keys.push(`py:${postcode}|${dob.slice(0, 4)}`);
  if (postcode !== null && surnameCode !== '') keys.push(`ps:${postcode}|${surnameCode.slice(0, 2)}`);
  return keys;
}

/** The fallback key used to split an oversize block: birth year and the first letters of the names. */
function fallbackKey(ctx: KeyContext, i: number): string {
  const dob = ctx.dob?.values[i] ?? '';
  const given = ctx.given?.values[i] ?? ctx.fullNames[0]?.values[i] ?? ctx.organisations[0]?.values[i] ?? '';
  const surname = ctx.surname?.values[i] ?? '';
  return `${dob.slice(0, 4)}|${given.slice(0, 2)}|${surname.slice(0, 2)}`;
}

/**
 * The sort keys of record i, one per sorted-neighbourhood pass: family then given name
 * (when the rules have them), then each full-name and organisation field. An empty key
 * leaves the record out of that pass.
 */
function sortKeys(ctx: KeyContext, i: number): string[] {
  const keys: string[] = [];
  if (ctx.given !== undefined || ctx.surname !== undefined) {
    const given = ctx.given?.values[i] ?? '';
    const surname = ctx.surname?.values[i] ?? '';
    keys.push(given === '' && surname === '' ? '' : `${surname} ${given}`);
  }
  for (const field of ctx.fullNames) keys.push(field.values[i] ?? '');
  for (const field of ctx.organisations) keys.push(field.values[i] ?? '');
  return keys;
}

/**
 * Collects candidate pairs as codes `low * n + high`; in linkage mode only left-right
 * pairs. Duplicates are removed once at the end by sorting (cheaper than a hash set).
 */
class PairCollector {
  private readonly codes: number[] = [];
  constructor(private readonly n: number, private readonly rightStart: number) {}

  add(a: number, b: number): void {
    if (a === b) return;
    const low = a < b ? a : b;
    const high = a < b ? b : a;
    if (this.rightStart < this.n && (low >= this.rightStart || high < this.rightStart)) return;
    this.codes.push(low * this.n + high);
  }

  /** The distinct codes, ascending: by lower index, then higher. */
  distinct(): Float64Array {
    const sorted = Float64Array.from(this.codes).sort();
    let kept = 0;
    for (let k = 0; k < sorted.length; k++) {
      if (k === 0 || sorted[k] !== sorted[kept - 1]) sorted[kept++] = sorted[k] as number;
    }
    return sorted.subarray(0, kept);
  }
}

function addWindowed(pairs: PairCollector, members: readonly number[], keys: readonly string[], window: number): void {
  const sorted = [...members].sort((a, b) => {
    const ka = keys[a] as string;
    const kb = keys[b] as string;
    return ka < kb ? -1 : ka > kb ? 1 : a - b;
  });
  for (let x = 0; x < sorted.length; x++) {
    const end = Math.min(sorted.length, x + window);
    for (let y = x + 1; y < end; y++) pairs.add(sorted[x] as number, sorted[y] as number);
  }
}

function addAllPairs(pairs: PairCollector, members: readonly number[]): void {
  for (let x = 0; x < members.length; x++) {
    for (let y = x + 1; y < members.length; y++) pairs.add(members[x] as number, members[y] as number);
  }
}

/** Candidate pairs for the prepared records (one source, or left x right when `rightStart < n`). */
export function candidatePairs(records: PreparedRecords, options: { readonly maxBlockSize: number; readonly window: number }): CandidatePairs {
  const n = records.ids.length;
  const ctx = context(records);
  const pairs = new PairCollector(n, records.rightStart);
  // A block's members: one index until a second record shares the key (most never do).
  const blocks = new Map<string, number | number[]>();
  const allSortKeys: string[][] = [];
  for (let i = 0; i < n; i++) {
    for (const key of derivedKeys(ctx, i)) {
      const block = blocks.get(key);
      if (block === undefined) blocks.set(key, i);
      else if (typeof block === 'number') blocks.set(key, [block, i]);
      else block.push(i);
    }
    allSortKeys.push(sortKeys(ctx, i));
  }
  const primarySortKeys = allSortKeys.map((keys) => keys[0] ?? '');
  let oversizeBlocks = 0;
  const addBlock = (members: readonly number[]): void => {
    if (members.length <= options.maxBlockSize) {
      addAllPairs(pairs, members);
      return;
    }
    oversizeBlocks++;
    const split = new Map<string, number[]>();
    for (const i of members) {
      const key = fallbackKey(ctx, i);
      const sub = split.get(key);
      if (sub === undefined) split.set(key, [i]);
      else sub.push(i);
    }
    for (const sub of split.values()) {
      if (sub.length <= options.maxBlockSize) addAllPairs(pairs, sub);
      else addWindowed(pairs, sub, primarySortKeys, options.window);
    }
  };
  for (const members of blocks.values()) if (typeof members !== 'number') addBlock(members);
  // Exact-value keys: the prepared value numbers are the blocks; values held once are skipped.
  for (const { field } of ctx.exactKeys) {
    const byValue = new Map<number, number[]>();
    for (let i = 0; i < n; i++) {
      const id = field.valueIds[i] as number;
      if (id < 0 || (field.valueCounts[id] as number) < 2) continue;
      const block = byValue.get(id);
      if (block === undefined) byValue.set(id, [i]);
      else block.push(i);
    }
    for (const members of byValue.values()) addBlock(members);
  }
  const passes = allSortKeys[0]?.length ?? 0;
  for (let pass = 0; pass < passes; pass++) {
    const keys = allSortKeys.map((recordKeys) => recordKeys[pass] ?? '');
    const members: number[] = [];
    for (let i = 0; i < n; i++) if (keys[i] !== '') members.push(i);
    addWindowed(pairs, members, keys, options.window);
  }
  return { codes: pairs.distinct(), oversizeBlocks };
}
