import { decideRetry, type BackoffPolicy, type Random } from '../domain/backoff.ts';
import { TributaryError, isTributaryError } from '../domain/errors.ts';
import type { ConnectionInfo, HttpRequest, HttpResponse, Provider, ProviderHttp } from '../providers/provider.ts';
import { assertEgressAllowed, type EgressPolicy } from './egress.ts';
import { tracedFetch } from '../observability/index.ts';

/** Where the client gets the access token; the credentials feature implements it. */
export interface TokenSource {
  /** A valid access token, refreshed first when it expires within the margin. */
  accessToken(): Promise<string>;
  /**
   * The provider refused `rejected` as expired or invalid: refresh now (single-flight
   * across processes) and return the new token, or null when no refresh is possible.
   */
  refreshAfterUnauthorized(rejected: string): Promise<string | null>;
}

/** The rate limiter as the client sees it: wait for room, then report what came back. */
export interface CallLimiter {
  /** Resolves when the call may go, with a function to call once it finished. */
  acquire(request: HttpRequest, signal?: AbortSignal): Promise<() => void>;
  observe(request: HttpRequest, response: HttpResponse): void;
}

export interface ProviderHttpOptions {
  provider: Provider;
  connection: ConnectionInfo;
  /** Null for calls that need no credential (token endpoints use their own client auth). */
  tokens: TokenSource | null;
  egress: EgressPolicy;
  limiter?: CallLimiter;
  fetch?: typeof fetch;
  random?: Random;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Attempts per call, counting the first (default 3). */
  maxAttempts?: number;
  backoff?: BackoffPolicy;
  timeoutMs?: number;
  signal?: AbortSignal;
}

const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 250, maxMs: 10_000 };
/** Longest Retry-After the client sleeps through itself; longer waits go back to the queue. */
const MAX_INLINE_WAIT_MS = 30_000;

/**
 * The HTTP client every provider call goes through: egress policy, rate limiter,
 * credential (with one refresh-and-retry on a 401), provider error classification, and
 * retries of transient failures with jittered backoff honouring Retry-After. Errors it
 * throws are TributaryErrors whose category tells the caller what to do next.
 * Paths resolve against the connection's base URL, except that a request naming an `api`
 * the provider lists in `apiBases` goes to that API's host while the connection uses the
 * provider's default base URL (Google People); every origin passes the egress policy.
 */
