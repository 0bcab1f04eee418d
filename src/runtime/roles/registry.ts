import { apiRole } from './api-role.ts';
import { inboundRole } from './inbound-worker.ts';
import type { RoleName } from './names.ts';
import type { Role, RoleContext, RunningRole } from './role.ts';
import { notifierRole } from './notifier.ts';
import { outboundRole } from './outbound-worker.ts';
import { schedulerRole } from './scheduler.ts';
import { tokenRefresherRole } from './token-refresher.ts';
import { webhookReceiverRole } from './webhook-receiver.ts';

/** Every role, by name. Later features replace the idle ones with their real role. */
export const ROLES: Readonly<Record<RoleName, Role>> = {
  api: apiRole,
  scheduler: schedulerRole,
  'token-refresher': tokenRefresherRole,
  'inbound-worker': inboundRole,
  'outbound-worker': outboundRole,
  // Beside the api role, the API's server takes the deliveries; alone, this role serves them.
  'webhook-receiver': webhookReceiverRole,
  notifier: notifierRole,
};

export interface RunningRoles {
  readonly roles: readonly RunningRole[];
  /** The api role's URL, when it runs. */
  readonly url: string | null;
  /** Stops the roles in reverse start order: workers stop taking jobs before the API closes. */
  stop(): Promise<void>;
}

/**
 * Starts the named roles in order. If one fails to start, the ones already started are
 * stopped before the error is rethrown, so a failed start leaves nothing running.
 */
export async function startRoles(names: readonly RoleName[], context: RoleContext, registry = ROLES): Promise<RunningRoles> {
  const running: RunningRole[] = [];
  const stopAll = async (): Promise<void> => {
    for (const role of [...running].reverse()) {
      try {
        await role.stop();
      } catch (error) {
        context.logger.error({ err: error, role: role.name }, 'role failed to stop cleanly');
      }
    }
  };
  try {
    for (const name of names) running.push(await registry[name].start(context));
  } catch (error) {
    await stopAll();
    throw error;
  }
  return { roles: running, url: running.find((role) => role.url !== undefined)?.url ?? null, stop: stopAll };
}
