import { pino } from 'pino';
import type { DestinationStream, Logger as PinoLogger } from 'pino';
import type { LogLevel } from '../config/index.ts';
import { activeTraceIds, currentLogContext } from '../../observability/index.ts';

export type RootLogger = PinoLogger;

export interface LoggerOptions {
  level: LogLevel;
  /** Where JSON lines go. Default: stdout. Tests pass a stream that collects lines. */
  destination?: DestinationStream;
}

const REDACTED = '[redacted]';

/**
 * Field names whose values are secret wherever they appear in a logged object, at any
 * depth: headers that carry credentials, and anything named like a token, secret,
 * password or key. Ids and versions that merely mention a key are safe and kept.
 */
const SECRET_WORD = /token|secret|passw(or)?d|passphrase|credential|authorization|cookie|signature|apikey/i;
/** `key`, `api_key`, `x-api-key`, `privateKey`, `MASTER_KEY`; not `monkey` or `keyboard`. Case-sensitive on purpose. */
const KEY_NAME = /^key$|^KEY$|[-_](key|KEY)$|[a-z0-9]Key$/;
const SAFE_NAMES = new Set(['keyId', 'keyVersion', 'keyPrefix', 'prefix', 'idempotencyKey', 'tokenType', 'tokenExpiresAt']);

/** True for a field name whose value must never reach a log line. */
export function isSecretFieldName(name: string): boolean {
  return !SAFE_NAMES.has(name) && (SECRET_WORD.test(name) || KEY_NAME.test(name));
}

/**
 * Returns a copy of `value` with every secret-named field replaced by `[redacted]`.
 * Walks plain objects and arrays (to a bounded depth, cycles cut); leaves errors,
 * dates and class instances to their serializers.
 */
export function redactSecrets(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (value === null || typeof value !== 'object' || depth > 8) return value;
  if (seen.has(value)) return '[circular]';
  if (Array.isArray(value)) {
    seen.add(value);
    return value.map((item) => redactSecrets(item, depth + 1, seen));
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  seen.add(value);
  const out: Record<string, unknown> = {};
  for (const [name, item] of Object.entries(value)) {
    out[name] = isSecretFieldName(name) && item !== null && item !== undefined ? REDACTED : redactSecrets(item, depth + 1, seen);
  }
  return out;
}

/** What a request log line says about the request: no body, no query string, headers redacted. */
function serializeRequest(request: {
  id?: unknown;
  method?: string;
  url?: string;
  routeOptions?: { url?: string };
  headers?: Record<string, unknown>;
  ip?: string;
}): Record<string, unknown> {
  const headers = request.headers ?? {};
  return {
    method: request.method,
    // Path only: a query string is caller input and may carry anything.
    url: request.url?.split('?')[0],
    route: request.routeOptions?.url,
    remoteAddress: request.ip,
    headers: redactSecrets({
      'user-agent': headers['user-agent'],
      'content-type': headers['content-type'],
      'content-length': headers['content-length'],
      authorization: headers['authorization'],
      'x-api-key': headers['x-api-key'],
      cookie: headers['cookie'],
    }),
  };
}

/**
 * The process's root logger: pino JSON lines on stdout. Every logged object goes
 * through `redactSecrets`, so a secret that slips into a log call is masked (a safety
 * net, not a licence: Logger port). Request lines carry `requestId` (set by the API);
 * lines written while a queue job runs carry its `correlationId`, `jobId` and `queue`,
 * and `trace_id`/`span_id` when tracing is on (observability/log-context.ts, tracing.ts).
 */
export function createLogger(options: LoggerOptions): RootLogger {
  return pino(
    {
      level: options.level,
      base: { pid: process.pid },
      // The job being worked on (correlationId, jobId, queue) and, when tracing, the active span: on every line.
      mixin: () => ({ ...currentLogContext(), ...activeTraceIds() }),
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        log: (object) => redactSecrets(object) as Record<string, unknown>,
      },
      serializers: {
        req: serializeRequest,
        err: pino.stdSerializers.err,
      },
    },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}
