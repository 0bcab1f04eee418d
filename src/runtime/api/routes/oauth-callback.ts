import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ConnectionService, ConnectionView } from '../../../connections/index.ts';
import { TributaryError } from '../../../domain/errors.ts';
import { errorResponses } from '../schemas.ts';
import { Connection } from './connection-schemas.ts';

export interface OAuthCallbackRoutesOptions {
  connections: Pick<ConnectionService, 'completeAuthorization'>;
}

const CallbackQuery = Type.Object(
  {
    state: Type.String({ minLength: 1, maxLength: 512, description: 'The state of the authorize URL: single use, expiring.' }),
    code: Type.Optional(Type.String({ minLength: 1, maxLength: 4096 })),
    error: Type.Optional(Type.String({ maxLength: 200 })),
    error_description: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  // Providers add their own parameters (Google `scope`, Salesforce `sfdc_community_url`).
  { additionalProperties: true },
);

/**
 * `GET /v1/oauth/callback?code&state`: where providers send the browser after consent.
 * No API key: the state is the only credential (single use, expiring, kept server-side
 * with the PKCE verifier). Answers a redirect to the connect call's `returnUrl` (with
 * `connectionId` and `status`), else JSON `{ connection }`, or a small HTML page for a
 * browser. Never a token.
 */
export const oauthCallbackRoutes: FastifyPluginAsyncTypebox<OAuthCallbackRoutesOptions> = async (app, { connections }) => {
  app.get(
    '/oauth/callback',
    {
      schema: {
        tags: ['connections'],
        summary: 'OAuth redirect target (no API key: the single-use state identifies the authorisation).',
        security: [],
        querystring: CallbackQuery,
        response: { 200: Type.Object({ connection: Connection }), 302: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const { state, code, error } = request.query;
      if (error !== undefined) {
        throw new TributaryError('PROVIDER_REJECTED', `The provider did not authorise the connection: ${error}`, { field: 'query.error' });
      }
      if (code === undefined) throw new TributaryError('VALIDATION_FAILED', 'query.code is required', { field: 'query.code' });
      const { connection, returnUrl } = await connections.completeAuthorization({ state, code }).catch((failure: unknown) => {
        // The state is the query parameter here: name it as the caller sent it.
        if (failure instanceof TributaryError && failure.field === 'state') {
          throw new TributaryError(failure.code, failure.message, { field: 'query.state', cause: failure });
        }
        throw failure;
      });
      reply.header('cache-control', 'no-store');
      if (returnUrl !== null) {
        const target = new URL(returnUrl);
        target.searchParams.set('connectionId', connection.id);
        target.searchParams.set('status', connection.status);
        return reply.redirect(target.toString(), 302);
      }
      if (prefersHtml(request.headers.accept)) return reply.type('text/html; charset=utf-8').send(page(connection) as never);
      return { connection };
    },
  );
};

function prefersHtml(accept: string | undefined): boolean {
  return accept !== undefined && accept.includes('text/html');
}

function page(connection: ConnectionView): string {
  const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const connected = connection.status === 'active';
  const title = connected ? 'Connected' : `Connection ${connection.status}`;
  const detail = connected
    ? `${escape(connection.name)} is connected to ${escape(connection.account?.name ?? connection.provider)}.`
    : escape(connection.lastError?.message ?? 'The connection could not be validated.');
  return `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1><p>${detail}</p><p>You can close this window.</p></body></html>`;
}
