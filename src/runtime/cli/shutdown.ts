import type { RootLogger } from '../logging/logger.ts';
import { EXIT } from './fatal.ts';

export interface ShutdownOptions {
  logger: RootLogger;
  /** Stops the roles, then closes the platform. */
  stop: () => Promise<void>;
  /** After this long, the process exits 1 with a log line, whatever is still running. */
  timeoutMs: number;
  /** Injected for tests; default `process.exit`. */
  exit?: (code: number) => void;
  signals?: readonly NodeJS.Signals[];
}

/**
 * Graceful shutdown on SIGTERM and SIGINT: `stop()` (consumers stop taking jobs and
 * release their leases, the server closes, the store closes), then exit 0. If that
 * takes longer than `timeoutMs`, or fails, or a second signal arrives, exit 1 with a
 * log line saying why. Returns a function that removes the handlers.
 */
export function handleShutdownSignals(options: ShutdownOptions): () => void {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  let stopping = false;

  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      options.logger.warn({ signal }, 'second signal during shutdown; exiting now');
      exit(EXIT.failure);
      return;
    }
    stopping = true;
    const started = Date.now();
    options.logger.info({ signal, timeoutMs: options.timeoutMs }, 'shutting down');
    const timer = setTimeout(() => {
      options.logger.error({ timeoutMs: options.timeoutMs }, 'shutdown did not finish in time; forcing exit');
      exit(EXIT.failure);
    }, options.timeoutMs);
    options.stop().then(
      () => {
        clearTimeout(timer);
        options.logger.info({ durationMs: Date.now() - started }, 'shutdown complete');
        exit(EXIT.ok);
      },
      (error: unknown) => {
        clearTimeout(timer);
        options.logger.error({ err: error }, 'shutdown failed');
        exit(EXIT.failure);
      },
    );
  };

  for (const signal of signals) process.on(signal, onSignal);
  return () => {
    for (const signal of signals) process.off(signal, onSignal);
  };
}
