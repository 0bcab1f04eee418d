// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import type { Run } from './api/types.ts';
import { SyncChart, hourlySeries } from './chart.tsx';
import { render } from './test-dom.ts';
import type { Rendered } from './test-dom.ts';

const NOW = Date.parse('2026-03-10T12:30:00Z');

function run(startedAt: string, records: number, failed: number, status = 'succeeded'): Run {
  return {
    id: `run_${startedAt}`, integrationId: 'int_1', type: 'pull', status, startedAt, finishedAt: null, recordsSoFar: records, pages: 1, totalEstimate: null, error: null,
    counts: { created: records, updated: 0, unchanged: 0, deleted: 0, failed }, fullResync: false,
  };
}

let view: Rendered | undefined;
afterEach(() => {
  view?.unmount();
  view = undefined;
});

describe('the 24-hour sync chart', () => {
  it('counts records and failures in the hour each run started, over the last 24 hours only', () => {
    const buckets = hourlySeries(
      [
        run('2026-03-10T12:05:00Z', 40, 2),
        run('2026-03-10T12:10:00Z', 10, 0),
        run('2026-03-09T13:00:00Z', 7, 0),
        run('2026-03-09T12:59:59Z', 1000, 9),
        run('2026-03-10T03:00:00Z', 0, 0, 'failed'),
      ],
      NOW,
    );
    expect(buckets).toHaveLength(24);
    expect(buckets.at(-1)).toMatchObject({ start: Date.parse('2026-03-10T12:00:00Z'), records: 50, failures: 2, runs: 2 });
    expect(buckets[0]).toMatchObject({ start: Date.parse('2026-03-09T13:00:00Z'), records: 7, failures: 0 });
    // A run that failed without a failed record still shows as a failure.
    expect(buckets.find((bucket) => bucket.start === Date.parse('2026-03-10T03:00:00Z'))?.failures).toBe(1);
    expect(buckets.reduce((sum, bucket) => sum + bucket.records, 0)).toBe(57);
  });

  it('says the totals in words for screen readers and draws one bar per series and hour', async () => {
    view = await render(<SyncChart buckets={hourlySeries([run('2026-03-10T12:05:00Z', 40, 2)], NOW)} />);
    const svg = view.container.querySelector('svg')!;
    expect(svg.getAttribute('aria-label')).toBe('Last 24 hours: 40 records synced, 2 failures, in 1 runs.');
    expect(svg.querySelectorAll('rect.bar-records')).toHaveLength(24);
    expect(svg.querySelectorAll('rect.bar-failures')).toHaveLength(24);
    expect(view.container.textContent).toContain('Records synced (40)');
  });
});
