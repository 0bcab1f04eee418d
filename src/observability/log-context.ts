/**
 * The correlation of the work in progress, for log lines: which job (and its correlation
 * id: a webhook event id, an integration id, an outbox row...) the current async
 * execution belongs to. Held in an AsyncLocalStorage so that every log line written
 * while a job runs, at any depth, carries it without each call site passing it (the
 * root logger's mixin reads `currentLogContext()`). Always on: one `run` per job.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export interface LogContext {
  readonly correlationId?: string;
  readonly jobId?: string;
  readonly queue?: string;
}

const storage = new AsyncLocalStorage<LogContext>();

/** Runs `fn` with `context` as the log context of everything it does. */
export function runWithLogContext<T>(context: LogContext, fn: () => T): T {
  return storage.run(context, fn);
}

/** The log context of the current execution; empty outside any. */
export function currentLogContext(): LogContext {
  return storage.getStore() ?? {};
}
