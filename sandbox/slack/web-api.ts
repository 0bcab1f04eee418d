/**
 * Slack's Web API surface: `GET|POST /slack/api/<method>`, arguments from the query
 * string and a form-encoded or JSON body, each method declared once with its rate tier,
 * the scopes it accepts and its handler. Every answer is HTTP 200 `{"ok":true,...}` or
 * `{"ok":false,"error":...}`, except 429 for rate limiting, with `x-oauth-scopes` and
 * `x-accepted-oauth-scopes` headers as Slack sends them.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { SandboxContext } from '../core/types.ts';
import { authenticate, callToken, requireScope } from './auth.ts';
import type { SlackPrincipal } from './auth.ts';
import type { SlackStore } from './data.ts';
import { SlackApiError } from './errors.ts';
import { takeSlackLimit } from './rate-limits.ts';
import type { SlackTier } from './rate-limits.ts';

export type SlackArgs = Record<string, unknown>;
export type SlackResult = Record<string, unknown>;

export interface AuthedCall {
  method: string;
  args: SlackArgs;
  principal: SlackPrincipal;
  request: FastifyRequest;
}

export interface PublicCall {
  method: string;
  args: SlackArgs;
  request: FastifyRequest;
}

export type SlackMethodSpec =
  | {
      auth: true;
      /** A fixed tier, or one that depends on the app's settings (history for non-Marketplace apps). */
      tier: SlackTier | (() => SlackTier);
      /** Scopes of which the token needs one (may depend on the arguments, e.g. the channel type). */
      scopes?: (args: SlackArgs) => string[];
      /** False when the method checks its scopes itself (they depend on the channel's type). */
      checkScopes?: boolean;
      run(call: AuthedCall): SlackResult | Promise<SlackResult>;
    }
  | { auth: false; tier: SlackTier; run(call: PublicCall): SlackResult | Promise<SlackResult> };

/** The body of a request whose JSON did not parse (see index.ts's content parser). */
export class InvalidJson {
  constructor(readonly raw: string) {}
}

export function registerWebApi(app: FastifyInstance, ctx: SandboxContext, store: SlackStore, methods: Record<string, SlackMethodSpec>): void {
  app.route({
    method: ['GET', 'POST'],
    url: '/api/:method',
    handler: async (request, reply) => {
      const method = (request.params as { method: string }).method;
      const send = (status: number, body: unknown) => reply.code(status).type('application/json; charset=utf-8').send(JSON.stringify(body));
      try {
        const spec = methods[method];
        if (!spec) throw new SlackApiError('unknown_method', { req_method: method }, 404);
        const jsonBody = String(request.headers['content-type'] ?? '').includes('application/json');
        if (request.body instanceof InvalidJson) throw new SlackApiError('invalid_json');
        const body = request.body !== null && typeof request.body === 'object' ? (request.body as SlackArgs) : {};
        const args: SlackArgs = { ...(request.query as SlackArgs), ...body };
        if (!spec.auth) {
          return send(200, { ok: true, ...(await spec.run({ method, args, request })) });
        }
        const principal = authenticate(ctx, store, callToken(request, args, jsonBody));
        reply.header('x-oauth-scopes', principal.scopes.join(','));
        const accepted = spec.scopes?.(args) ?? [];
        reply.header('x-accepted-oauth-scopes', accepted.join(','));
        const tier = typeof spec.tier === 'function' ? spec.tier() : spec.tier;
        takeSlackLimit(ctx, { method, tier, team: store.team.id, clientId: principal.clientId, channel: typeof args.channel === 'string' ? args.channel : '' });
        if (spec.checkScopes !== false) requireScope(principal, accepted);
        const result = await spec.run({ method, args, principal, request });
        return send(200, { ok: true, ...result });
      } catch (error) {
        if (!(error instanceof SlackApiError)) throw error;
        for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
        return send(error.httpStatus, error.body());
      }
    },
  });
}

/** A string argument, or undefined. */
export function str(args: SlackArgs, key: string): string | undefined {
  const value = args[key];
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : String(value);
}

/** A boolean argument as Slack reads them: `true`, `1`. */
export function bool(args: SlackArgs, key: string): boolean {
  const value = args[key];
  return value === true || value === 'true' || value === '1' || value === 1;
}

/** A JSON argument (blocks) given as a JSON value or a JSON string in a form. */
export function jsonArg(args: SlackArgs, key: string): unknown {
  const value = args[key];
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    throw new SlackApiError('invalid_blocks_format');
  }
}
