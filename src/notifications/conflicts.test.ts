import { describe, expect, it } from 'vitest';
import { conflictsWaitingSink, fromConflictsWaiting } from './conflicts.ts';
import type { NotificationEvent } from './events.ts';

const waiting = { tenantId: 'ten_a', integrationId: 'int_a', runId: 'run_1', open: 3, at: 1_700_000_000_000 };

describe('conflicts waiting for review as a notification', () => {
  it('is a warning about the integration, with how many fields wait', () => {
    expect(fromConflictsWaiting(waiting)).toEqual({
      type: 'conflicts.waiting', tenantId: 'ten_a', severity: 'warning', subject: { kind: 'integration', id: 'int_a' }, at: waiting.at, facts: { conflicts: 3, runId: 'run_1' },
    });
  });

  it('hands the event to the sink and never throws into the sync that raised it', () => {
    const seen: NotificationEvent[] = [];
    conflictsWaitingSink((e) => seen.push(e))(waiting);
    expect(seen.map((e) => e.type)).toEqual(['conflicts.waiting']);
    expect(() => conflictsWaitingSink(() => {
      throw new Error('sink down');
    })(waiting)).not.toThrow();
  });
});
