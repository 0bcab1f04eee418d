import type { Run } from './api/types.ts';

/**
 * The overview's 24-hour chart: records synced and failures per hour, from the runs. Drawn
 * as plain SVG by hand: two series of 24 bars need no charting library (the usual ones add
 * 100 kB or more to a bundle that is otherwise small), and SVG text keeps it readable.
 */

export interface HourBucket {
  /** Start of the hour (ms since epoch). */
  start: number;
  records: number;
  failures: number;
  runs: number;
}

const HOUR = 3_600_000;

/** The last 24 hours ending with the hour of `now`, oldest first; each run counts in the hour it started. */
export function hourlySeries(runs: readonly Run[], now: number): HourBucket[] {
  const last = Math.floor(now / HOUR) * HOUR;
  const first = last - 23 * HOUR;
  const buckets: HourBucket[] = Array.from({ length: 24 }, (_, index) => ({ start: first + index * HOUR, records: 0, failures: 0, runs: 0 }));
  for (const run of runs) {
    const at = Date.parse(run.startedAt);
    if (Number.isNaN(at) || at < first || at >= last + HOUR) continue;
    const bucket = buckets[Math.floor((at - first) / HOUR)];
    if (bucket === undefined) continue;
    bucket.runs += 1;
    bucket.records += run.recordsSoFar;
    // A failed run counts as a failure even when no single record was counted failed.
    bucket.failures += (run.counts.failed ?? 0) + (run.status === 'failed' && !(run.counts.failed ?? 0) ? 1 : 0);
  }
  return buckets;
}

const WIDTH = 720;
const HEIGHT = 200;
const PAD = { left: 44, right: 8, top: 10, bottom: 28 };

export function SyncChart({ buckets }: { buckets: readonly HourBucket[] }) {
  const totalRecords = buckets.reduce((sum, bucket) => sum + bucket.records, 0);
  const totalFailures = buckets.reduce((sum, bucket) => sum + bucket.failures, 0);
  const max = Math.max(1, ...buckets.map((bucket) => Math.max(bucket.records, bucket.failures)));
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const slot = plotW / Math.max(1, buckets.length);
  const bar = Math.max(1, slot / 2 - 1);
  const y = (value: number) => PAD.top + plotH - (value / max) * plotH;
  const hour = (start: number) => new Date(start).getHours().toString().padStart(2, '0');
  const summary = `Last 24 hours: ${totalRecords} records synced, ${totalFailures} failures, in ${buckets.reduce((sum, bucket) => sum + bucket.runs, 0)} runs.`;
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={summary} preserveAspectRatio="xMidYMid meet">
        <line x1={PAD.left} x2={WIDTH - PAD.right} y1={y(0)} y2={y(0)} className="axis" />
        <text x={PAD.left - 6} y={y(max) + 4} textAnchor="end" className="tick">
          {max}
        </text>
        <text x={PAD.left - 6} y={y(0) + 4} textAnchor="end" className="tick">
          0
        </text>
        {buckets.map((bucket, index) => {
          const x = PAD.left + index * slot;
          return (
            <g key={bucket.start}>
              <title>{`${hour(bucket.start)}:00 — ${bucket.records} records, ${bucket.failures} failures`}</title>
              <rect x={x + 1} y={y(bucket.records)} width={bar} height={y(0) - y(bucket.records)} className="bar-records" />
              <rect x={x + 1 + bar} y={y(bucket.failures)} width={bar} height={y(0) - y(bucket.failures)} className="bar-failures" />
              {index % 3 === 0 ? (
                <text x={x + slot / 2} y={HEIGHT - 8} textAnchor="middle" className="tick">
                  {hour(bucket.start)}h
                </text>
              ) : null}
            </g>
          );
        })}
      </svg>
      <figcaption>
        <span className="legend legend-records">Records synced ({totalRecords})</span> <span className="legend legend-failures">Failures ({totalFailures})</span>
      </figcaption>
    </figure>
  );
}

/** One sample of a budget, taken when the rate-limits page polled (ms since epoch). */
export interface UsageSample {
  at: number;
  used: number;
  limit: number;
}

/**
 * Used vs budget over the samples, as two lines on the same hand-drawn SVG frame as SyncChart
 * (same reason: a few polylines need no charting library). The caller gives a text alternative too.
 */
export function UsageChart({ title, samples }: { title: string; samples: readonly UsageSample[] }) {
  const max = Math.max(1, ...samples.map((sample) => Math.max(sample.used, sample.limit)));
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const first = samples[0]?.at ?? 0;
  const span = Math.max(1, (samples.at(-1)?.at ?? first) - first);
  const x = (at: number) => PAD.left + (samples.length < 2 ? plotW / 2 : ((at - first) / span) * plotW);
  const y = (value: number) => PAD.top + plotH - (value / max) * plotH;
  const line = (pick: (sample: UsageSample) => number) => samples.map((sample) => `${x(sample.at).toFixed(1)},${y(pick(sample)).toFixed(1)}`).join(' ');
  const last = samples.at(-1);
  const time = (at: number) => new Date(at).toLocaleTimeString();
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={`${title}: ${samples.length} samples${last ? `, latest ${last.used} of ${last.limit} used` : ''}.`} preserveAspectRatio="xMidYMid meet">
        <line x1={PAD.left} x2={WIDTH - PAD.right} y1={y(0)} y2={y(0)} className="axis" />
        <text x={PAD.left - 6} y={y(max) + 4} textAnchor="end" className="tick">
          {max}
        </text>
        <text x={PAD.left - 6} y={y(0) + 4} textAnchor="end" className="tick">
          0
        </text>
        <polyline points={line((sample) => sample.limit)} fill="none" style={{ stroke: 'var(--bad)', strokeDasharray: '6 4' }} className="line-budget" />
        <polyline points={line((sample) => sample.used)} fill="none" style={{ stroke: 'var(--accent)', strokeWidth: 2 }} className="line-used" />
        {samples.map((sample, index) => (
          // Samples are ordered and only appended; two may share a millisecond, so the index is the stable key.
          <circle key={index} cx={x(sample.at)} cy={y(sample.used)} r={3} style={{ fill: 'var(--accent)' }} className="point-used">
            <title>{`${time(sample.at)}: ${sample.used} of ${sample.limit} used`}</title>
          </circle>
        ))}
        {samples.length > 0 ? (
          <>
            <text x={PAD.left} y={HEIGHT - 8} textAnchor="start" className="tick">
              {time(first)}
            </text>
            <text x={WIDTH - PAD.right} y={HEIGHT - 8} textAnchor="end" className="tick">
              {time(samples.at(-1)?.at ?? first)}
            </text>
          </>
        ) : null}
      </svg>
      <figcaption>
        <span className="legend legend-records">Used</span> <span className="legend legend-failures">Budget</span>
      </figcaption>
    </figure>
  );
}
