/**
 * A small typed client of the public API: fetch with the session's key as a Bearer token.
 * Non-2xx answers throw {@link ApiError} carrying the body's `{ error: { code, message, field } }`.
 */

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  /** The input at fault as the API names it (`body.name`), when it names one. */
  readonly field: string | null;

  constructor(status: number, code: string, message: string, field: string | null = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

export type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

export interface ApiClient {
  get<T>(path: string, query?: Record<string, string | number | undefined>): Promise<T>;
  post<T>(path: string, body?: unknown): Promise<T>;
  put<T>(path: string, body: unknown): Promise<T>;
  patch<T>(path: string, body: unknown): Promise<T>;
  del(path: string): Promise<void>;
  /** Raw text (Prometheus metrics). */
  text(path: string): Promise<string>;
  /** A probe that takes no key and answers JSON with 200 or 503 (`/ready`). */
  probe<T>(path: string): Promise<T>;
}

function withQuery(path: string, query?: Record<string, string | number | undefined>): string {
  if (query === undefined) return path;
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') params.set(name, String(value));
  }
  const text = params.toString();
  return text === '' ? path : `${path}?${text}`;
}

async function failure(response: Response): Promise<ApiError> {
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    // Not JSON: a proxy page or an empty body.
  }
  const error = (body as { error?: { code?: unknown; message?: unknown; field?: unknown } } | null)?.error;
  if (error !== undefined && typeof error.code === 'string' && typeof error.message === 'string') {
    return new ApiError(response.status, error.code, error.message, typeof error.field === 'string' ? error.field : null);
  }
  return new ApiError(response.status, 'HTTP_' + response.status, `The server answered ${response.status} ${response.statusText}`.trim());
}

/** A client sending `key` (a tenant API key or the admin key) on every call, to `baseUrl` (default: this origin). */
export function createClient(key: string, options: { baseUrl?: string; fetch?: Fetch } = {}): ApiClient {
  const base = options.baseUrl ?? '';
  const doFetch: Fetch = options.fetch ?? ((input, init) => fetch(input, init));

  async function call(method: string, path: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = { authorization: `Bearer ${key}`, accept: 'application/json' };
    const init: RequestInit = { method, headers };
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let response: Response;
    try {
      response = await doFetch(base + path, init);
    } catch {
      throw new ApiError(0, 'NETWORK', 'The server could not be reached. Check that Tributary is running.');
    }
    if (!response.ok) throw await failure(response);
    return response;
  }

  return {
    async get<T>(path: string, query?: Record<string, string | number | undefined>) {
      return (await (await call('GET', withQuery(path, query))).json()) as T;
    },
    async post<T>(path: string, body?: unknown) {
      const response = await call('POST', path, body);
      return (response.status === 204 ? null : await response.json()) as T;
    },
    async put<T>(path: string, body: unknown) {
      return (await (await call('PUT', path, body)).json()) as T;
    },
    async patch<T>(path: string, body: unknown) {
      return (await (await call('PATCH', path, body)).json()) as T;
    },
    async del(path: string) {
      await call('DELETE', path);
    },
    async text(path: string) {
      return (await call('GET', path)).text();
    },
    async probe<T>(path: string) {
      let response: Response;
      try {
        response = await doFetch(base + path, { headers: { accept: 'application/json' } });
      } catch {
        throw new ApiError(0, 'NETWORK', 'The server could not be reached. Check that Tributary is running.');
      }
      if (response.status !== 200 && response.status !== 503) throw await failure(response);
      return (await response.json()) as T;
    },
  };
}

/** Maps an API field path (`body.credential.apiKey`) to the form field it names (`credential.apiKey`). */
export function formField(field: string | null): string | null {
  if (field === null) return null;
  return field.replace(/^(body|query|params)\./, '');
}
