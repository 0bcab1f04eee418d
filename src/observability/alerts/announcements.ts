/**
 * One operator message per alert firing across a cluster. Every process judges the
 * per-process alerts (error rate, sync latency, refresh and signature failures) over its
 * own counters, so the same trouble can breach in several processes at once; which of
 * them announces it is decided through the Locks port, shared by every process of a
 * deployment (SQLite file, Redis), with a key identical across processes:
 *
 * - `firing`: the process that acquires the lease `alerts:announced:<alert>` sends it and
 *   renews the lease at every evaluation while its breach lasts; a process that finds the
 *   lease held folds its own firing (another process told the operator already).
 * - `resolved`: sent only by the process holding the lease (the one that announced), which
 *   then releases it; a folded breach resolves silently.
 * - A process whose firing was folded and which still breaches when the lease is free
 *   again (the announcer resolved, or died and its lease lapsed) announces it then, so
 *   a "resolved" never hides a breach that goes on elsewhere.
 *
 * One process alone always gets the lease: nothing changes for it. When the Locks
 * backend cannot be reached the transition is sent anyway (a duplicate beats silence).
 */
import type { Lease, Locks } from '../../ports/locks.ts';
import type { Logger } from '../../ports/logger.ts';
import type { AlertName, AlertTransition } from './rules.ts';

/** Decides which process tells the operator about a transition (see the monitor). */
export interface AlertAnnouncements {
  /** Whether this process sends `transition`; false: another process's message covers it. */
  claim(transition: AlertTransition): Promise<boolean>;
  /**
   * After each evaluation: keeps the announcements of the alerts still firing here;
   * resolves with those whose announcement lapsed and went to another process meanwhile.
   */
  keep(firing: readonly AlertName[]): Promise<AlertName[]>;
  /** Releases every announcement held (the process stops). */
  close(): Promise<void>;
}

/** Every transition is this process's to send: one process, or no shared backend. */
export const LOCAL_ANNOUNCEMENTS: AlertAnnouncements = {
  claim: async () => true,
  keep: async () => [],
  close: async () => undefined,
};

export interface LeaseAnnouncementOptions {
  readonly locks: Locks;
  /** This process's lease owner (unique: host, pid and a random part). */
  readonly owner: string;
  /** How long an announcement outlives its last renewal: a dead announcer's breach is taken over after this. */
  readonly ttlMs: number;
  readonly logger: Logger;
}

/** The lease whose holder announced the current firing of `name`, the same name in every process. */
export function announcementLease(name: AlertName): string {
  return `alerts:announced:${name}`;
}

/** AlertAnnouncements over the Locks port (module doc). */
export class LeaseAnnouncements implements AlertAnnouncements {
  readonly #options: LeaseAnnouncementOptions;
  readonly #held = new Map<AlertName, Lease>();

  constructor(options: LeaseAnnouncementOptions) {
    this.#options = options;
  }

  async claim(transition: AlertTransition): Promise<boolean> {
    const { locks, owner, ttlMs, logger } = this.#options;
    if (transition.state === 'resolved') {
      const lease = this.#held.get(transition.name);
      if (lease === undefined) return false;
      this.#held.delete(transition.name);
      await locks.release(lease).catch((error: unknown) => logger.warn({ err: error, alert: transition.name }, 'alert announcement not released'));
      return true;
    }
    try {
      const lease = await locks.acquire(announcementLease(transition.name), owner, ttlMs);
      if (lease === null) return false;
      this.#held.set(transition.name, lease);
      return true;
    } catch (error) {
      logger.warn({ err: error, alert: transition.name }, 'alert announcement lease unavailable; sending anyway');
      return true;
    }
  }

  async keep(firing: readonly AlertName[]): Promise<AlertName[]> {
    const { locks, owner, ttlMs, logger } = this.#options;
    const lost: AlertName[] = [];
    for (const name of firing) {
      if (!this.#held.has(name)) continue;
      try {
        // Acquiring a lease one holds renews it; null: it lapsed and another process announced since.
        const lease = await locks.acquire(announcementLease(name), owner, ttlMs);
        if (lease !== null) {
          this.#held.set(name, lease);
          continue;
        }
        this.#held.delete(name);
        lost.push(name);
      } catch (error) {
        logger.warn({ err: error, alert: name }, 'alert announcement not renewed');
      }
    }
    return lost;
  }

  async close(): Promise<void> {
    const leases = [...this.#held.values()];
    this.#held.clear();
    for (const lease of leases) await this.#options.locks.release(lease).catch(() => undefined);
  }
}
