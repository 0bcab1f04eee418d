import type { RoleName } from './names.ts';
import type { Role, RunningRole } from './role.ts';

/**
 * A registered role whose work a later feature brings (the scheduler's ticks, the
 * workers' consumers, ...). It starts, says it is idle, and stops cleanly, so that
 * `--roles` and one-process-per-role deployments work from day one.
 */
export function idleRole(name: RoleName, doc: string, arrivesWith: string): Role {
  return {
    name,
    doc,
    async start(context): Promise<RunningRole> {
      const log = context.logger.child({ role: name });
      log.info({ arrivesWith }, `${name} role started; idle until ${arrivesWith} lands`);
      return {
        name,
        async stop() {
          log.info({}, `${name} role stopped`);
        },
      };
    },
  };
}
