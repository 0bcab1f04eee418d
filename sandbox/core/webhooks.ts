import type { DeliveryRecord, DeliveryRequest, ProviderName, SandboxClock, WebhookDispatcher } from './types.ts';

export interface SandboxWebhookDispatcher extends WebhookDispatcher {
  /** Cancels waiting retries and in-flight attempts; later `deliver` calls are refused. */
  close(): Promise<void>;
  /** Forgets recorded deliveries and cancels pending retries (`POST /_sandbox/reset`). */
  reset(): void;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * Delivers webhooks: POSTs the raw body with the given headers, retrying after failures
 * on the request's delay schedule (times `delayScale()`, so tests can shrink it). Every
 * attempt is recorded with its status or error; the record is returned at once and fills
 * in as attempts happen. Retry reasons passed to `retryHeaders` use Slack's vocabulary:
 * `http_timeout`, `connection_failed`, `http_error`.
 */
export function createWebhookDispatcher(clock: SandboxClock, delayScale: () => number): SandboxWebhookDispatcher {
  let records: DeliveryRecord[] = [];
  let seq = 0;
  let inFlight = 0;
  let closed = false;
  /** Bumped by reset: attempts of an older generation neither record nor retry. */
  let generation = 0;
  const timers = new Set<NodeJS.Timeout>();
  const controllers = new Set<AbortController>();
  let waiters: (() => void)[] = [];

  const settle = () => {
    inFlight--;
    if (inFlight === 0) {
      const w = waiters;
      waiters = [];
      for (const resolve of w) resolve();
    }
  };

  const attempt = async (request: DeliveryRequest, record: DeliveryRecord, attemptNo: number, retryReason: string | null): Promise<void> => {
    if (closed) return settle();
    const gen = generation;
    const headers: Record<string, string> = { 'content-type': 'application/json', ...request.headers };
    if (request.resign) Object.assign(headers, request.resign(attemptNo));
    if (attemptNo > 0 && request.retryHeaders) Object.assign(headers, request.retryHeaders(attemptNo, retryReason ?? 'unknown_error'));
    const controller = new AbortController();
    controllers.add(controller);
    const timeout = setTimeout(() => controller.abort(new Error('timeout')), request.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const at = clock.now();
    let outcome: 'delivered' | 'retry' | 'give_up';
    let reason = 'http_error';
    try {
      const response = await fetch(request.url, { method: 'POST', headers, body: request.body, signal: controller.signal, redirect: 'manual' });
      const body = await response.text();
      const responseHeaders: Record<string, string> = {};
      response.headers.forEach((value, name) => {
        responseHeaders[name] = value;
      });
      record.attempts.push({ at, status: response.status });
      outcome = request.classify
        ? request.classify({ status: response.status, headers: responseHeaders, body })
        : response.status >= 200 && response.status < 300
          ? 'delivered'
          : 'retry';
    } catch (error) {
      if (gen !== generation) return; // cancelled by reset or close, already settled
      const timedOut = controller.signal.aborted;
      reason = timedOut ? 'http_timeout' : 'connection_failed';
      record.attempts.push({ at, status: null, error: timedOut ? 'timeout' : errorMessage(error) });
      outcome = 'retry';
    } finally {
      clearTimeout(timeout);
      controllers.delete(controller);
    }
    if (gen !== generation) return; // reset while in flight: already settled by cancelAll
    if (outcome === 'delivered') {
      record.delivered = true;
      return settle();
    }
    const delay = request.retryDelaysMs[attemptNo];
    if (outcome === 'give_up' || delay === undefined || closed) return settle();
    const timer = setTimeout(() => {
      timers.delete(timer);
      void attempt(request, record, attemptNo + 1, reason);
    }, Math.max(0, Math.round(delay * delayScale())));
    timers.add(timer);
  };

  const cancelAll = () => {
    for (const t of timers) clearTimeout(t);
    const cancelled = timers.size;
    timers.clear();
    generation++;
    for (const c of controllers) c.abort(new Error('dispatcher closed'));
    const aborted = controllers.size;
    controllers.clear();
    for (let i = 0; i < cancelled + aborted; i++) settle();
  };

  return {
    deliver(request) {
      const record: DeliveryRecord = { id: `dlv_${++seq}`, provider: request.provider, url: request.url, attempts: [], delivered: false };
      records.push(record);
      if (closed) return record;
      inFlight++;
      void attempt(request, record, 0, null);
      return record;
    },
    deliveries(provider?: ProviderName) {
      return provider ? records.filter((r) => r.provider === provider) : [...records];
    },
    idle() {
      if (inFlight === 0) return Promise.resolve();
      return new Promise<void>((resolve) => waiters.push(resolve));
    },
    async close() {
      closed = true;
      cancelAll();
      await this.idle();
    },
    reset() {
      cancelAll();
      records = [];
    },
  };
}

function errorMessage(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}
