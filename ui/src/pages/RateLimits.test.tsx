// @vitest-environment happy-dom
import { act } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RateLimitEntry, RateLimitSample } from '../api/types.ts';
import { fakeSession, renderWithSession } from '../test-api.ts';
import { byLabel, settle, type } from '../test-dom.ts';
import type { Rendered } from '../test-dom.ts';
import { RateLimits, mergedSamples, recordSamples, thinned } from './RateLimits.tsx';

function entry(used: number): RateLimitEntry {
  return {
    key: 'rl:connection:con_1:default', level: 'connection', kind: 'window', rule: 'salesforce daily', provider: 'salesforce', tenantId: 'ten_1', connectionId: 'con_1',
    limit: 100, used, remaining: 100 - used, resetsAt: '2026-01-01T00:01:00Z', windowMs: 60_000, multiplier: null, waiting: 0,
  };
}

const KEY = 'rl:connection:con_1:default';

function stored(at: number, used: number, key = KEY): RateLimitSample {
  return { key, at: new Date(at).toISOString(), level: 'connection', kind: 'window', rule: 'salesforce daily', provider: 'salesforce', tenantId: 'ten_1', connectionId: 'con_1', used, limit: 100, windowMs: 60_000 };
}

/**
 * Answers GET /v1/rate-limits with usage that grows per poll (3, then 7), and GET
 * /v1/rate-limits/history with `pages` (by cursor: the first without one).
 */
function pollingSession(pages: Record<string, { items: RateLimitSample[]; nextCursor: string | null }> = { '': { items: [], nextCursor: null } }) {
  let polls = 0;
  return fakeSession((call) => {
    if (call.method !== 'GET') return undefined;
    if (call.path === '/v1/rate-limits/history') {
      const page = pages[call.query.get('cursor') ?? ''];
      return page === undefined ? undefined : [200, { ...page, intervalMs: 60_000, retentionMs: 7 * 86_400_000 }];
    }
    if (call.path !== '/v1/rate-limits') return undefined;
    polls += 1;
    return [200, { backend: 'memory', items: [entry(polls === 1 ? 3 : 7)], overrides: [] }];
  });
}

function latestTable(container: HTMLElement): string[] {
  const table = [...container.querySelectorAll('table')].find((candidate) => candidate.querySelector('caption')?.textContent === 'Latest sample per budget');
  return [...(table?.querySelectorAll('tbody tr') ?? [])].map((row) => [...row.querySelectorAll('td')].map((cell) => cell.textContent).join('|'));
}

let view: Rendered | undefined;
afterEach(() => {
  view?.unmount();
  view = undefined;
  vi.useRealTimers();
});

describe('the rate limits page: usage over time', () => {
  it('draws one point per poll and shows the latest used and budget, and stops polling when closed', async () => {
    // Only the poll timer is faked: settle() still waits on real timeouts for the fetch answers.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const { session, calls } = pollingSession();
    view = await renderWithSession(session, <RateLimits pollMs={1000} />);
    await settle();
    const container = view.container;
    expect(container.querySelectorAll('.point-used')).toHaveLength(1);
    expect(latestTable(container)).toEqual(['connection|connection:con_1|salesforce daily|1|3 / 100|3']);

    await act(async () => {
      vi.advanceTimersByTime(1000);
    });
    await settle();
    expect(container.querySelectorAll('.point-used')).toHaveLength(2);
    expect(container.querySelector('.line-used')?.getAttribute('points')?.split(' ')).toHaveLength(2);
    expect(container.querySelector('.line-budget')?.getAttribute('points')?.split(' ')).toHaveLength(2);
    expect(latestTable(container)).toEqual(['connection|connection:con_1|salesforce daily|2|7 / 100|7']);
    expect(container.querySelector('svg[role="img"][aria-label*="used vs budget"]')?.getAttribute('aria-label')).toContain('2 samples, latest 7 of 100 used');
    expect(container.textContent).toContain('While this page is open it also samples every 1 s');

    view.unmount();
    view = undefined;
    const pollsSoFar = calls.length;
    await act(async () => {
      vi.advanceTimersByTime(10_000);
    });
    await settle();
    expect(calls.length).toBe(pollsSoFar);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('draws the stored history first, every page of it, then appends the live samples', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const now = Date.now();
    const { session, calls } = pollingSession({
      '': { items: [stored(now - 180_000, 1), stored(now - 180_000, 50, 'rl:other:budget'), stored(now - 120_000, 2)], nextCursor: 'page-2' },
      'page-2': { items: [stored(now - 60_000, 5)], nextCursor: null },
    });
    view = await renderWithSession(session, <RateLimits pollMs={1000} />);
    await settle();
    const after = Date.now();
    const container = view.container;

    const historyCalls = calls.filter((call) => call.path === '/v1/rate-limits/history');
    expect(historyCalls.map((call) => call.query.get('cursor'))).toEqual([null, 'page-2']);
    const since = Date.parse(historyCalls[0]?.query.get('since') ?? '');
    // The last hour by default: from an hour before the page asked.
    expect(since).toBeGreaterThanOrEqual(now - 3_600_000);
    expect(since).toBeLessThanOrEqual(after - 3_600_000);
    // Three stored samples of this budget, then the page's own first poll.
    expect(container.querySelectorAll('.point-used')).toHaveLength(4);
    expect(latestTable(container)).toEqual(['connection|connection:con_1|salesforce daily|4|3 / 100|5']);
    expect(container.textContent).toContain('one sample per busy budget every 60 s, kept 7 days');

    await act(async () => {
      vi.advanceTimersByTime(1000);
    });
    await settle();
    expect(container.querySelectorAll('.point-used')).toHaveLength(5);
    expect(latestTable(container)).toEqual(['connection|connection:con_1|salesforce daily|5|7 / 100|7']);

    await type(byLabel<HTMLSelectElement>(container, 'Range'), String(24 * 3_600_000));
    await settle();
    const reloaded = calls.filter((call) => call.path === '/v1/rate-limits/history' && call.query.get('cursor') === null).at(-1);
    expect(Date.parse(reloaded?.query.get('since') ?? '')).toBeLessThanOrEqual(Date.now() - 24 * 3_600_000);
    expect(Date.parse(reloaded?.query.get('since') ?? '')).toBeGreaterThanOrEqual(now - 24 * 3_600_000);
  });

  it('thins long stored ranges to their peaks, and never draws a stored sample after the first live one', () => {
    const samples = Array.from({ length: 1000 }, (_, at) => ({ at, used: at === 500 ? 99 : 1, limit: 100 }));
    const drawn = thinned(samples, 100);
    expect(drawn).toHaveLength(100);
    expect(drawn.some((sample) => sample.used === 99)).toBe(true);
    const merged = mergedSamples([{ at: 1, used: 1, limit: 9 }, { at: 5, used: 2, limit: 9 }], [{ at: 4, used: 3, limit: 9 }]);
    expect(merged.map((sample) => sample.at)).toEqual([1, 4]);
  });

  it('keeps only the most recent samples per budget', () => {
    let history = {};
    for (let at = 1; at <= 65; at++) history = recordSamples(history, [entry(at)], at, 60);
    const samples = recordSamples(history, [], 66)['rl:connection:con_1:default'] ?? [];
    expect(samples).toHaveLength(60);
    expect(samples[0]).toEqual({ at: 6, used: 6, limit: 100 });
    expect(samples.at(-1)).toEqual({ at: 65, used: 65, limit: 100 });
  });
});
