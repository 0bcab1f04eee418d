import { isTributaryError, type ErrorCategory } from '../domain/errors.ts';

/** A handler's failure as the queue records it: classified, bounded, free of secrets. */
export interface ClassifiedFailure {
  readonly category: ErrorCategory;
  readonly code: string;
  /** Sanitised: no stack, credential-looking values redacted, at most 500 characters. */
  readonly message: string;
  readonly retryAfterMs: number | undefined;
}

const MAX_MESSAGE = 500;

/**
 * Classifies anything a handler threw. A `TributaryError` keeps its code, category and
 * `retryAfterMs` (the thrower knew, STYLE.md 7); anything else is an unclassified
 * `JOB_FAILED`, transient, so that it is retried. Only the message is kept, never the
 * stack or the cause chain, and it goes through `redactSecrets` because a foreign
 * error's message may quote a URL or header it was given.
 */
export function classifyFailure(error: unknown): ClassifiedFailure {
  if (isTributaryError(error)) {
    return {
      category: error.category,
      code: error.code,
      message: sanitiseMessage(error.message),
      retryAfterMs: error.retryAfterMs,
    };
  }
  if (error instanceof Error) {
    const name = error.name && error.name !== 'Error' ? `${error.name}: ` : '';
    return { category: 'transient', code: 'JOB_FAILED', message: sanitiseMessage(name + error.message), retryAfterMs: undefined };
  }
  return {
    category: 'transient',
    code: 'JOB_FAILED',
    message: `Handler threw a non-error value (${error === null ? 'null' : typeof error})`,
    retryAfterMs: undefined,
  };
}

/** The classification written when a lease expired on a job that had no attempts left. */
export const LEASE_EXPIRED_FAILURE: ClassifiedFailure = {
  category: 'transient',
  code: 'JOB_FAILED',
  message: 'The lease expired before the job completed (the worker crashed or hung) and no attempts were left',
  retryAfterMs: undefined,
};

function sanitiseMessage(message: string): string {
  // Only the first line: some libraries put a stack or a request dump after it.
  const firstLine = String(message).split('\n', 1)[0] ?? '';
  const clean = redactSecrets(firstLine).trim() || 'Job failed (no message)';
  return clean.length > MAX_MESSAGE ? `${clean.slice(0, MAX_MESSAGE - 1)}…` : clean;
}

const SECRET_PATTERNS: readonly [RegExp, string][] = [
  // https://user:password@host
  [/(\/\/)[^/\s:@]+:[^/\s@]+@/g, '$1[redacted]@'],
  // Authorization: Bearer xyz / Basic xyz
  [/\b(bearer|basic|token)\s+[A-Za-z0-9._~+/=-]{8,}/gi, '$1 [redacted]'],
  // token=xyz, "client_secret": "xyz", apiKey: xyz, password=xyz …
  [
    /\b((?:access|refresh|id)?_?token|client_?secret|secret|password|passwd|api_?key|apikey|authorization|signature)(["']?\s*[:=]\s*["']?)[^\s"'&,;}]+/gi,
    '$1$2[redacted]',
  ],
  // Well-known token shapes even without a label: JWTs, Slack, GitHub, Salesforce session ids.
  [/\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]*/g, '[redacted]'],
  [/\bxox[abposr]-[A-Za-z0-9-]{10,}/g, '[redacted]'],
  [/\bgh[pousr]_[A-Za-z0-9]{20,}/g, '[redacted]'],
  [/\b00D[A-Za-z0-9]{12,15}![A-Za-z0-9._]{20,}/g, '[redacted]'],
];

/**
 * Best-effort removal of credential-looking values from free text. It is a safety net
 * for foreign error messages; our own errors never carry secrets in the first place.
 */
export function redactSecrets(text: string): string {
  let out = text;
  for (const [pattern, replacement] of SECRET_PATTERNS) out = out.replace(pattern, replacement);
  return out;
}
