/**
 * The engine's entry points: prepare -> block -> score -> cluster, all in memory, all
 * linear in the number of records (see blocking.ts for the bound).
 */
import { TributaryError } from '../domain/errors.ts';
import { candidatePairs } from './blocking.ts';
import { clusterIndexed } from './cluster.ts';
import type { IndexedLink } from './cluster.ts';
import { prepareRecords } from './prepare.ts';
import { resolveRules } from './rules.ts';
import { PairScorer } from './scoring.ts';
import type { ClusterMember, DedupOptions, DedupRecord, DedupResult, DedupRules, MatchPair } from './types.ts';

const PROGRESS_EVERY = 50_000;

function checkIds(records: readonly DedupRecord[], side: string): void {
  const seen = new Set<string>();
  for (const record of records) {
    if (seen.has(record.id)) throw new TributaryError('VALIDATION_FAILED', `duplicate record id ${JSON.stringify(record.id)} in the ${side} records`, { field: 'id' });
    seen.add(record.id);
  }
}

function run(left: readonly DedupRecord[], right: readonly DedupRecord[], rules: DedupRules, options: DedupOptions): DedupResult {
  const resolved = resolveRules(rules);
  const linking = right.length > 0;
  checkIds(left, linking ? 'left' : 'input');
  if (linking) checkIds(right, 'right');
  const progress = options.onProgress;
  const total = left.length + right.length;
  progress?.('prepare', 0, total);
  const prepared = prepareRecords(left, right, resolved);
  progress?.('prepare', total, total);
  progress?.('block', 0, total);
  const candidates = candidatePairs(prepared, resolved.blocking);
  progress?.('block', total, total);
  const scorer = new PairScorer(prepared, resolved);
  const n = prepared.ids.length;
  const pairs: MatchPair[] = [];
  const links: IndexedLink[] = [];
  // Pairs come out in input order: by left record, then right record.
  const codes = candidates.codes;
  let reviews = 0;
  for (let k = 0; k < codes.length; k++) {
    if (progress !== undefined && k % PROGRESS_EVERY === 0) progress('score', k, codes.length);
    const code = codes[k] as number;
    const i = Math.floor(code / n);
    const j = code - i * n;
    const scored = scorer.score(i, j);
    if (scored === null) continue;
    const { score, reason } = scored;
    const decision = score >= resolved.thresholds.match ? 'match' : 'review';
    const leftId = prepared.ids[i] as string;
    const rightId = prepared.ids[j] as string;
    pairs.push({ leftId, rightId, score, decision, reason });
    if (decision === 'match') links.push({ a: i, b: j, score, reason });
    else reviews++;
  }
  progress?.('score', codes.length, codes.length);
  progress?.('cluster', 0, links.length);
  const rightStart = prepared.rightStart;
  const member = (index: number): ClusterMember => (index < rightStart ? { side: 'left', id: prepared.ids[index] as string } : { side: 'right', id: prepared.ids[index] as string });
  const clusters = clusterIndexed(links, member);
  progress?.('cluster', links.length, links.length);
  return {
    pairs,
    clusters,
    stats: { records: total, candidatePairs: codes.length, matches: links.length, reviews, oversizeBlocks: candidates.oversizeBlocks },
  };
}

/**
 * Finds duplicates within one source. Every pair scoring at least the review threshold is
 * answered (`leftId` is the record that comes first in the input), and records joined by
 * `match` pairs form clusters with lineage.
 * @throws TributaryError CONFIG_INVALID for invalid rules, VALIDATION_FAILED for a repeated id.
 */
export function findDuplicates(records: readonly DedupRecord[], rules: DedupRules, options: DedupOptions = {}): DedupResult {
  return run(records, [], rules, options);
}

/**
 * Links records across two sources: each pair is one left and one right record (pairs
 * within a source are never compared). Cluster members carry their side, since the two
 * sources' ids may collide.
 * @throws TributaryError CONFIG_INVALID for invalid rules, VALIDATION_FAILED for a repeated id within a side.
 */
export function linkRecords(left: readonly DedupRecord[], right: readonly DedupRecord[], rules: DedupRules, options: DedupOptions = {}): DedupResult {
  if (right.length === 0 || left.length === 0) {
    resolveRules(rules);
    return { pairs: [], clusters: [], stats: { records: left.length + right.length, candidatePairs: 0, matches: 0, reviews: 0, oversizeBlocks: 0 } };
  }
  return run(left, right, rules, options);
}
