// @vitest-environment happy-dom
import { act } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RateLimitEntry } from '../api/types.ts';
import { fakeSession, renderWithSession } from '../test-api.ts';
import { settle } from '../test-dom.ts';
import type { Rendered } from '../test-dom.ts';
import { RateLimits, recordSamples } from './RateLimits.tsx';

function entry(used: number): RateLimitEntry {
  return {
    key: 'rl:connection:con_1:default', level: 'connection', kind: 'window', rule: 'salesforce daily', provider: 'salesforce', tenantId: 'ten_1', connectionId: 'con_1',
    limit: 100, used, remaining: 100 - used, resetsAt: '2026-01-01T00:01:00Z', windowMs: 60_000, multiplier: null, waiting: 0,
  };
}

/** Answers GET /v1/rate-limits with usage that grows by `step` per call (3, then 7, ...). */
function pollingSession() {
  let polls = 0;
  return fakeSession((call) => {
    if (call.method !== 'GET' || call.path !== '/v1/rate-limits') return undefined;
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
    expect(container.textContent).toContain('History starts when this page was opened');

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

  it('keeps only the most recent samples per budget', () => {
    let history = {};
    for (let at = 1; at <= 65; at++) history = recordSamples(history, [entry(at)], at, 60);
    const samples = recordSamples(history, [], 66)['rl:connection:con_1:default'] ?? [];
    expect(samples).toHaveLength(60);
    expect(samples[0]).toEqual({ at: 6, used: 6, limit: 100 });
    expect(samples.at(-1)).toEqual({ at: 65, used: 65, limit: 100 });
  });
});
