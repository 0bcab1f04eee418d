import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { TributaryError, isTributaryError } from '../../../domain/errors.ts';
import type { ErrorCode } from '../../../domain/errors.ts';
import { sharedPlugin } from '../plugins/shared-plugin.ts';
import { httpStatusFor } from './http-status.ts';

/** The one error body of the API: `{ "error": { "code", "message", "field"?, "requestId" } }`. */
export interface ErrorBody {
  readonly error: {
    readonly code: ErrorCode;
    readonly message: string;
    readonly field?: string;
    readonly requestId: string;
  };
}

/** A schema error, as TypeBox (and Ajv, whose param names differ) report it. */
interface ValidationIssue {
  instancePath?: string;
  schemaPath?: string;
  message?: string;
  keyword?: string;
  params?: {
    missingProperty?: string;
    additionalProperty?: string;
    requiredProperties?: string[];
    additionalProperties?: string[];
  };
}

/**
 * Turns anything thrown in a request into a TributaryError: our own errors as they are,
 * Fastify's schema validation as VALIDATION_FAILED naming the field (`body.name`), body
 * size and parsing errors as PAYLOAD_TOO_LARGE / VALIDATION_FAILED, anything else as
 * INTERNAL with no internals in the message (the log has them).
 */
export function toTributaryError(error: unknown): TributaryError {
  if (isTributaryError(error)) return error;
  const fastifyError = error as Partial<FastifyError> & { validation?: ValidationIssue[]; validationContext?: string };
  if (Array.isArray(fastifyError.validation) && fastifyError.validation.length > 0) {
    return validationError(fastifyError.validationContext ?? 'request', fastifyError.validation[0] as ValidationIssue);
  }
  const status = fastifyError.statusCode;
  if (status === 413) return new TributaryError('PAYLOAD_TOO_LARGE', 'The request body is too large');
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const field = fastifyError.code?.startsWith('FST_ERR_CTP') ? 'body' : undefined;
    return new TributaryError('VALIDATION_FAILED', fastifyError.message ?? 'Bad request', { field, cause: error });
  }
  return new TributaryError('INTERNAL', 'An unexpected error occurred', { cause: error });
}

function validationError(context: string, issue: ValidationIssue): TributaryError {
  const path = (issue.instancePath ?? '').split('/').filter((part) => part !== '');
  const params = issue.params ?? {};
  const missing = params.missingProperty ?? params.requiredProperties?.[0];
  const extra = params.additionalProperty ?? params.additionalProperties?.[0];
  let problem = `${issue.message ?? 'is invalid'}`;
  if (issue.keyword === 'required' && missing !== undefined) {
    path.push(missing);
    problem = 'is required';
  } else if (issue.keyword === 'additionalProperties' && extra !== undefined) {
    path.push(extra);
    problem = 'is not an accepted field';
  } else if (issue.keyword === 'boolean' && issue.schemaPath?.endsWith('/additionalProperties')) {
    // TypeBox reports an unknown property as the property failing the `false` schema.
    problem = 'is not an accepted field';
  }
  const field = [context, ...path.map(unescapePointer)].join('.');
  return new TributaryError('VALIDATION_FAILED', `${field} ${problem}`, { field });
}

/** JSON Pointer escapes (RFC 6901): `~1` is `/`, `~0` is `~`. */
function unescapePointer(part: string): string {
  return part.replaceAll('~1', '/').replaceAll('~0', '~');
}

/** Builds the body and status for an error; 500s say only that something failed. */
export function errorReply(error: TributaryError, requestId: string): { status: number; body: ErrorBody } {
  const status = httpStatusFor(error.code);
  const message = error.code === 'INTERNAL' ? `An unexpected error occurred (request ${requestId}; the log has the detail)` : error.message;
  const body: ErrorBody = {
    error: { code: error.code, message, ...(error.field === undefined ? {} : { field: error.field }), requestId },
  };
  return { status, body };
}

function send(request: FastifyRequest, reply: FastifyReply, thrown: unknown): FastifyReply {
  const error = toTributaryError(thrown);
  const { status, body } = errorReply(error, request.id);
  if (status >= 500) request.log.error({ err: thrown, code: error.code }, 'request failed');
  else request.log.info({ code: error.code, field: error.field }, 'request rejected');
  if (error.retryAfterMs !== undefined) reply.header('retry-after', String(Math.ceil(error.retryAfterMs / 1000)));
  if (error.code === 'UNAUTHENTICATED') reply.header('www-authenticate', 'Bearer');
  return reply.code(status).send(body);
}

/** Shared plugin: the API's one error handler and its 404 for unknown routes. */
export const errorHandling = sharedPlugin('error-handling', async (app: FastifyInstance) => {
  app.setErrorHandler((error, request, reply) => send(request, reply, error));
  app.setNotFoundHandler((request, reply) =>
    send(request, reply, new TributaryError('ROUTE_NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0]}`)),
  );
});
