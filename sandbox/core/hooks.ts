import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SandboxCore } from './context.ts';
import type { Fault } from './faults.ts';
import type { ProviderName, ProviderSimulator } from './types.ts';

interface RequestState {
  provider: ProviderName;
  providerPath: string;
  fault: Fault | null;
  logged: boolean;
}

/**
 * The core's hooks on every provider route (and on 404s under a provider prefix):
 * fault injection first (before the simulator's own auth and limits, as a failing load
 * balancer would), malformed-JSON truncation on send, and the request log on response.
 * Returns a function that destroys the sockets held by `timeout` faults (call on close).
 */
export function installCoreHooks(app: FastifyInstance, core: SandboxCore): () => void {
  const byName = new Map<string, ProviderSimulator>(core.simulators.map((s) => [s.name, s]));
  const states = new WeakMap<FastifyRequest, RequestState>();
  const held = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  const log = (request: FastifyRequest, state: RequestState, status: number | null) => {
    if (state.logged) return;
    state.logged = true;
    const q = request.query;
    core.requests.add({
      provider: state.provider,
      method: request.method,
      path: request.url.split('?')[0] ?? request.url,
      query: (q && typeof q === 'object' ? q : {}) as Record<string, string | string[]>,
      headers: request.headers,
      body: request.body ?? null,
      status,
      fault: state.fault ? `${state.fault.kind}${state.fault.kind === 'status' ? `:${state.fault.status}` : ''}` : null,
      at: core.clock.now(),
    });
  };

  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });

  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split('?')[0] ?? '';
    const slash = path.indexOf('/', 1);
    const first = slash === -1 ? path.slice(1) : path.slice(1, slash);
    const sim = byName.get(first);
    if (!sim) return;
    const state: RequestState = { provider: sim.name, providerPath: slash === -1 ? '/' : path.slice(slash), fault: null, logged: false };
    states.set(request, state);
    const fault = core.faults.decide(sim.name, request.method, state.providerPath);
    if (!fault) return;
    state.fault = fault;
    switch (fault.kind) {
      case 'slow':
        await wait(fault.delayMs);
        return;
      case 'malformed':
        return;
      case 'drop':
        log(request, state, null);
        reply.hijack();
        request.raw.socket.destroy();
        return;
      case 'timeout': {
        log(request, state, null);
        reply.hijack();
        const socket = request.raw.socket;
        held.add(socket);
        const t = setTimeout(() => {
          timers.delete(t);
          held.delete(socket);
          socket.destroy();
        }, fault.delayMs);
        timers.add(t);
        socket.once('close', () => {
          held.delete(socket);
          clearTimeout(t);
          timers.delete(t);
        });
        return;
      }
      case 'status': {
        const custom = sim.faultResponse?.(fault.status);
        const headers: Record<string, string> = { ...(custom?.headers ?? {}) };
        if (fault.retryAfterSeconds !== null) headers['retry-after'] = String(fault.retryAfterSeconds);
        else if ((fault.status === 429 || fault.status === 503) && !Object.keys(headers).some((h) => h.toLowerCase() === 'retry-after')) {
          headers['retry-after'] = '1';
        }
        const body = custom ? custom.body : { message: 'Injected fault', status: fault.status };
        reply.code(fault.status).headers(headers);
        if (typeof body === 'string') reply.type(headers['content-type'] ?? 'text/plain; charset=utf-8');
        return reply.send(body);
      }
    }
  });

  app.addHook('onSend', async (request: FastifyRequest, _reply: FastifyReply, payload: unknown) => {
    const state = states.get(request);
    if (state?.fault?.kind !== 'malformed') return payload;
    const text = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : null;
    if (text === null) return payload;
    // Cut the document in half: valid JSON up to a point, then nothing (a dropped proxy buffer).
    return text.slice(0, Math.max(1, Math.floor(text.length / 2)));
  });

  app.addHook('onResponse', async (request: FastifyRequest, reply: FastifyReply) => {
    const state = states.get(request);
    if (state) log(request, state, reply.statusCode);
  });

  return () => {
    for (const t of timers) clearTimeout(t);
    timers.clear();
    for (const s of held) s.destroy();
    held.clear();
  };
}
