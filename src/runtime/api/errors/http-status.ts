import { ERROR_CATALOG } from '../../../domain/errors.ts';
import type { ErrorCategory, ErrorCode } from '../../../domain/errors.ts';

/**
 * The HTTP status of each error code: the only place codes meet HTTP (STYLE.md 8).
 * docs/errors.md lists the same statuses; catalog-integrity.test.ts keeps them in step.
 */
export const HTTP_STATUS_BY_CODE: Readonly<Partial<Record<ErrorCode, number>>> = {
  VALIDATION_FAILED: 400,
  CONFIG_INVALID: 500,
  NOT_FOUND: 404,
  ROUTE_NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  ALREADY_REVEALED: 410,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  STORE_UNAVAILABLE: 503,
  QUEUE_UNAVAILABLE: 503,
  LOCK_NOT_HELD: 409,
  MIGRATION_FAILED: 500,
  SECRET_NOT_FOUND: 404,
  SECRET_DECRYPT_FAILED: 500,
  MASTER_KEY_INVALID: 500,
  JOB_FAILED: 500,
  JOB_HANDLER_MISSING: 500,
  SHUTTING_DOWN: 503,
  PROVIDER_AUTH_FAILED: 502,
  PROVIDER_RATE_LIMITED: 429,
  PROVIDER_UNAVAILABLE: 502,
  PROVIDER_REJECTED: 502,
  PROVIDER_BAD_DATA: 422,
  INTERNAL: 500,
};

/**
 * For a code added to the catalog without a status here: a status by category, so the
 * API still answers sensibly. The integrity test still fails until the code is listed
 * above and in docs/errors.md.
 */
const STATUS_BY_CATEGORY: Readonly<Record<ErrorCategory, number>> = {
  bad_data: 400,
  auth: 401,
  rate_limit: 429,
  transient: 503,
  permanent: 500,
};

export function httpStatusFor(code: ErrorCode): number {
  return HTTP_STATUS_BY_CODE[code] ?? STATUS_BY_CATEGORY[ERROR_CATALOG[code].category];
}
