import type { FastifyRequest } from 'fastify';
import type { ActionContext } from '../../tenancy/index.ts';
import { actorOf } from '../plugins/auth.ts';

/** Who acts, and under which request id: what services record in the audit log. */
export function actionContext(request: FastifyRequest): ActionContext {
  return { actor: actorOf(request), requestId: request.id };
}
