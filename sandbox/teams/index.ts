/**
 * The Microsoft Teams simulator: Power Automate Workflows "When a Teams webhook request
 * is received" trigger URLs, the replacement of the retired Office 365 connectors, under
 * `/teams`:
 *
 *   POST /teams/workflows/<id>/triggers/manual/paths/invoke?api-version=2016-06-01&sp=...&sv=1.0&sig=<sig>
 *
 * The URL is the only credential (`sig`; no request signature). A body must be the
 * Adaptive Card envelope `{"type":"message","attachments":[{"contentType":
 * "application/vnd.microsoft.card.adaptive","content":{"type":"AdaptiveCard","version",
 * "body":[...]}}]}`: a malformed one answers 400 `InvalidRequestContent`. A good one
 * answers 202 Accepted with an empty body. A wrong `sig` answers 401, an unknown or
 * deleted workflow 404. Beyond `ratePerMinute` posts per workflow (default 60; the
 * sandbox's rate-limit overrides apply to keys `teams:workflow:<id>`) the answer is 429
 * with Retry-After.
 *
 * Control under `/_sandbox/teams/`: `POST /workflows {name?}` -> `{id, name, url}`;
 * `GET /workflows[/:id]` shows what was posted (`posts`); `DELETE /workflows/:id` deletes
 * the flow (its URL then answers 404); `GET|PUT /settings {ratePerMinute}`.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IssuedTokens, ProviderSimulator, RecordControl, SandboxContext } from '../core/types.ts';
import { SandboxHttpError } from '../core/errors.ts';
import { checkAdaptiveCardEnvelope } from './envelope.ts';

export interface TeamsSimulatorOptions {
  /** Accepted posts per workflow per minute before 429s. Default 60. */
  ratePerMinute?: number;
}

interface TeamsPost {
  at: number;
  body: unknown;
}

interface Workflow {
  id: string;
  name: string;
  sig: string;
  deleted: boolean;
  posts: TeamsPost[];
}

const INVOKE_QUERY = 'api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0';

