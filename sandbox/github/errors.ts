/**
 * GitHub's error answers: `{ message, documentation_url }` with the status GitHub uses,
 * plus `errors[]` on 422 Validation Failed. `GithubHttpError` is thrown by route code
 * and turned into the response by the simulator's error handler (index.ts).
 */
import type { FastifyReply } from 'fastify';

export const DOCS = 'https://docs.github.com/rest';

export interface GithubValidationItem {
  resource: string;
  code: 'missing' | 'missing_field' | 'invalid' | 'already_exists' | 'unprocessable' | 'custom';
  field?: string;
  message?: string;
}

export class GithubHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly documentationUrl: string = DOCS,
    readonly errors?: GithubValidationItem[],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  body(): Record<string, unknown> {
    const body: Record<string, unknown> = { message: this.message };
    if (this.errors) body.errors = this.errors;
    body.documentation_url = this.documentationUrl;
    body.status = String(this.status);
    return body;
  }
}

export function badCredentials(): GithubHttpError {
  return new GithubHttpError(401, 'Bad credentials', 'https://docs.github.com/rest');
}

export function requiresAuthentication(): GithubHttpError {
  return new GithubHttpError(401, 'Requires authentication', 'https://docs.github.com/rest/users/users#get-the-authenticated-user');
}

export function notFound(documentationUrl = DOCS): GithubHttpError {
  return new GithubHttpError(404, 'Not Found', documentationUrl);
}

export function gone(message: string, documentationUrl = DOCS): GithubHttpError {
  return new GithubHttpError(410, message, documentationUrl);
}

export function notAccessibleByIntegration(documentationUrl = DOCS): GithubHttpError {
  return new GithubHttpError(403, 'Resource not accessible by integration', documentationUrl);
}

export function validationFailed(errors: GithubValidationItem[], documentationUrl = DOCS): GithubHttpError {
  return new GithubHttpError(422, 'Validation Failed', documentationUrl, errors);
}

export function problemsParsingJson(): GithubHttpError {
  return new GithubHttpError(400, 'Problems parsing JSON', DOCS);
}

export function sendError(reply: FastifyReply, error: GithubHttpError): FastifyReply {
  for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
  return reply.code(error.status).type('application/json; charset=utf-8').send(JSON.stringify(error.body()));
}
