import Fastify, { type FastifyInstance } from 'fastify';
import { createSandboxCore, resolveOptions, type SandboxCore } from './context.ts';
import { registerControlApi } from './control-api.ts';
import { installCoreHooks } from './hooks.ts';
import type { ProviderSimulator, SandboxContext, SandboxOptions } from './types.ts';

export interface Sandbox {
  app: FastifyInstance;
  ctx: SandboxContext;
  /** The core services (request log, faults, ...), for tests that look inside. */
  core: SandboxCore;
  /** Listens (port 0 = ephemeral) and returns the base URL; `ctx.options.baseUrl` is updated. */
  listen(port?: number, host?: string): Promise<string>;
  close(): Promise<void>;
}

export interface CreateSandboxOptions extends Partial<SandboxOptions> {
  providers: ProviderSimulator[];
  logger?: boolean;
}

/**
 * Builds the sandbox server: a Fastify app with each simulator under `/<provider>`, the
 * core hooks (faults, request log) on every provider path, the control API under
 * `/_sandbox`, and every simulator seeded. Form bodies (`application/x-www-form-urlencoded`)
 * are parsed to a string record; any other non-JSON body arrives as a string.
 */
export async function buildSandbox(input: CreateSandboxOptions): Promise<Sandbox> {
  const { providers, logger, ...rest } = input;
  const options = resolveOptions(rest);
  const names = new Set<string>();
  for (const p of providers) {
    if (names.has(p.name)) throw new Error(`provider ${p.name} given twice`);
    names.add(p.name);
  }
  const core = createSandboxCore(options, providers);
  const app = Fastify({ logger: logger ?? false, forceCloseConnections: true, bodyLimit: 32 * 1024 * 1024 });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  // Many clients send `Content-Type: application/json` on a bodiless DELETE or GET: accept it.
  app.removeContentTypeParser('application/json');
  const parseJson = (_req: unknown, body: string | Buffer, done: (err: Error | null, body?: unknown) => void) => {
    const text = String(body).trim();
    if (text === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (error) {
      done(Object.assign(new Error(`Invalid JSON body: ${(error as Error).message}`), { statusCode: 400 }), undefined);
    }
  };
  app.addContentTypeParser('application/json', { parseAs: 'string' }, parseJson);
  // Vendor media types (`application/vnd.github+json`, `application/merge-patch+json`) are JSON too.
  app.addContentTypeParser(/^application\/[\w.-]+\+json$/, { parseAs: 'string' }, parseJson);
  const releaseHeld = installCoreHooks(app, core);
  for (const sim of providers) {
    await app.register(async (scope) => sim.register(scope, core.ctx), { prefix: `/${sim.name}` });
    if (sim.registerControl) {
      const registerControl = sim.registerControl.bind(sim);
      await app.register(async (scope) => registerControl(scope, core.ctx), { prefix: `/_sandbox/${sim.name}` });
    }
  }
  await app.register(async (scope) => registerControlApi(scope, core), { prefix: '/_sandbox' });
  core.seedAll();
  let closed = false;
  return {
    app,
    ctx: core.ctx,
    core,
    async listen(port = 0, host = '127.0.0.1') {
      await app.listen({ port, host });
      const address = app.server.address();
      const actualPort = typeof address === 'object' && address ? address.port : port;
      const publicHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
      core.ctx.options.baseUrl = `http://${publicHost}:${actualPort}`;
      return core.ctx.options.baseUrl;
    },
    async close() {
      if (closed) return;
      closed = true;
      releaseHeld();
      await core.close();
      await app.close();
    },
  };
}
