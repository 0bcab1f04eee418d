// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import type { Integration, Run } from '../api/types.ts';
import type { Session } from '../session-context.tsx';
import { act } from 'react';
import { fakeSession, renderWithSession } from '../test-api.ts';
import { button, click, settle } from '../test-dom.ts';
import type { Rendered } from '../test-dom.ts';
import { Integrations, describeSchedule } from './Integrations.tsx';

const INTEGRATION: Integration = {
  id: 'int_1', tenantId: 'ten_1', connectionId: 'con_1', object: 'contacts', direction: 'pull', mappingVersion: 1,
  schedule: { intervalMs: 900_000 }, priority: 'normal', enabled: true, cursorUpdatedAt: null, createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z',
};

function run(status: string, recordsSoFar: number): Run {
  return {
    id: 'run_1', integrationId: 'int_1', type: 'pull', status, startedAt: '2026-01-01T00:00:00Z', finishedAt: status === 'succeeded' ? '2026-01-01T00:01:00Z' : null,
    recordsSoFar, pages: 1, totalEstimate: 40, error: null, counts: { created: recordsSoFar, updated: 0, unchanged: 0, deleted: 0, failed: 0 }, fullResync: false,
  };
}

/** Lets real time pass in short steps, each in its own act() so React commits between them. */
async function wait(ms: number): Promise<void> {
  for (let spent = 0; spent < ms; spent += 20) await act(() => new Promise<void>((resolve) => setTimeout(resolve, 20)));
}

/** The page's API, answered per path; `calls` lists each call as "METHOD /path" (no query). */
function pageApi(answer: (path: string) => [number, unknown] | undefined): { session: Session; calls: string[] } {
  const calls: string[] = [];
  const { session } = fakeSession((call) => {
    calls.push(`${call.method} ${call.path}`);
    return answer(call.path);
  });
  return { session, calls };
}

let view: Rendered | undefined;
afterEach(() => {
  view?.unmount();
  view = undefined;
});

describe('the integrations page', () => {
  it('starts a run and follows its progress until it finishes', async () => {
    const answers = [run('running', 10), run('running', 25), run('succeeded', 40)];
    const { session, calls } = pageApi((path) => {
      if (path === '/v1/integrations') return [200, { items: [INTEGRATION], nextCursor: null }];
      if (path === '/v1/connections') return [200, { items: [{ id: 'con_1', name: 'Sales org' }], nextCursor: null }];
      if (path === '/v1/integrations/int_1/sync') return [202, { runId: 'run_1', alreadyRunning: false }];
      if (path === '/v1/integrations/int_1/runs') return [200, { items: [answers.length > 1 ? answers.shift() : answers[0]], nextCursor: null }];
      return undefined;
    });
    view = await renderWithSession(session, <Integrations pollMs={40} />);
    await settle();
    const { container } = view;
    expect(container.textContent).toContain('Sales org');
    expect(container.textContent).toContain('every 15 min');

    await click(button(container, 'Run now contacts'));
    await settle();
    expect(calls).toContain('POST /v1/integrations/int_1/sync');
    expect(container.textContent).toContain('Run run_1 started for contacts.');
    expect(container.textContent).toContain('10 records');

    // Polled while the run is live, then no more.
    await wait(400);
    expect(container.textContent).toContain('40 records');
    expect(container.textContent).toContain('succeeded');
    const polls = calls.filter((call) => call.endsWith('/runs')).length;
    await wait(300);
    expect(calls.filter((call) => call.endsWith('/runs')).length).toBe(polls);
  });

  it('shows a run started while the history is open, names it, and reads the list again once it finished', async () => {
    const old = { ...run('succeeded', 40), id: 'run_0' };
    let started = false;
    const answers = [{ ...run('queued', 0), id: 'run_2' }, { ...run('running', 12), id: 'run_2' }, { ...run('succeeded', 40), id: 'run_2' }];
    const { session, calls } = pageApi((path) => {
      if (path === '/v1/integrations') return [200, { items: [INTEGRATION], nextCursor: null }];
      if (path === '/v1/connections') return [200, { items: [], nextCursor: null }];
      if (path === '/v1/integrations/int_1/sync') {
        started = true;
        return [202, { runId: 'run_2', alreadyRunning: false }];
      }
      if (path === '/v1/integrations/int_1/runs') return [200, { items: started ? [answers.length > 1 ? answers.shift() : answers[0], old] : [old], nextCursor: null }];
      return undefined;
    });
    view = await renderWithSession(session, <Integrations pollMs={40} />);
    await settle();
    const { container } = view;
    await click(button(container, 'Runs of contacts'));
    await settle();
    expect(container.textContent).toContain('run_0');

    await click(button(container, 'Run now contacts'));
    await settle();
    const row = () => [...container.querySelectorAll('tr')].find((tr) => tr.textContent?.includes('run_2'));
    expect(row()?.textContent).toContain('queued');
    const listReads = calls.filter((call) => call === 'GET /v1/integrations').length;

    await wait(400);
    expect(row()?.textContent).toContain('succeeded');
    expect(row()?.textContent).toContain('40 records');
    expect(calls.filter((call) => call === 'GET /v1/integrations').length).toBe(listReads + 1);
  });

  it('reads the list again when the run it started had already finished by the first read', async () => {
    let started = false;
    const { session, calls } = pageApi((path) => {
      if (path === '/v1/integrations') return [200, { items: [started ? { ...INTEGRATION, cursorUpdatedAt: '2026-01-01T00:01:00Z' } : INTEGRATION], nextCursor: null }];
      if (path === '/v1/connections') return [200, { items: [], nextCursor: null }];
      if (path === '/v1/integrations/int_1/sync') {
        started = true;
        return [202, { runId: 'run_1', alreadyRunning: false }];
      }
      if (path === '/v1/integrations/int_1/runs') return [200, { items: started ? [run('succeeded', 40)] : [], nextCursor: null }];
      return undefined;
    });
    view = await renderWithSession(session, <Integrations pollMs={40} />);
    await settle();
    const { container } = view;
    const syncedUpTo = () => [...container.querySelectorAll('tbody tr')][0]?.querySelectorAll('td')[6]?.textContent;
    expect(syncedUpTo()).toBe('—');

    await click(button(container, 'Run now contacts'));
    await settle();
    await wait(100);
    expect(container.textContent).toContain('succeeded');
    expect(calls.filter((call) => call === 'GET /v1/integrations')).toHaveLength(2);
    expect(syncedUpTo()).not.toBe('—');
  });

  it('describes schedules in words', () => {
    expect(describeSchedule(null)).toBe('manual');
    expect(describeSchedule({ cron: '0 * * * *' })).toBe('cron 0 * * * *');
    expect(describeSchedule({ intervalMs: 7_200_000 })).toBe('every 2 h');
    expect(describeSchedule({ intervalMs: 45_000 })).toBe('every 45 s');
  });
});
