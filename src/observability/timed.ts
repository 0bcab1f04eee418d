import { isTributaryError } from '../domain/errors.ts';
import type { Clock } from '../ports/clock.ts';
import type { Metrics } from './metrics.ts';

/**
 * Runs `work` as one invocation of `role`/`fn`: records its duration and outcome, and on
 * failure the error by category and code (`UNCLASSIFIED` for errors not from the catalog),
 * then rethrows it unchanged. Returns what `work` returns.
 */
export async function timed<T>(metrics: Metrics, clock: Clock, labels: { role: string; fn: string }, work: () => Promise<T>): Promise<T> {
  const started = clock.now();
  try {
    const result = await work();
    metrics.invocation({ ...labels, outcome: 'success', durationMs: clock.now() - started });
    return result;
  } catch (error) {
    metrics.invocation({ ...labels, outcome: 'failure', durationMs: clock.now() - started });
    metrics.error(isTributaryError(error)
      ? { category: error.category, code: error.code, source: labels.role }
      : { category: 'transient', code: 'UNCLASSIFIED', source: labels.role });
    throw error;
  }
}
