/**
 * Where the main thread's time goes during a bench, by stage of the pull engine: V8's
 * sampling profiler (node:inspector) over a stretch of work, each sample put in the
 * stage of the code it was taken in. For `bench/ingest.bench.ts --profile`; a bench
 * helper, not part of the product.
 *
 * A sample belongs to "store writes" when `applyEntityBatch` is anywhere on its stack
 * (better-sqlite3's native work shows as its JavaScript caller, and the JSON text of the
 * rows is made there); otherwise to the stage of the innermost frame that names one
 * (so libphonenumber called by a mapping transform counts as mapping).
 */
import { Session } from 'node:inspector/promises';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string };
  readonly children?: readonly number[];
}

interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const WRITES = 'store writes (SQLite rows and their JSON)';

/** Innermost-first: the first rule a frame matches names its stage. */
const RULES: readonly { readonly stage: string; readonly matches: (url: string, fn: string) => boolean }[] = [
  { stage: 'store reads and transactions', matches: (url) => url.includes('/src/backends/') || url.includes('better-sqlite3') },
  { stage: 'mapping', matches: (url) => url.includes('/src/mapping/') || url.includes('libphonenumber-js') },
  { stage: 'dedup (match keys, candidates)', matches: (url) => url.includes('/src/dedup/') || url.includes('/sync/pull/match-keys') || url.includes('/sync/pull/dedup-match') || url.includes('double-metaphone') },
  { stage: 'page plan and writer', matches: (url) => url.includes('/src/sync/') },
  { stage: 'provider reads (HTTP, JSON)', matches: (url) => url.includes('/src/providers/') || url.includes('/src/connections/') || url.includes('undici') },
];

// A Map, not an object literal: a sampled function may be called `constructor` or `toString`.
const SPECIAL: ReadonlyMap<string, string> = new Map([['(garbage collector)', 'garbage collection'], ['(idle)', 'idle (waiting for I/O)'], ['(program)', 'V8 and Node.js internals']]);

export interface StageTimes {
  readonly totalMs: number;
  readonly stages: readonly { readonly stage: string; readonly ms: number }[];
}

/** Starts sampling (every `intervalUs`); the returned function stops it and sums the samples by stage. */
export async function startStageProfile(intervalUs = 1000): Promise<() => Promise<StageTimes>> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: intervalUs });
  await session.post('Profiler.start');
  return async () => {
    const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: Profile };
    session.disconnect();
    return stageTimes(profile);
  };
}

function stageTimes(profile: Profile): StageTimes {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const stageOfNode = new Map<number, string>();
  const stageOf = (id: number): string => {
    let stage = stageOfNode.get(id);
    if (stage !== undefined) return stage;
    const leaf = byId.get(id)!.callFrame.functionName;
    stage = SPECIAL.get(leaf);
    if (stage === undefined) {
      let innermost: string | undefined;
      for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) {
        const { url, functionName } = byId.get(at)!.callFrame;
        if (functionName === 'applyEntityBatch') {
          innermost = WRITES;
          break;
        }
        innermost ??= RULES.find((rule) => rule.matches(url, functionName))?.stage;
      }
      stage = innermost ?? 'other';
    }
    stageOfNode.set(id, stage);
    return stage;
  };
  const totals = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    total += ms;
    totals.set(stageOf(id), (totals.get(stageOf(id)) ?? 0) + ms);
  });
  return { totalMs: total, stages: [...totals].map(([stage, ms]) => ({ stage, ms })).sort((a, b) => b.ms - a.ms) };
}
