import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { uiRoutes } from '../src/runtime/api/ui-routes.ts';
import { startTempPlatform } from '../src/runtime/testing/temp-platform.ts';
import type { TempPlatform } from '../src/runtime/testing/temp-platform.ts';

let dir: string | undefined;
let app: FastifyInstance | undefined;
let t: TempPlatform | undefined;

afterEach(async () => {
  await app?.close();
  await t?.close();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  app = undefined;
  t = undefined;
  dir = undefined;
});

/** A server with the UI routes over a fake build, and one API route beside them. */
async function serve(withBuild: boolean): Promise<FastifyInstance> {
  dir = mkdtempSync(join(tmpdir(), 'tributary-ui-'));
  const root = join(dir, 'dist');
  mkdirSync(join(root, 'assets'), { recursive: true });
  if (withBuild) {
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>ui</title><div id="root"></div>');
    writeFileSync(join(root, 'assets', 'index-abc123.js'), 'console.log("ui")');
  }
  writeFileSync(join(dir, 'not-served.txt'), 'outside the build');
  const server = Fastify();
  await server.register(uiRoutes, { root });
  server.get('/v1/me', async () => ({ me: true }));
  await server.ready();
  app = server;
  return server;
}

describe('the admin UI routes', () => {
  it('serves index.html at / and at any page path, with a content security policy', async () => {
    const server = await serve(true);
    for (const url of ['/', '/connections', '/rate-limits?level=global']) {
      const response = await server.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(200);
      expect(response.headers['content-type']).toMatch(/^text\/html/);
      expect(response.body).toContain('<div id="root">');
      expect(response.headers['content-security-policy']).toContain("default-src 'self'");
      expect(response.headers['cache-control']).toBe('no-cache');
    }
  });

  it('serves hashed assets with a long cache and answers 404 for a missing file', async () => {
    const server = await serve(true);
    const asset = await server.inject({ method: 'GET', url: '/assets/index-abc123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['content-type']).toMatch(/javascript/);
    expect(asset.headers['cache-control']).toContain('immutable');
    expect((await server.inject({ method: 'GET', url: '/assets/missing.js' })).statusCode).toBe(404);
    expect((await server.inject({ method: 'GET', url: '/assets/..%2f..%2fnot-served.txt' })).statusCode).toBe(404);
    expect((await server.inject({ method: 'GET', url: '/assets/..%2fnot-served.txt' })).statusCode).toBe(404);
  });

  it('never answers for the API, docs, probes, metrics or webhooks', async () => {
    const server = await serve(true);
    expect((await server.inject({ method: 'GET', url: '/v1/me' })).json()).toEqual({ me: true });
    for (const url of ['/v1/nope', '/v1', '/docs/nope', '/health/x', '/ready/x', '/metrics/x', '/webhooks/github/x']) {
      const response = await server.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(404);
      expect(response.body, url).not.toContain('<div id="root">');
    }
  });

  it('says how to build the UI when it is not built', async () => {
    const server = await serve(false);
    const response = await server.inject({ method: 'GET', url: '/' });
    expect(response.statusCode).toBe(503);
    expect(response.body).toContain('npm run build:ui');
  });

  it('leaves the real API its JSON errors, docs and probes when mounted by buildApi', async () => {
    t = await startTempPlatform({ adminKey: 'ui-routes-admin-key-abcdefghijkl' });
    const missing = await t.app.inject({ method: 'GET', url: '/v1/no-such-route' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json<{ error: { code: string } }>().error.code).toBe('ROUTE_NOT_FOUND');
    expect((await t.app.inject({ method: 'GET', url: '/health' })).json()).toEqual({ status: 'ok' });
    const docs = await t.app.inject({ method: 'GET', url: '/docs/json' });
    expect(docs.statusCode).toBe(200);
    expect(Object.keys(docs.json<{ paths: Record<string, unknown> }>().paths)).not.toContain('/*');
    const page = await t.app.inject({ method: 'GET', url: '/overview' });
    expect([200, 503]).toContain(page.statusCode);
  });
});
