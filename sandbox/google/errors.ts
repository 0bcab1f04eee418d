import type { FastifyReply } from '../core/types.ts';

/** Which of Google's two error dialects an API speaks. */
export type GoogleErrorStyle = 'v1' | 'classic';

/**
 * A Google API failure. `v1` (People) answers `{error:{code,message,status,details?}}`;
 * `classic` (Calendar, Drive) answers `{error:{errors:[{domain,reason,message,...}],code,message}}`.
 */
export class GoogleApiError extends Error {
  constructor(
    readonly httpStatus: number,
    message: string,
    readonly detail: {
      /** v1 canonical status (`INVALID_ARGUMENT`, `FAILED_PRECONDITION`, ...). */
      status?: string;
      /** v1 `details` (ErrorInfo, BadRequest, ...). */
      details?: Record<string, unknown>[];
      /** classic `errors[0]` fields. */
      domain?: string;
      reason?: string;
      location?: string;
      locationType?: string;
    } = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  get statusCode(): number {
    return this.httpStatus;
  }
}

/** The body of `error` in the given dialect. */
export function googleErrorBody(error: GoogleApiError, style: GoogleErrorStyle): Record<string, unknown> {
  if (style === 'v1') {
    const inner: Record<string, unknown> = { code: error.httpStatus, message: error.message, status: error.detail.status ?? canonicalStatus(error.httpStatus) };
    if (error.detail.details) inner.details = error.detail.details;
    return { error: inner };
  }
  const item: Record<string, unknown> = { domain: error.detail.domain ?? 'global', reason: error.detail.reason ?? 'backendError', message: error.message };
  if (error.detail.locationType) item.locationType = error.detail.locationType;
  if (error.detail.location) item.location = error.detail.location;
  return { error: { errors: [item], code: error.httpStatus, message: error.message } };
}

export function sendGoogleError(reply: FastifyReply, error: GoogleApiError, style: GoogleErrorStyle): FastifyReply {
  for (const [name, value] of Object.entries(error.headers)) void reply.header(name, value);
  return reply.code(error.httpStatus).send(googleErrorBody(error, style));
}

function canonicalStatus(status: number): string {
  switch (status) {
    case 400:
      return 'INVALID_ARGUMENT';
    case 401:
      return 'UNAUTHENTICATED';
    case 403:
      return 'PERMISSION_DENIED';
    case 404:
      return 'NOT_FOUND';
    case 409:
      return 'ABORTED';
    case 429:
      return 'RESOURCE_EXHAUSTED';
    case 503:
      return 'UNAVAILABLE';
    default:
      return status >= 500 ? 'INTERNAL' : 'UNKNOWN';
  }
}

/** `invalid` classic error on a query parameter (Calendar/Drive). */
export function invalidParameter(name: string, message = 'Invalid Value'): GoogleApiError {
  return new GoogleApiError(400, message, { reason: 'invalid', location: name, locationType: 'parameter' });
}

/** v1 INVALID_ARGUMENT. */
export function invalidArgument(message: string): GoogleApiError {
  return new GoogleApiError(400, message, { status: 'INVALID_ARGUMENT' });
}

/**
 * Google's answer for an injected status fault. It carries both dialects' fields so
 * that People (v1) and Calendar/Drive (classic) clients each find theirs.
 */
export function googleFaultResponse(status: number): { headers?: Record<string, string>; body: unknown } {
  const messages: Record<number, [string, string]> = {
    429: ['rateLimitExceeded', 'Rate Limit Exceeded'],
    500: ['backendError', 'Backend Error'],
    502: ['backendError', 'Bad Gateway'],
    503: ['backendError', 'The service is currently unavailable.'],
    504: ['backendError', 'Deadline exceeded'],
  };
  const [reason, message] = messages[status] ?? ['backendError', 'Backend Error'];
  return {
    headers: { 'content-type': 'application/json; charset=UTF-8' },
    body: { error: { code: status, message, status: canonicalStatus(status), errors: [{ domain: status === 429 ? 'usageLimits' : 'global', reason, message }] } },
  };
}