export function createProviderHttp(options: ProviderHttpOptions): ProviderHttp {
  // A CLIENT span per call when tracing is on (observability/tracing.ts); the plain fetch otherwise.
  const doFetch = tracedFetch(options.fetch ?? fetch, options.provider.id);
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? abortableSleep;
  const maxAttempts = options.maxAttempts ?? 3;
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const base = asBase(options.connection.baseUrl);
  // The provider's other API hosts, only while the connection talks to the real API.
  const apiBases = base.href === asBase(options.provider.defaultBaseUrl).href ? options.provider.apiBases : undefined;
  const checkedOrigins = new Map<string, Promise<URL>>();

  /** The base a request resolves against: its API's own host (see HttpRequest.api), else the connection's. */
  function baseFor(request: HttpRequest): URL {
    const apiBase = request.api === undefined ? undefined : apiBases?.[request.api];
    return apiBase === undefined ? base : asBase(apiBase);
  }

  function resolveUrl(request: HttpRequest): URL {
    const target = baseFor(request);
    const url = /^https?:\/\//i.test(request.path)
      ? new URL(request.path)
      : new URL(request.path.replace(/^\//, ''), target.origin + (request.path.startsWith('/') ? '/' : target.pathname));
    // Absolute links the provider hands back (next pages) must stay on the API's origin.
    if (url.origin !== target.origin) {
      throw new TributaryError('PROVIDER_REJECTED', `Refusing to follow a link to another origin (${url.origin})`);
    }
    for (const [key, value] of Object.entries(request.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    return url;
  }

  async function checkEgress(url: URL): Promise<void> {
    let pending = checkedOrigins.get(url.origin);
    if (!pending) {
      pending = assertEgressAllowed(url.origin, options.egress, 'connection.baseUrl');
      checkedOrigins.set(url.origin, pending);
      pending.catch(() => checkedOrigins.delete(url.origin));
    }
    await pending;
  }

  async function send(request: HttpRequest, url: URL, token: string | null): Promise<HttpResponse> {
    // The provider's auth headers first, so a request may override a default such as
    // Notion-Version; the credential itself always comes from the token.
    const auth = token === null ? {} : (options.provider.authHeaders?.(token) ?? { authorization: `Bearer ${token}` });
    const headers: Record<string, string> = { accept: 'application/json', ...auth, ...request.headers };
    if ('authorization' in auth) headers.authorization = auth.authorization as string;
    let body: string | undefined;
    if (request.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(request.form).toString();
    } else if (request.body !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = JSON.stringify(request.body);
    }
    const signals = [AbortSignal.timeout(timeoutMs)];
    if (options.signal) signals.push(options.signal);
    let response: Response;
    try {
      response = await doFetch(url, { method: request.method, headers, body, signal: AbortSignal.any(signals), redirect: 'manual' });
    } catch (cause) {
      if (options.signal?.aborted) throw new TributaryError('SHUTTING_DOWN', 'The call was cancelled', { cause });
      throw new TributaryError('PROVIDER_UNAVAILABLE', `${options.provider.label} did not answer (${describeNetworkError(cause)})`, { cause });
    }
    const text = await response.text().catch(() => '');
    const responseHeaders: Record<string, string> = {};
    response.headers.forEach((value, key) => {
      responseHeaders[key] = value;
    });
    return { status: response.status, headers: responseHeaders, body: parseBody(text, responseHeaders['content-type']) };
  }

  return {
    async request(request: HttpRequest): Promise<HttpResponse> {
      const url = resolveUrl(request);
      await checkEgress(url);
      let token = options.tokens ? await options.tokens.accessToken() : null;
      let refreshed = false;
      for (let attempt = 1; ; attempt++) {
        const release = options.limiter ? await options.limiter.acquire(request, options.signal) : undefined;
        let response: HttpResponse | null = null;
        let error: TributaryError | null;
        try {
          response = await send(request, url, token);
          options.limiter?.observe(request, response);
          error = options.provider.classifyError(response, request);
        } catch (thrown) {
          if (!isTributaryError(thrown) || thrown.code === 'SHUTTING_DOWN') throw thrown;
          error = thrown;
        } finally {
          release?.();
        }
        if (error === null && response !== null) return response;
        if (error === null) throw new TributaryError('INTERNAL', 'No response and no error');
        if (error.category === 'auth' && token !== null && !refreshed && options.tokens) {
          refreshed = true;
          const next = await options.tokens.refreshAfterUnauthorized(token);
          if (next !== null) {
            token = next;
            attempt--; // the refresh retry is not a failed attempt
            continue;
          }
          throw error;
        }
        const decision = decideRetry({ category: error.category, retryAfterMs: error.retryAfterMs, attempt, maxAttempts }, backoff, random);
        if (decision.kind === 'dead-letter' || decision.delayMs > MAX_INLINE_WAIT_MS) throw error;
        await sleep(decision.delayMs, options.signal);
      }
    },
  };
}

/** A base URL with a trailing slash, so relative paths resolve under its path. */
function asBase(url: string): URL {
  return new URL(url.endsWith('/') ? url : `${url}/`);
}

function parseBody(text: string, contentType: string | undefined): unknown {
  if (text === '') return null;
  if (contentType?.includes('json') || /^[[{]/.test(text.trimStart())) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

function describeNetworkError(cause: unknown): string {
  if (cause instanceof Error) {
    if (cause.name === 'TimeoutError') return 'timed out';
    const code = (cause.cause as { code?: unknown } | undefined)?.code;
    return typeof code === 'string' ? code : cause.message;
  }
  return 'network error';
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new TributaryError('SHUTTING_DOWN', 'The call was cancelled'));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new TributaryError('SHUTTING_DOWN', 'The call was cancelled'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
