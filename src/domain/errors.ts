/**
 * The one catalog of error codes. Every error Tributary raises on purpose carries a code
 * from here; each code has a category that tells callers what to do about it:
 *
 * - `auth`: credentials are missing, wrong or revoked. Retrying will not help until a
 *   person (or a token refresh) fixes the credential.
 * - `rate_limit`: someone asked us to slow down. Retry after `retryAfterMs`.
 * - `transient`: a passing fault (network, 5xx, lock held). Retry with backoff.
 * - `permanent`: the request can never succeed as made (not found, conflict, bug).
 * - `bad_data`: the input itself is wrong (validation, mapping). Fix the data.
 *
 * HTTP statuses are not here: the API edge maps codes to statuses (STYLE.md 8).
 * `docs/errors.md` lists the same codes; a test fails when the two disagree.
 */
export type ErrorCategory = 'auth' | 'rate_limit' | 'transient' | 'permanent' | 'bad_data';

export const ERROR_CATEGORIES: readonly ErrorCategory[] = ['auth', 'rate_limit', 'transient', 'permanent', 'bad_data'];

interface CatalogEntry {
  readonly category: ErrorCategory;
  /** One line: what happened, from the caller's point of view. */
  readonly doc: string;
}

export const ERROR_CATALOG = {
  // Requests and input
  VALIDATION_FAILED: { category: 'bad_data', doc: 'A request field is missing or has the wrong shape; `field` names it.' },
  CONFIG_INVALID: { category: 'bad_data', doc: 'A configuration value is missing or invalid; the message names the key.' },
  NOT_FOUND: { category: 'permanent', doc: 'The resource does not exist, or belongs to another tenant.' },
  ROUTE_NOT_FOUND: { category: 'permanent', doc: 'No route matches this method and path.' },
  CONFLICT: { category: 'permanent', doc: 'The resource already exists or was changed by someone else.' },
  PAYLOAD_TOO_LARGE: { category: 'bad_data', doc: 'The request body is larger than the configured limit.' },
  ALREADY_REVEALED: { category: 'permanent', doc: 'A one-time secret (a Notion verification token) was already shown and is not shown again.' },

  // Access
  UNAUTHENTICATED: { category: 'auth', doc: 'No valid API key was presented.' },
  FORBIDDEN: { category: 'auth', doc: 'The API key is valid but may not perform this action.' },

  // Backends
  STORE_UNAVAILABLE: { category: 'transient', doc: 'The store could not be reached or is busy.' },
  QUEUE_UNAVAILABLE: { category: 'transient', doc: 'The job queue could not be reached or is busy.' },
  LOCK_NOT_HELD: { category: 'transient', doc: 'A lease was lost or taken over (its fencing token is stale).' },
  MIGRATION_FAILED: { category: 'permanent', doc: 'A schema migration failed; the store was left at the previous version.' },

  // Secrets
  SECRET_NOT_FOUND: { category: 'permanent', doc: 'No secret is stored under this reference.' },
  SECRET_DECRYPT_FAILED: { category: 'permanent', doc: 'A secret failed authentication on decrypt: tampered data or the wrong master key.' },
  MASTER_KEY_INVALID: { category: 'bad_data', doc: 'The master key is missing, malformed or not 32 bytes.' },

  // Jobs
  JOB_FAILED: { category: 'transient', doc: 'A job handler failed with an unclassified error.' },
  JOB_HANDLER_MISSING: { category: 'permanent', doc: 'No handler is registered for this queue.' },
  SHUTTING_DOWN: { category: 'transient', doc: 'The process is shutting down and takes no new work.' },

  // Providers (used by later features; categories are fixed here so every layer agrees)
  PROVIDER_AUTH_FAILED: { category: 'auth', doc: 'The provider refused the credentials (expired, revoked or invalid).' },
  PROVIDER_RATE_LIMITED: { category: 'rate_limit', doc: 'The provider or our own limiter asked to wait; see retryAfterMs.' },
  PROVIDER_UNAVAILABLE: { category: 'transient', doc: 'The provider answered 5xx, timed out or dropped the connection.' },
  PROVIDER_REJECTED: { category: 'permanent', doc: 'The provider refused the request for good (not found, forbidden, unsupported).' },
  PROVIDER_BAD_DATA: { category: 'bad_data', doc: 'The provider rejected the data we sent (validation error).' },

  INTERNAL: { category: 'permanent', doc: 'An unexpected failure inside Tributary; the log has the detail.' },
} as const satisfies Record<string, CatalogEntry>;

export type ErrorCode = keyof typeof ERROR_CATALOG;

export interface TributaryErrorOptions {
  /** The input field at fault, as a path (`body.name`, `TRIBUTARY_PORT`). */
  field?: string;
  /** For rate_limit (and sometimes transient) errors: how long to wait before retrying. */
  retryAfterMs?: number;
  /** Safe, structured detail for logs and API responses. Never put secrets here. */
  details?: Record<string, unknown>;
  cause?: unknown;
}

/**
 * The error type every layer throws. Whether to retry is a property of the error
 * (its category and `retryAfterMs`), decided where the knowledge is (STYLE.md 7).
 */
export class TributaryError extends Error {
  readonly code: ErrorCode;
  readonly category: ErrorCategory;
  readonly field: string | undefined;
  readonly retryAfterMs: number | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: TributaryErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TributaryError';
    this.code = code;
    this.category = ERROR_CATALOG[code].category;
    this.field = options.field;
    this.retryAfterMs = options.retryAfterMs;
    this.details = options.details;
  }

  /** True when retrying the same operation later may succeed. */
  get retryable(): boolean {
    return this.category === 'transient' || this.category === 'rate_limit';
  }
}

export function isTributaryError(value: unknown): value is TributaryError {
  return value instanceof TributaryError;
}

/** Classify anything thrown: our own errors keep their category, the rest are transient. */
export function categoryOf(error: unknown): ErrorCategory {
  return isTributaryError(error) ? error.category : 'transient';
}
