/**
 * The correlation of the work in progress, for log lines: which job (and its correlation
 * id: a webhook event id, an integration id, an outbox row...) the current async
 * execution belongs to. Held in an AsyncLocalStorage so that every log line written
 * while a job runs, at any depth, carries it without each call site passing it (the
 * root logger's mixin reads `currentLogContext()`). Always on: one `run` per job. The
 * API runs each request's handling in a request context the same way (who called,
 * request id), so code deep in a service can tell who caused it without a parameter.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Actor } from '../domain/tenancy.ts';

export interface LogContext {
  readonly correlationId?: string;
  readonly jobId?: string;
  readonly queue?: string;
  /** A periodic task that runs outside any job (`token-refresher`). */
  readonly task?: string;
}

/**
 * The API request the current execution serves: who called (null on the routes that take
 * no key, such as the OAuth callback) and the request id. Not put on log lines (request
 * lines carry `requestId` already); read where work records who caused it, such as the
 * credential access audit.
 */
export interface RequestContext {
  readonly requestId: string;
  readonly actor: Actor | null;
  /** `METHOD /route/:pattern`, never the URL with its ids and query. */
  readonly route: string;
}

/** One execution serves a job (its log context) or a request, never both: each `run` starts afresh. */
interface Current {
  readonly log: LogContext;
  readonly request: RequestContext | null;
}

const storage = new AsyncLocalStorage<Current>();

/** Runs `fn` with `context` as the log context of everything it does (a queue job). */
export function runWithLogContext<T>(context: LogContext, fn: () => T): T {
  return storage.run({ log: context, request: null }, fn);
}

/** Runs `fn`, the rest of an API request's handling, with `request` as its request context. */
export function runWithRequestContext<T>(request: RequestContext, fn: () => T): T {
  return storage.run({ log: {}, request }, fn);
}

/** The log context of the current execution; empty outside any. */
export function currentLogContext(): LogContext {
  return storage.getStore()?.log ?? {};
}

/** The API request the current execution serves; null outside one (a job, a timer). */
export function currentRequestContext(): RequestContext | null {
  return storage.getStore()?.request ?? null;
}
