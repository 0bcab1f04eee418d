import type { AuditEntry } from '../domain/tenancy.ts';
import { newId } from '../domain/ids.ts';
import type { Clock } from '../ports/clock.ts';
import type { Logger } from '../ports/logger.ts';
import type { AuditRepository } from '../ports/store.ts';

/**
 * The credential access audit: who read which credential's secret, when and why — never
 * the value. Reads sit on the provider-call hot path, so the recorder coalesces: at most
 * one row per (tenant, credential, purpose) per window, appended off the caller's path in
 * one batch per tick. Rows go to the audit log as `credential.access` (`GET /v1/audit?kind=credential_access`).
 */

/** Why the secret was read. */
export type CredentialAccessPurpose = 'provider_call' | 'unauthorized_retry' | 'refresh' | 'material' | 'revoke' | 'oauth_client' | 'oauth_tokens';

export const CREDENTIAL_ACCESS_ACTION = 'credential.access';
export const CREDENTIAL_ACCESS_WINDOW_MS = 60_000;

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
  #pending: AuditEntry[] = [];
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
    const key = `${access.tenantId}\u0000${access.credentialId}\u0000${access.purpose}`;
    const since = this.#recorded.get(key);
    if (since !== undefined && now - since < CREDENTIAL_ACCESS_WINDOW_MS) return;
    if (this.#recorded.size >= 50_000) this.#forgetOlderThan(now - CREDENTIAL_ACCESS_WINDOW_MS);
    this.#recorded.set(key, now);
    this.#pending.push({
      id: newId('aud'),
      at: new Date(now).toISOString(),
      actor: { kind: 'system', keyId: null, tenantId: null },
      action: CREDENTIAL_ACCESS_ACTION,
      tenantId: access.tenantId,
      target: access.connectionId,
      details: { credentialId: access.credentialId, purpose: access.purpose, process: this.#process, coalesceWindowSeconds: CREDENTIAL_ACCESS_WINDOW_MS / 1000 },
      requestId: null,
    });
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
      for (const entry of batch) await this.#audit.append(entry);
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
