import type { Actor, AuditEntry } from '../domain/tenancy.ts';
import { newId } from '../domain/ids.ts';
import { currentLogContext, currentRequestContext } from '../observability/index.ts';
import type { Clock } from '../ports/clock.ts';
import type { Logger } from '../ports/logger.ts';
import type { AuditRepository } from '../ports/store.ts';

/**
 * The credential access audit: who read which credential's secret, when and why — never
 * the value. Who: inside an API request, the caller's key (admin or tenant) and the
 * request id; inside a queue job, `system` with the job (queue, job id, correlation id);
 * otherwise (a timer such as the token refresher) `system` and the process. Both come
 * from the execution's context (observability/log-context.ts), not from parameters.
 * Reads sit on the provider-call hot path, so the recorder coalesces: at most one row
 * per (tenant, credential, purpose, actor) per window, appended off the caller's path in
 * one batch per tick. Rows go to the audit log as `credential.access`, kept 90 days like
 * token refreshes (`GET /v1/audit?kind=credential_access`).
 */

/** Why the secret was read. */
export type CredentialAccessPurpose = 'provider_call' | 'unauthorized_retry' | 'refresh' | 'material' | 'revoke' | 'oauth_client' | 'oauth_tokens';

export const CREDENTIAL_ACCESS_ACTION = 'credential.access';
export const CREDENTIAL_ACCESS_WINDOW_MS = 60_000;
/** How long a credential access row is kept (the token refresh audit's retention). */
export const CREDENTIAL_ACCESS_RETENTION_MS = 90 * 86_400_000;

const SYSTEM: Actor = { kind: 'system', keyId: null, tenantId: null };

export interface CredentialAccess {
  readonly tenantId: string;
  readonly credentialId: string;
  readonly connectionId: string | null;
  readonly purpose: CredentialAccessPurpose;
}

export class CredentialAccessRecorder {
  readonly #audit: AuditRepository;
  readonly #clock: Clock;
  readonly #logger: Logger | null;
  /** Names the reader: the process (`credentials:<pid>:<random>`). */
  readonly #process: string;
  /** Key -> start of the window that already has a row. */
  readonly #recorded = new Map<string, number>();
  #pending: { entry: AuditEntry; expiresAt: string }[] = [];
  #flushing: Promise<void> | null = null;

  constructor(deps: { audit: AuditRepository; clock: Clock; logger: Logger | null; process: string }) {
    this.#audit = deps.audit;
    this.#clock = deps.clock;
    this.#logger = deps.logger;
    this.#process = deps.process;
  }

  /** Never throws and never waits: an audit write failure is logged, the read goes on. */
  record(access: CredentialAccess): void {
    const now = this.#clock.now();
    const origin = originOfRead();
    const who = origin.actor.kind === 'system' ? 'system' : `${origin.actor.kind}:${origin.actor.keyId ?? ''}`;
    const key = `${access.tenantId}\u0000${access.credentialId}\u0000${access.purpose}\u0000${who}`;
    const since = this.#recorded.get(key);
    if (since !== undefined && now - since < CREDENTIAL_ACCESS_WINDOW_MS) return;
    if (this.#recorded.size >= 50_000) this.#forgetOlderThan(now - CREDENTIAL_ACCESS_WINDOW_MS);
    this.#recorded.set(key, now);
    const entry: AuditEntry = {
      id: newId('aud'),
      at: new Date(now).toISOString(),
      actor: origin.actor,
      action: CREDENTIAL_ACCESS_ACTION,
      tenantId: access.tenantId,
      target: access.connectionId,
      details: { credentialId: access.credentialId, purpose: access.purpose, process: this.#process, ...origin.details, coalesceWindowSeconds: CREDENTIAL_ACCESS_WINDOW_MS / 1000 },
      requestId: origin.requestId,
    };
    this.#pending.push({ entry, expiresAt: new Date(now + CREDENTIAL_ACCESS_RETENTION_MS).toISOString() });
    this.#flushing ??= Promise.resolve().then(() => this.#flush());
  }

  /** Waits until every recorded access is written (tests, shutdown). */
  async flush(): Promise<void> {
    while (this.#flushing !== null) await this.#flushing;
  }

  async #flush(): Promise<void> {
    const batch = this.#pending;
    this.#pending = [];
    try {
      for (const { entry, expiresAt } of batch) await this.#audit.append(entry, { expiresAt });
    } catch (error) {
      this.#logger?.warn({ errorName: error instanceof Error ? error.name : 'unknown', lost: batch.length }, 'credential access audit write failed');
    } finally {
      this.#flushing = this.#pending.length > 0 ? Promise.resolve().then(() => this.#flush()) : null;
    }
  }

  #forgetOlderThan(cutoff: number): void {
    for (const [key, at] of this.#recorded) if (at < cutoff) this.#recorded.delete(key);
  }
}

/**
 * Who caused the read in progress: the API request's caller (`system` on a route that
 * takes no key, such as the OAuth callback) with its request id and route, else the
 * queue job being worked on, else the periodic task (the token refresher's pass), else
 * nobody but this process.
 */
function originOfRead(): { actor: Actor; requestId: string | null; details: Record<string, unknown> } {
  const request = currentRequestContext();
  if (request !== null) return { actor: request.actor ?? SYSTEM, requestId: request.requestId, details: { route: request.route } };
  const { jobId, queue, correlationId, task } = currentLogContext();
  if (jobId !== undefined) return { actor: SYSTEM, requestId: null, details: { job: { queue: queue ?? null, id: jobId, correlationId: correlationId ?? null } } };
  return { actor: SYSTEM, requestId: null, details: task === undefined ? {} : { task } };
}