export function createTeamsSimulator(options: TeamsSimulatorOptions = {}): ProviderSimulator {
  const workflows = new Map<string, Workflow>();
  const settings = { ratePerMinute: options.ratePerMinute ?? 60 };
  let context: SandboxContext | null = null;

  const url = (flow: Workflow): string => `${context?.options.baseUrl ?? ''}/teams/workflows/${flow.id}/triggers/manual/paths/invoke?${INVOKE_QUERY}&sig=${flow.sig}`;
  const view = (flow: Workflow) => ({ id: flow.id, name: flow.name, url: url(flow), deleted: flow.deleted, posts: flow.posts });
  const create = (name: unknown): Workflow => {
    const flow: Workflow = { id: randomBytes(16).toString('hex'), name: typeof name === 'string' && name !== '' ? name : 'Tributary alerts', sig: randomBytes(24).toString('base64url'), deleted: false, posts: [] };
    workflows.set(flow.id, flow);
    return flow;
  };
  const error = (reply: FastifyReply, status: number, code: string, message: string) => reply.code(status).send({ error: { code, message } });

  const control: RecordControl = {
    objects: () => ['workflows'],
    list(object, { limit, offset }) {
      if (object !== 'workflows') throw new SandboxHttpError(404, `unknown object ${object}`);
      const all = [...workflows.values()].map(view);
      return { total: all.length, records: all.slice(offset, offset + limit) };
    },
    create(object, fields) {
      if (object !== 'workflows') throw new SandboxHttpError(404, `unknown object ${object}`);
      return view(create(fields.name));
    },
    update(object, id, fields) {
      const flow = object === 'workflows' ? workflows.get(id) : undefined;
      if (!flow) throw new SandboxHttpError(404, `no workflow ${id}`);
      if (typeof fields.name === 'string') flow.name = fields.name;
      return view(flow);
    },
    remove(object, id) {
      const flow = object === 'workflows' ? workflows.get(id) : undefined;
      if (!flow || flow.deleted) return false;
      flow.deleted = true;
      return true;
    },
  };

  return {
    name: 'teams',

    register(app: FastifyInstance, ctx: SandboxContext) {
      context = ctx;
      app.post('/workflows/:id/triggers/manual/paths/invoke', async (request: FastifyRequest, reply: FastifyReply) => {
        const { id } = request.params as { id: string };
        const { sig } = (request.query ?? {}) as { sig?: string };
        const flow = workflows.get(id);
        if (!flow || flow.deleted) return error(reply, 404, 'WorkflowNotFound', `The workflow '${id}' could not be found.`);
        if (sig !== flow.sig) return error(reply, 401, 'DirectApiInvalidAuthorizationSignature', 'The provided request signature is not valid.');
        const decision = ctx.limits.take({ key: `teams:workflow:${id}`, limit: settings.ratePerMinute, windowMs: 60_000 });
        if (!decision.allowed) {
          ctx.limits.recordRejection('teams');
          return reply
            .code(429)
            .header('retry-after', String(Math.max(1, decision.retryAfterSeconds)))
            .send({ error: { code: 'WorkflowTriggerIsThrottled', message: `Rate limit is exceeded. Try again in ${Math.max(1, decision.retryAfterSeconds)} seconds.` } });
        }
        const problem = checkAdaptiveCardEnvelope(request.body);
        if (problem !== null) return error(reply, 400, 'InvalidRequestContent', problem);
        flow.posts.push({ at: ctx.clock.now(), body: request.body });
        return reply.code(202).send();
      });
    },

    registerControl(app: FastifyInstance) {
      app.post('/workflows', async (request, reply) => reply.code(201).send(view(create(((request.body ?? {}) as { name?: unknown }).name))));
      app.get('/workflows', async () => ({ workflows: [...workflows.values()].map(view) }));
      app.get('/workflows/:id', async (request, reply) => {
        const flow = workflows.get((request.params as { id: string }).id);
        return flow ? view(flow) : reply.code(404).send({ error: 'no such workflow' });
      });
      app.delete('/workflows/:id', async (request, reply) => {
        const flow = workflows.get((request.params as { id: string }).id);
        if (!flow) return reply.code(404).send({ error: 'no such workflow' });
        flow.deleted = true;
        return view(flow);
      });
      app.get('/settings', async () => ({ ...settings }));
      app.put('/settings', async (request, reply) => {
        const rate = ((request.body ?? {}) as { ratePerMinute?: unknown }).ratePerMinute;
        if (typeof rate !== 'number' || !Number.isInteger(rate) || rate < 1) return reply.code(400).send({ error: 'ratePerMinute must be a positive integer' });
        settings.ratePerMinute = rate;
        return { ...settings };
      });
    },

    seed() {
      workflows.clear();
    },

    control,

    /** Workflows take no token (the URL is the secret); minted for the control API's uniformity. */
    mint(ctx: SandboxContext, input: { account?: string; scopes?: string[]; accessSeconds?: number }): IssuedTokens {
      return ctx.tokens.issue(
        { provider: 'teams', clientId: ctx.tokens.clients('teams')[0]?.clientId ?? 'sandbox-teams-client', account: input.account ?? 'teams-tenant', scopes: input.scopes ?? [], extra: {} },
        { accessPrefix: 'teams_', rotateRefresh: false, ...(input.accessSeconds !== undefined ? { accessSeconds: input.accessSeconds } : {}) },
      );
    },

    faultResponse(status: number) {
      if (status === 429) return { headers: { 'retry-after': '30' }, body: { error: { code: 'WorkflowTriggerIsThrottled', message: 'Rate limit is exceeded. Try again in 30 seconds.' } } };
      return { body: { error: { code: 'ServiceUnavailable', message: 'The service is unavailable.' } } };
    },
  };
}
