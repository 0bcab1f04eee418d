import { describe, expect, it } from 'vitest';
import { assertValidSchedule, nextRunAt } from './next-run.ts';

const at = (iso: string): number => Date.parse(iso);

describe('next run time', () => {
  it('adds the interval, follows a cron expression in UTC, and has none without a schedule', () => {
    expect(nextRunAt({ intervalMs: 60_000 }, at('2026-01-01T00:00:30Z'))).toBe(at('2026-01-01T00:01:30Z'));
    expect(nextRunAt({ cron: '*/15 * * * *' }, at('2026-01-01T00:07:00Z'))).toBe(at('2026-01-01T00:15:00Z'));
    expect(nextRunAt({ cron: '0 3 * * 1' }, at('2026-01-01T00:00:00Z'))).toBe(at('2026-01-05T03:00:00Z')); // next Monday
    expect(nextRunAt(null, at('2026-01-01T00:00:00Z'))).toBeNull();
  });

  it('refuses an interval under 10 s and a cron expression that does not parse, naming the field', () => {
    expect(() => assertValidSchedule({ intervalMs: 500 })).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED', field: 'schedule.intervalMs' }));
    expect(() => assertValidSchedule({ cron: 'every tuesday' })).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED', field: 'schedule.cron' }));
    expect(() => assertValidSchedule({ cron: '0 * * * *' })).not.toThrow();
    expect(() => assertValidSchedule(null)).not.toThrow();
  });
});
