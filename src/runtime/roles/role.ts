import type { ResolvedConfig } from '../config/index.ts';
import type { RootLogger } from '../logging/logger.ts';
import type { Services } from '../services.ts';
import type { RoleName } from './names.ts';

/** What a role is started with: the services and the configuration slices roles use. */
export interface RoleContext {
  readonly services: Services;
  readonly server: ResolvedConfig['server'];
  readonly tokenRefresher: ResolvedConfig['tokenRefresher'];
  /** Leader lease of the singleton roles. */
  readonly leader: ResolvedConfig['leader'];
  /** How often the scheduler role's leader purges expired rows. */
  readonly retention: ResolvedConfig['retention'];
  /** Job leases of the workers (null: each role's default). */
  readonly workers: ResolvedConfig['workers'];
  /** Every role this process runs (a role may do less when another one in the process covers its work). */
  readonly roles: readonly RoleName[];
  /** The root logger (the api role hands it to Fastify); roles log through `logger.child({ role })`. */
  readonly logger: RootLogger;
}

export interface RunningRole {
  readonly name: RoleName;
  /** Set by roles that listen: the URL they serve on, with the real port. */
  readonly url?: string;
  /**
   * Stop taking work, finish or hand back what is in flight (releasing leases), and
   * release resources. Must resolve; the shutdown deadline is the caller's.
   */
  stop(): Promise<void>;
}

/** A process role: something a process can run, alone or beside the others. */
export interface Role {
  readonly name: RoleName;
  /** One line for `--help` and the README. */
  readonly doc: string;
  start(context: RoleContext): Promise<RunningRole>;
}

