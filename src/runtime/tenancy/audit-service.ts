import { newId } from '../../domain/ids.ts';
import type { Actor, AuditEntry } from '../../domain/tenancy.ts';
import type { Clock } from '../../ports/clock.ts';
import type { AuditFilter, AuditRepository, Page } from '../../ports/store.ts';

/** Who acts and under which request: passed to every service call that changes something. */
export interface ActionContext {
  readonly actor: Actor;
  readonly requestId: string | null;
}

/** The actor of work Tributary does on its own (CLI commands, roles). */
export const SYSTEM_ACTOR: Actor = Object.freeze({ kind: 'system', keyId: null, tenantId: null });

export interface AuditRecord {
  readonly action: string;
  readonly tenantId: string | null;
  readonly target: string | null;
  /** Never a secret value: names, ids, prefixes only. */
  readonly details?: Record<string, unknown>;
}

/**
 * The admin audit log. `entry` builds a row to append inside the same transaction as
 * the change it records, so the log never claims a change that rolled back (nor misses
 * one that committed).
 */
export class AuditService {
  readonly #audit: AuditRepository;
  readonly #clock: Clock;

  constructor(audit: AuditRepository, clock: Clock) {
    this.#audit = audit;
    this.#clock = clock;
  }

  entry(context: ActionContext, record: AuditRecord): AuditEntry {
    return {
      id: newId('aud'),
      at: new Date(this.#clock.now()).toISOString(),
      actor: context.actor,
      action: record.action,
      tenantId: record.tenantId,
      target: record.target,
      details: record.details ?? {},
      requestId: context.requestId,
    };
  }

  /** Newest first or oldest first is the store's choice; see AuditRepository. */
  list(filter: AuditFilter): Promise<Page<AuditEntry>> {
    return this.#audit.list(filter);
  }
}
