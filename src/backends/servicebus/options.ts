import type { BackoffPolicy } from '../../domain/backoff.ts';
import type { Clock, RandomSource } from '../../ports/clock.ts';
import type { Logger } from '../../ports/logger.ts';

export interface ServiceBusJobQueueOptions {
  /** `Endpoint=sb://...;SharedAccessKeyName=...;SharedAccessKey=...` (Manage rights for stats and `ensureQueues`). */
  readonly connectionString: string;
  readonly clock: Clock;
  /** Prepended to every queue name (tests, several installs in one namespace). Default ''. */
  readonly entityPrefix?: string;
  readonly random?: RandomSource;
  readonly logger?: Logger;
  /** Attempts before dead-lettering, unless a job sets its own. Default 5. */
  readonly maxAttempts?: number;
  /** Lease: how long the SDK renews a message's lock while its handler runs. Default 300 000. */
  readonly leaseMs?: number;
  readonly backoff?: { baseMs?: number; maxMs?: number };
  readonly stopGraceMs?: number;
}

export interface Resolved {
  readonly clock: Clock;
  readonly prefix: string;
  readonly random: RandomSource;
  readonly logger: Logger;
  readonly maxAttempts: number;
  readonly leaseMs: number;
  readonly backoff: BackoffPolicy;
  readonly stopGraceMs: number;
}
