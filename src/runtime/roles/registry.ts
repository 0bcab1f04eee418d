import { apiRole } from './api-role.ts';
import { idleRole } from './idle-role.ts';
import { inboundRole } from './inbound-worker.ts';
import type { RoleName } from './names.ts';
import type { Role, RoleContext, RunningRole } from './role.ts';
import { notifierRole } from './notifier.ts';
import { schedulerRole } from './scheduler.ts';
import { tokenRefresherRole } from './token-refresher.ts';

/** Every role, by name. Later features replace the idle ones with their real role. */
export const ROLES: Readonly<Record<RoleName, Role>> = {
  api: apiRole,
  scheduler: schedulerRole,
  'token-refresher': tokenRefresherRole,
  'inbound-worker': inboundRole,
  'outbound-worker': idleRole('outbound-worker', 'Runs pushes from sync-outbound.', 'the sync engine'),
  // In embedded mode the api role's server takes webhook deliveries (POST /webhooks/{id}/events);
  // this role will run the intake on its own server when processes are split (cluster mode).
  'webhook-receiver': idleRole('webhook-receiver', 'Takes provider webhooks on a server of its own (cluster mode).', 'cluster mode'),
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
