import type { SyncRunDetail } from '../../ports/store.ts';

/** Live figures of a run: rate so far, and an estimate when the provider gave a total. */
export interface RunProgressView {
  readonly recordsSoFar: number;
  readonly pages: number;
  readonly totalEstimate: number | null;
  /** Records per second since the run started. */
  readonly recordsPerSecond: number;
  /** 0..1 when a total is known. */
  readonly fraction: number | null;
  /** Milliseconds left at the current rate, when a total is known. */
  readonly etaMs: number | null;
}

/** The run's progress as of `nowMs` (its finish time once finished). */
export function describeProgress(run: SyncRunDetail, nowMs: number): RunProgressView {
  const end = run.finishedAt === null ? nowMs : Date.parse(run.finishedAt);
  const elapsedMs = Math.max(1, end - Date.parse(run.startedAt));
  const rate = run.recordsSoFar / (elapsedMs / 1000);
  const total = run.totalEstimate;
  const fraction = total === null || total <= 0 ? null : Math.min(1, run.recordsSoFar / total);
  const left = total === null ? null : Math.max(0, total - run.recordsSoFar);
  return {
    recordsSoFar: run.recordsSoFar,
    pages: run.pages,
    totalEstimate: total,
    recordsPerSecond: Math.round(rate * 10) / 10,
    fraction,
    etaMs: left === null || run.finishedAt !== null ? (left === null ? null : 0) : rate > 0 ? Math.round((left / rate) * 1000) : null,
  };
}
