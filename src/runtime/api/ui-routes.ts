import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';

/** Where `vite build` writes the admin UI (scripts/build-ui.mjs, run by `npm ci` through `prepare`). */
export const UI_DIST_DIR = fileURLToPath(new URL('../../../ui/dist/', import.meta.url));

/** Paths the UI never answers: the API, its docs, probes, metrics and webhook intake keep their own 404s. */
const RESERVED = /^\/(v1|docs|health|ready|metrics|webhooks)(\/|$|\?)/;

/** Hashed build output: safe to cache for a year. */
const ASSET = /^\/assets\/[\w.-]+$/;

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join('; ');

export interface UiRoutesOptions {
  /** The built UI (index.html and assets/). Default {@link UI_DIST_DIR}. */
  root?: string;
}

/**
 * The admin UI at `/`: built files from `root`, and index.html for any other GET path
 * (the single-page app routes in the browser). Reserved prefixes (`/v1`, `/docs`, `/health`,
 * `/ready`, `/metrics`, `/webhooks`) are never answered here: an unknown path under them
 * gets the API's JSON 404. When the UI is not built, `/` answers 503 saying how to build it.
 */
export const uiRoutes: FastifyPluginAsync<UiRoutesOptions> = async (app, options) => {
  const root = options.root ?? UI_DIST_DIR;
  await app.register(fastifyStatic, { root, serve: false, decorateReply: true, cacheControl: false });

  const sendIndex = (reply: FastifyReply) => {
    if (!existsSync(`${root}/index.html`)) {
      return reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send('The admin UI is not built. Run `npm run build:ui` (npm ci does it through the prepare script).\n');
    }
    return reply.header('cache-control', 'no-cache').header('content-security-policy', CSP).header('x-content-type-options', 'nosniff').sendFile('index.html');
  };

  const handler = async (request: { url: string }, reply: FastifyReply) => {
    const path = request.url.split('?')[0] ?? '/';
    if (RESERVED.test(path)) return reply.callNotFound();
    if (ASSET.test(path) && existsSync(`${root}${path}`)) {
      return reply.header('cache-control', 'public, max-age=31536000, immutable').header('x-content-type-options', 'nosniff').sendFile(path.slice(1));
    }
    if (path === '/favicon.svg' && existsSync(`${root}/favicon.svg`)) return reply.sendFile('favicon.svg');
    // Anything that looks like a file but is not one: a real 404, not the app.
    if (/\.[a-z0-9]{1,8}$/i.test(path)) return reply.callNotFound();
    return sendIndex(reply);
  };

  app.get('/', { schema: { hide: true } }, handler);
  app.get('/*', { schema: { hide: true } }, handler);
};
