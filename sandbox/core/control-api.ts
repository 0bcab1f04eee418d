import type { FastifyInstance, FastifyReply } from 'fastify';
import type { SandboxCore } from './context.ts';
import { statusOf } from './errors.ts';
import type { FaultSpec } from './faults.ts';
import type { ProviderName, ProviderSimulator } from './types.ts';
import { PROVIDER_NAMES } from './types.ts';

type Body = Record<string, unknown>;

/**
 * The control API, mounted under `/_sandbox`: time, limits, faults, the request log,
 * ground truth, deliveries, reset, token minting and user-level record edits through
 * each simulator's RecordControl. Errors answer `{ "error": message }`.
 */
export async function registerControlApi(app: FastifyInstance, core: SandboxCore): Promise<void> {
  const sims = new Map<string, ProviderSimulator>(core.simulators.map((s) => [s.name, s]));
  const fail = (reply: FastifyReply, status: number, message: string) => reply.code(status).send({ error: message });
  const bodyOf = (b: unknown): Body => (b && typeof b === 'object' ? (b as Body) : {});

  app.get('/', async () => ({
    seed: core.ctx.options.seed,
    size: core.ctx.options.size,
    rateLimitScale: core.ctx.options.rateLimitScale,
    baseUrl: core.ctx.options.baseUrl,
    providers: core.simulators.map((s) => s.name),
    now: new Date(core.clock.now()).toISOString(),
  }));

  app.get('/clock', async () => ({ now: core.clock.now(), iso: new Date(core.clock.now()).toISOString(), offsetMs: core.clock.offset() }));
  app.post('/clock/advance', async (request, reply) => {
    const ms = Number(bodyOf(request.body).ms);
    if (!Number.isFinite(ms) || ms < 0) return fail(reply, 400, 'ms must be a non-negative number');
    core.clock.advance(ms);
    return { now: core.clock.now(), iso: new Date(core.clock.now()).toISOString(), offsetMs: core.clock.offset() };
  });

  app.get('/limits', async () => ({
    scale: core.ctx.options.rateLimitScale,
    counters: core.limits.usage(),
    overrides: core.limits.overrides(),
    rejections: Object.fromEntries(PROVIDER_NAMES.map((p) => [p, core.limits.rejections(p)])),
    totalRejections: core.limits.rejections(),
  }));
  app.put('/limits', async (request, reply) => {
    const b = bodyOf(request.body);
    if (typeof b.keyPrefix !== 'string' || b.keyPrefix === '') return fail(reply, 400, 'keyPrefix is required');
    if (b.limit !== null && (typeof b.limit !== 'number' || b.limit < 0)) return fail(reply, 400, 'limit must be a non-negative number or null');
    core.limits.override(b.keyPrefix, b.limit as number | null);
    return { overrides: core.limits.overrides() };
  });

  app.post('/faults', async (request, reply) => {
    const b = bodyOf(request.body) as unknown as FaultSpec;
    if (!sims.has(b.provider)) return fail(reply, 400, `provider must be one of ${[...sims.keys()].join(', ')}`);
    try {
      return reply.code(201).send(core.faults.add(b));
    } catch (error) {
      return fail(reply, 400, (error as Error).message);
    }
  });
  app.get('/faults', async () => ({ faults: core.faults.list() }));
  app.delete('/faults', async () => ({ removed: core.faults.remove() }));
  app.delete<{ Params: { id: string } }>('/faults/:id', async (request, reply) => {
    const removed = core.faults.remove(request.params.id);
    return removed ? { removed } : fail(reply, 404, 'no such fault');
  });

  app.get<{ Querystring: { provider?: string; method?: string; path?: string } }>('/requests', async (request) => {
    const { provider, method, path } = request.query;
    const requests = core.requests.list({ provider, method, path });
    return { count: requests.length, requests };
  });
  app.delete('/requests', async () => {
    core.requests.clear();
    return { cleared: true };
  });

  app.get<{ Querystring: { format?: string; provider?: string } }>('/ground-truth', async (request, reply) => {
    if (request.query.format === 'csv') return reply.type('text/csv; charset=utf-8').send(core.truth.toCsv());
    const entries = core.truth.entries().filter((e) => !request.query.provider || e.provider === request.query.provider);
    return { count: entries.length, entries };
  });

  app.get<{ Querystring: { limit?: string; offset?: string } }>('/people', async (request) => {
    const all = core.people().all();
    const offset = Math.max(0, Number(request.query.offset ?? 0) || 0);
    const limit = Math.min(10_000, Math.max(1, Number(request.query.limit ?? 100) || 100));
    return { total: all.length, people: all.slice(offset, offset + limit) };
  });

  app.get<{ Querystring: { provider?: ProviderName } }>('/deliveries', async (request) => {
    const deliveries = core.webhooks.deliveries(request.query.provider);
    return { count: deliveries.length, deliveries };
  });

  app.post('/reset', async (request, reply) => {
    const b = bodyOf(request.body);
    const seed = b.seed === undefined ? undefined : Number(b.seed);
    const size = b.size === undefined ? undefined : Number(b.size);
    if (seed !== undefined && !Number.isInteger(seed)) return fail(reply, 400, 'seed must be an integer');
    if (size !== undefined && (!Number.isInteger(size) || size < 0)) return fail(reply, 400, 'size must be a non-negative integer');
    core.reset({ seed, size });
    return { seed: core.ctx.options.seed, size: core.ctx.options.size };
  });

  app.get('/tokens', async () => ({
    refreshCounts: Object.fromEntries(core.simulators.map((sim) => [sim.name, core.tokens.refreshCount(sim.name)])),
    clients: Object.fromEntries(core.simulators.map((sim) => [sim.name, core.tokens.clients(sim.name).map((c) => c.clientId)])),
  }));

  app.post('/tokens', async (request, reply) => {
    const b = bodyOf(request.body);
    const sim = sims.get(String(b.provider));
    if (!sim) return fail(reply, 400, `provider must be one of ${[...sims.keys()].join(', ')}`);
    const accessSeconds = b.accessSeconds === undefined ? undefined : Number(b.accessSeconds);
    const input: { account?: string; scopes?: string[]; accessSeconds?: number } = {};
    if (typeof b.account === 'string') input.account = b.account;
    if (Array.isArray(b.scopes)) input.scopes = b.scopes.map(String);
    if (accessSeconds !== undefined && Number.isFinite(accessSeconds)) input.accessSeconds = accessSeconds;
    const tokens = sim.mint(core.ctx, input);
    if (input.accessSeconds !== undefined) {
      core.tokens.setAccessExpiry(tokens.accessToken, input.accessSeconds);
      tokens.expiresIn = input.accessSeconds;
    }
    return reply.code(201).send(tokens);
  });

  // User-level record edits, per provider, through the simulator's RecordControl.
  for (const sim of core.simulators) {
    const base = `/${sim.name}`;
    const run = async (reply: FastifyReply, fn: () => unknown, status = 200) => {
      try {
        const result = await fn();
        return reply.code(status).send(result ?? { ok: true });
      } catch (error) {
        return fail(reply, statusOf(error), (error as Error).message);
      }
    };
    app.get(`${base}/objects`, async () => ({ objects: sim.control.objects() }));
    app.get<{ Params: { object: string }; Querystring: { limit?: string; offset?: string } }>(`${base}/:object`, async (request, reply) => {
      const limit = Math.min(10_000, Math.max(1, Number(request.query.limit ?? 100) || 100));
      const offset = Math.max(0, Number(request.query.offset ?? 0) || 0);
      return run(reply, () => sim.control.list(request.params.object, { limit, offset }));
    });
    app.post<{ Params: { object: string } }>(`${base}/:object`, async (request, reply) =>
      run(reply, () => sim.control.create(request.params.object, bodyOf(request.body)), 201),
    );
    app.patch<{ Params: { object: string; id: string } }>(`${base}/:object/:id`, async (request, reply) =>
      run(reply, () => sim.control.update(request.params.object, request.params.id, bodyOf(request.body))),
    );
    app.delete<{ Params: { object: string; id: string } }>(`${base}/:object/:id`, async (request, reply) => {
      try {
        const removed = await sim.control.remove(request.params.object, request.params.id);
        return removed ? { deleted: true } : fail(reply, 404, 'no such record');
      } catch (error) {
        return fail(reply, statusOf(error), (error as Error).message);
      }
    });
  }
}
