import { createRng } from './rng.ts';
import type { ProviderName, Rng } from './types.ts';

export type FaultKind = 'status' | 'timeout' | 'slow' | 'malformed' | 'drop';

/** What `POST /_sandbox/faults` accepts. */
export interface FaultSpec {
  provider: ProviderName;
  kind: FaultKind;
  /** Regular expression tested against the provider's own path (after `/github`), without the query. */
  path?: string;
  method?: string;
  /** Share of matching requests that fail, in [0, 1]. Default 1. */
  rate?: number;
  /** Apply only this many times, then stop matching. */
  count?: number;
  /** `status`: the HTTP status (500, 502, 503, 429, ...). Default 500. */
  status?: number;
  /** `slow`: the delay; `timeout`: how long to hold before destroying the socket (default 120 s). */
  delayMs?: number;
  /** `status` 429/503: the Retry-After seconds to send. */
  retryAfterSeconds?: number;
}

export interface Fault extends Required<Pick<FaultSpec, 'provider' | 'kind' | 'rate'>> {
  id: string;
  path: string | null;
  method: string | null;
  count: number | null;
  status: number;
  delayMs: number;
  retryAfterSeconds: number | null;
  /** How many requests this fault matched and how many it was applied to. */
  matched: number;
  applied: number;
}

const VALID_KINDS: readonly FaultKind[] = ['status', 'timeout', 'slow', 'malformed', 'drop'];

/**
 * The injected faults. Each fault draws from its own rng stream (seed + fault number), so
 * the same sequence of requests fails the same way on every run. Faults are tried in the
 * order added; the first that matches and fires wins.
 */
export class FaultTable {
  private faults: { fault: Fault; regex: RegExp | null; rng: Rng }[] = [];
  private seq = 0;

  constructor(private seed: () => number) {}

  add(spec: FaultSpec): Fault {
    if (!VALID_KINDS.includes(spec.kind)) throw new RangeError(`kind must be one of ${VALID_KINDS.join(', ')}`);
    const rate = spec.rate ?? 1;
    if (!(rate >= 0 && rate <= 1)) throw new RangeError('rate must be in [0, 1]');
    const regex = spec.path ? new RegExp(spec.path) : null;
    const id = `fault_${++this.seq}`;
    const fault: Fault = {
      id,
      provider: spec.provider,
      kind: spec.kind,
      rate,
      path: spec.path ?? null,
      method: spec.method ? spec.method.toUpperCase() : null,
      count: spec.count ?? null,
      status: spec.status ?? 500,
      delayMs: spec.delayMs ?? (spec.kind === 'timeout' ? 120_000 : 1000),
      retryAfterSeconds: spec.retryAfterSeconds ?? null,
      matched: 0,
      applied: 0,
    };
    this.faults.push({ fault, regex, rng: createRng(this.seed(), `fault:${this.seq}`) });
    return fault;
  }

  /** The fault to apply to this request, if any (counts it as applied). */
  decide(provider: ProviderName, method: string, path: string): Fault | null {
    for (const f of this.faults) {
      const { fault } = f;
      if (fault.provider !== provider) continue;
      if (fault.method && fault.method !== method.toUpperCase()) continue;
      if (f.regex && !f.regex.test(path)) continue;
      if (fault.count !== null && fault.applied >= fault.count) continue;
      fault.matched++;
      if (fault.rate < 1 && f.rng.next() >= fault.rate) continue;
      fault.applied++;
      return fault;
    }
    return null;
  }

  list(): Fault[] {
    return this.faults.map((f) => ({ ...f.fault }));
  }

  remove(id?: string): number {
    const before = this.faults.length;
    this.faults = id ? this.faults.filter((f) => f.fault.id !== id) : [];
    return before - this.faults.length;
  }
}
