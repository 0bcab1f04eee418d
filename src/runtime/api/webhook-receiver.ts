/**
 * The intake route `POST /webhooks/:registrationId/events`, unauthenticated: the
 * signature is the credential. An encapsulated plugin: it replaces every content-type
 * parser with one that keeps the raw bytes (verification needs them exactly as sent),
 * with its own body limit (default 1 MiB; over it: 413), and maps the receiver's
 * answer kinds to statuses. Errors never carry the reason a delivery was refused.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import type { IntakeAnswer, WebhookReceiver } from '../../webhooks/index.ts';
import { recordIntakeSpan, tracingEnabled } from '../../observability/index.ts';

export interface WebhookReceiverRouteOptions {
  readonly receiver: WebhookReceiver;
  /** Largest accepted body. Default 1 MiB (GitHub's deliveries can reach 25 MB: raise it for them). */
  readonly bodyLimitBytes?: number;
}

const STATUS: Readonly<Record<IntakeAnswer['kind'], number>> = {
  accepted: 200,
  duplicate: 200,
  handshake: 200,
  unauthorized: 401,
  bad_request: 400,
  not_found: 404,
  disabled: 410,
  rate_limited: 429,
  unavailable: 503,
};

const ERROR_CODE: Readonly<Partial<Record<IntakeAnswer['kind'], string>>> = {
  unauthorized: 'UNAUTHENTICATED',
  bad_request: 'VALIDATION_FAILED',
  not_found: 'NOT_FOUND',
  disabled: 'FORBIDDEN',
  rate_limited: 'PROVIDER_RATE_LIMITED',
  unavailable: 'STORE_UNAVAILABLE',
};

export async function webhookReceiverRoutes(app: FastifyInstance, options: WebhookReceiverRouteOptions): Promise<void> {
  const bodyLimit = options.bodyLimitBytes ?? 1024 * 1024;
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (_request, body, done) => done(null, body));
  app.setErrorHandler((error: FastifyError, request, reply) => {
    // Only request-shape errors reach here (size, content length, aborted bodies): never a 5xx for them.
    const status = error.statusCode === 413 ? 413 : typeof error.statusCode === 'number' && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) request.log.error({ err: error }, 'webhook intake failed');
    void reply.status(status).send({ error: { code: status === 413 ? 'PAYLOAD_TOO_LARGE' : status === 500 ? 'INTERNAL' : 'VALIDATION_FAILED', message: status === 413 ? 'The request body is too large' : 'Bad request', requestId: request.id } });
  });
  // Hot path: no per-request info lines (two pino lines cost more than the verification;
  // every delivery has its audit row instead), no schema (the raw bytes are the input).
  app.post<{ Params: { registrationId: string } }>('/webhooks/:registrationId/events', { bodyLimit, logLevel: 'warn' }, async (request, reply) => {
    const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const startedAt = tracingEnabled() ? Date.now() : 0;
    const answer = await options.receiver.receive({ registrationId: request.params.registrationId, rawBody, headers: request.headers });
    if (startedAt !== 0) recordIntakeSpan({ startedAt, registrationId: request.params.registrationId, outcome: answer.kind, eventId: 'eventId' in answer ? answer.eventId : null, status: STATUS[answer.kind] });
    void reply.status(STATUS[answer.kind]);
    if (answer.kind === 'rate_limited') void reply.header('retry-after', String(answer.retryAfterSeconds));
    if ('reply' in answer && answer.reply !== undefined) return reply.type(answer.reply.contentType).send(answer.reply.body);
    if (STATUS[answer.kind] === 200) return reply.type('application/json').send('{"ok":true}');
    return reply.send({ error: { code: ERROR_CODE[answer.kind] ?? 'VALIDATION_FAILED', message: messageFor(answer.kind), requestId: request.id } });
  });
}

function messageFor(kind: IntakeAnswer['kind']): string {
  switch (kind) {
    case 'unauthorized':
      return 'The delivery could not be verified';
    case 'not_found':
      return 'No such webhook registration';
    case 'disabled':
      return 'This webhook registration is disabled';
    case 'rate_limited':
      return 'Too many deliveries; retry later';
    case 'unavailable':
      return 'The delivery could not be stored; retry later';
    default:
      return 'Bad request';
  }
}
