import type { FastifyInstance, FastifyRequest } from 'fastify';
import { TributaryError } from '../../../domain/errors.ts';
import type { Actor } from '../../../domain/tenancy.ts';
import type { ApiKeyService } from '../../tenancy/index.ts';
import { sharedPlugin } from './shared-plugin.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the authentication plugin; read it through `actorOf(request)`. */
    tributaryActor: Actor | null;
  }
}

export interface AuthenticationOptions {
  apiKeys: ApiKeyService;
}

/**
 * The key a request presents: `Authorization: Bearer <key>`, else `x-api-key: <key>`.
 * Returns null when neither header carries one.
 */
export function presentedKey(request: Pick<FastifyRequest, 'headers'>): string | null {
  const authorization = request.headers.authorization;
  const bearer = typeof authorization === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1] : undefined;
  if (bearer !== undefined) return bearer;
  // Another scheme (a proxy's Basic auth, say) does not hide an x-api-key.
  const header = request.headers['x-api-key'];
  return typeof header === 'string' && header.trim() !== '' ? header.trim() : null;
}

/**
 * Shared plugin: every route registered after it in the same context requires a valid
 * key, and sees who called through `actorOf(request)`. Unknown, malformed and revoked
 * keys all answer the same 401, so a caller learns nothing about which keys exist.
 */
export const authentication = sharedPlugin<AuthenticationOptions>('authentication', async (app: FastifyInstance, options) => {
  if (!app.hasRequestDecorator('tributaryActor')) app.decorateRequest('tributaryActor', null);
  app.addHook('onRequest', async (request) => {
    const key = presentedKey(request);
    if (key === null) {
      throw new TributaryError('UNAUTHENTICATED', 'Send an API key as `Authorization: Bearer <key>` (or `x-api-key`)');
    }
    const actor = await options.apiKeys.authenticate(key);
    if (actor === null) throw new TributaryError('UNAUTHENTICATED', 'The API key is not valid or has been revoked');
    request.tributaryActor = actor;
  });
});

/** The authenticated caller. Throws INTERNAL on a route registered outside `authentication`. */
export function actorOf(request: FastifyRequest): Actor {
  const actor = request.tributaryActor;
  if (actor === null || actor === undefined) throw new TributaryError('INTERNAL', 'Route is not behind the authentication plugin');
  return actor;
}

/** Throws FORBIDDEN unless the caller holds an admin key. */
export function requireAdmin(request: FastifyRequest): Actor {
  const actor = actorOf(request);
  if (actor.kind !== 'admin') throw new TributaryError('FORBIDDEN', 'This action needs an admin key');
  return actor;
}
