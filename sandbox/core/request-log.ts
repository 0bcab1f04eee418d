import type { ProviderName } from './types.ts';

/** One request a simulator received, as `GET /_sandbox/requests` returns it. */
export interface LoggedRequest {
  seq: number;
  provider: ProviderName;
  method: string;
  /** Full path including the provider prefix, without the query string. */
  path: string;
  query: Record<string, string | string[]>;
  headers: Record<string, string>;
  body: unknown;
  /** Status answered; null when the connection was dropped or held by a fault. */
  status: number | null;
  fault: string | null;
  at: number;
}

export interface RequestFilter {
  provider?: string;
  method?: string;
  /** A substring of the path, or a regular expression written `/.../`. */
  path?: string;
}

const SECRET_HEADERS = new Set(['authorization', 'cookie', 'x-api-key', 'proxy-authorization']);
const SECRET_FIELDS = /^(client_secret|refresh_token|access_token|code_verifier|password|token|client_assertion|assertion)$/i;

/**
 * Every request the simulators received, oldest first, up to `capacity` entries (older
 * ones drop). Credentials are masked: the log shows the token's first 6 and last 4
 * characters, enough to tell tokens apart, never the secret itself.
 */
export class RequestLog {
  private entries: LoggedRequest[] = [];
  private seq = 0;

  constructor(private readonly capacity = 50_000) {}

  add(entry: Omit<LoggedRequest, 'seq' | 'headers' | 'body'> & { headers: Record<string, unknown>; body: unknown }): LoggedRequest {
    const logged: LoggedRequest = { ...entry, seq: ++this.seq, headers: maskHeaders(entry.headers), body: maskBody(entry.body) };
    this.entries.push(logged);
    if (this.entries.length > this.capacity) this.entries.splice(0, this.entries.length - this.capacity);
    return logged;
  }

  list(filter: RequestFilter = {}): LoggedRequest[] {
    let pathTest: ((p: string) => boolean) | null = null;
    if (filter.path) {
      const raw = filter.path;
      if (raw.length > 2 && raw.startsWith('/') && raw.endsWith('/')) {
        const re = new RegExp(raw.slice(1, -1));
        pathTest = (p) => re.test(p);
      } else pathTest = (p) => p.includes(raw);
    }
    const method = filter.method?.toUpperCase();
    return this.entries.filter(
      (e) => (!filter.provider || e.provider === filter.provider) && (!method || e.method === method) && (!pathTest || pathTest(e.path)),
    );
  }

  clear(): void {
    this.entries = [];
  }
}

export function maskSecret(value: string): string {
  if (value.length <= 12) return '****';
  return `${value.slice(0, 6)}…${value.slice(-4)}`;
}

function maskHeaders(headers: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.join(', ') : String(value);
    if (SECRET_HEADERS.has(name.toLowerCase())) {
      const space = text.indexOf(' ');
      out[name] = space > 0 ? `${text.slice(0, space)} ${maskSecret(text.slice(space + 1))}` : maskSecret(text);
    } else out[name] = text;
  }
  return out;
}

function maskBody(body: unknown): unknown {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return body;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
    out[k] = SECRET_FIELDS.test(k) && typeof v === 'string' ? maskSecret(v) : v;
  }
  return out;
}
