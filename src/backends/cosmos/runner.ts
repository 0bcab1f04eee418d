import { AsyncLocalStorage } from 'node:async_hooks';
import type { Container } from '@azure/cosmos';
import { TributaryError } from '../../domain/errors.ts';
import type { ContainerName } from './containers.ts';
import { CosmosClash } from './errors.ts';
import { CosmosUnit } from './unit.ts';

/** How repositories get a unit of work: a fresh committed one per call, or the transaction's. */
export interface UnitRunner {
  run<T>(work: (unit: CosmosUnit) => Promise<T>): Promise<T>;
}

export interface RetryPolicy {
  /** Runs of a unit that lost an optimistic-concurrency race, before STORE_UNAVAILABLE. */
  readonly attempts: number;
  /** A number in [0, 1): the jitter of the pause between runs (injected for tests). */
  readonly random: () => number;
  /** Epoch ms: stamps commit journals (recovery judges their age by it). */
  readonly now: () => number;
}

/** Which runner the current async context holds a transaction on (nested calls fail at once). */
const transactionScope = new AsyncLocalStorage<{ owner: object; open: boolean }>();

export function refuseInsideTransaction(owner: object, what: string): void {
  const scope = transactionScope.getStore();
  if (scope !== undefined && scope.open && scope.owner === owner) {
    throw new TributaryError('INTERNAL', `Called ${what} inside a store transaction: transactions do not nest`);
  }
}

/**
 * Runs `work` in a fresh unit and commits it; a unit that lost a race (CosmosClash) is run
 * again from the start with a short jittered pause, since its reads are stale. Inside a
 * transaction the same runner hands `work` the transaction's unit (see `transactionRunner`).
 */
export async function runUnit<T>(
  containers: (name: ContainerName) => Container,
  retry: RetryPolicy,
  work: (unit: CosmosUnit) => Promise<T>,
  scope?: { owner: object },
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    const unit = new CosmosUnit(containers, retry.now);
    const marker = scope ? { owner: scope.owner, open: true } : undefined;
    try {
      const result = marker ? await transactionScope.run(marker, () => work(unit)) : await work(unit);
      if (marker) marker.open = false;
      await unit.commit();
      return result;
    } catch (error) {
      if (marker) marker.open = false;
      unit.discard();
      if (!(error instanceof CosmosClash) || attempt >= retry.attempts) throw error;
      const pause = Math.min(50, 2 ** attempt) * (0.5 + retry.random());
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }
}

/** The runner a transaction's repositories use: every call works in the one unit, which must still be open. */
export function transactionRunner(unit: CosmosUnit): UnitRunner {
  return {
    run: async (work) => {
      if (!unit.isOpen) throw new TributaryError('INTERNAL', 'A transaction repository was used after its transaction ended');
      return work(unit);
    },
  };
}
