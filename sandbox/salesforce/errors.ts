/**
 * Salesforce's REST error shapes: a JSON array of `{message, errorCode, fields?}`, and the
 * OAuth endpoints' `{error, error_description}`.
 */

export interface SfError {
  message: string;
  errorCode: string;
  fields?: string[];
}

/** A REST failure with its status and Salesforce's body. */
export class SfApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly errors: SfError[],
  ) {
    super(errors[0]?.message ?? 'error');
  }
}

export const sfError = (statusCode: number, errorCode: string, message: string, fields?: string[]): SfApiError =>
  new SfApiError(statusCode, [fields ? { message, errorCode, fields } : { message, errorCode }]);

export const INVALID_SESSION: SfError[] = [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }];
export const REQUEST_LIMIT_EXCEEDED: SfError[] = [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }];
export const NOT_FOUND: SfError[] = [{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }];

/** The body of an injected status fault, as Salesforce (or its edge) answers it. */
export function faultBody(status: number): { headers?: Record<string, string>; body: unknown } {
  switch (status) {
    case 500:
      return { body: [{ message: 'An unexpected error occurred. Please include this ErrorId if you contact support: 1418826071-52937 (-1379787433)', errorCode: 'UNKNOWN_EXCEPTION' }] };
    case 503:
      return { body: [{ message: 'Server is temporarily unavailable. Try again later.', errorCode: 'SERVER_UNAVAILABLE' }] };
    case 403:
      return { body: REQUEST_LIMIT_EXCEEDED };
    case 401:
      return { body: INVALID_SESSION };
    case 429:
      return { body: [{ message: 'Too many requests. Try again later.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }] };
    case 502:
    case 504:
      return {
        headers: { 'content-type': 'text/html; charset=utf-8' },
        body: `<html><head><title>${status} ${status === 502 ? 'Bad Gateway' : 'Gateway Timeout'}</title></head><body><h1>${status}</h1></body></html>`,
      };
    default:
      return { body: [{ message: `HTTP ${status}`, errorCode: 'UNKNOWN_EXCEPTION' }] };
  }
}
