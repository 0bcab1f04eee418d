import { randomUUID } from 'node:crypto';
import type { FastifyReply } from '../core/types.ts';

/** Notion's error codes with the HTTP status each is sent with (developers.notion.com/reference/status-codes). */
export const NOTION_ERROR_STATUS = {
  invalid_json: 400,
  invalid_request_url: 400,
  invalid_request: 400,
  validation_error: 400,
  missing_version: 400,
  unauthorized: 401,
  restricted_resource: 403,
  object_not_found: 404,
  conflict_error: 409,
  rate_limited: 429,
  internal_server_error: 500,
  bad_gateway: 502,
  service_unavailable: 503,
  database_connection_unavailable: 503,
  gateway_timeout: 504,
  service_overload: 529,
} as const;

export type NotionErrorCode = keyof typeof NOTION_ERROR_STATUS;

/**
 * A Notion API failure a route throws; the simulator's error handler turns it into
 * Notion's body `{object:"error",status,code,message,request_id}`.
 */
export class NotionApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: NotionErrorCode,
    message: string,
    readonly additionalData?: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.status = NOTION_ERROR_STATUS[code];
  }

  /** The status the core's control API answers with when a RecordControl call throws this. */
  get statusCode(): number {
    return this.status;
  }
}

export function notFound(kind: 'page' | 'database' | 'data_source' | 'block' | 'user', id: string): NotionApiError {
  const what = kind === 'data_source' ? 'data source' : kind;
  return new NotionApiError(
    'object_not_found',
    `Could not find ${what} with ID: ${id}. Make sure the relevant pages and databases are shared with your integration.`,
  );
}

export function validation(message: string): NotionApiError {
  return new NotionApiError('validation_error', message);
}

/** Sends `error` in Notion's shape. */
export function sendNotionError(reply: FastifyReply, error: NotionApiError): FastifyReply {
  for (const [name, value] of Object.entries(error.headers)) void reply.header(name, value);
  const body: Record<string, unknown> = {
    object: 'error',
    status: error.status,
    code: error.code,
    message: error.message,
    request_id: randomUUID(),
  };
  if (error.additionalData) body.additional_data = error.additionalData;
  return reply.code(error.status).send(body);
}

/** Notion's body for a status the core injects as a fault (500, 502, 503, 504, 429, 529). */
export function notionFaultResponse(status: number): { headers?: Record<string, string>; body: unknown } {
  const byStatus: Record<number, [NotionErrorCode, string]> = {
    429: ['rate_limited', 'You have been rate limited. Please try again in a few minutes.'],
    500: ['internal_server_error', 'Unexpected error occurred.'],
    502: ['bad_gateway', 'Bad gateway.'],
    503: ['service_unavailable', 'Notion is unavailable, please try again later.'],
    504: ['gateway_timeout', 'Gateway timeout.'],
    529: ['service_overload', 'Notion is currently overloaded. Please try again later.'],
  };
  const [code, message] = byStatus[status] ?? ['internal_server_error', 'Unexpected error occurred.'];
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
  // Notion asks clients to honour Retry-After on 429 and 529; the fault's own value, if set, replaces this.
  if (status === 429 || status === 529) headers['retry-after'] = '1';
  return { headers, body: { object: 'error', status, code, message, request_id: randomUUID() } };
}
