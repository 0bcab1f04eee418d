/**
 * When an integration runs next: a fixed interval after `from`, or the next time a cron
 * expression (UTC, 5 or 6 fields, cron-parser syntax) fires after `from`.
 */
import { CronExpressionParser } from 'cron-parser';
import { TributaryError } from '../../domain/errors.ts';
import type { SyncSchedule } from '../../domain/integration.ts';

/** The smallest interval accepted: shorter ones would only hammer the provider's limits. */
export const MIN_INTERVAL_MS = 10_000;

/** Throws VALIDATION_FAILED (field `schedule…`) for an interval below the minimum or a cron expression that does not parse. */
export function assertValidSchedule(schedule: SyncSchedule | null): void {
  if (schedule === null) return;
  if ('intervalMs' in schedule) {
    if (!Number.isInteger(schedule.intervalMs) || schedule.intervalMs < MIN_INTERVAL_MS) {
      throw new TributaryError('VALIDATION_FAILED', `The interval must be a whole number of milliseconds, at least ${MIN_INTERVAL_MS}`, { field: 'schedule.intervalMs' });
    }
    return;
  }
  try {
    CronExpressionParser.parse(schedule.cron, { tz: 'UTC', strict: false });
  } catch (cause) {
    throw new TributaryError('VALIDATION_FAILED', `Not a cron expression: ${cause instanceof Error ? cause.message : String(cause)}`, { field: 'schedule.cron', cause });
  }
}

/** The next run time in epoch ms, or null when there is no schedule. */
export function nextRunAt(schedule: SyncSchedule | null, fromMs: number): number | null {
  if (schedule === null) return null;
  if ('intervalMs' in schedule) return fromMs + schedule.intervalMs;
  return CronExpressionParser.parse(schedule.cron, { tz: 'UTC', currentDate: new Date(fromMs), strict: false }).next().getTime();
}
