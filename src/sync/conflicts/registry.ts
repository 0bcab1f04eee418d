/**
 * Resolver functions registered in code by name, for the `custom` strategy
 * (`{ "strategy": "custom", "resolver": "longest-text" }` in an integration's policy).
 * The policy is data and names the resolver; the code that runs is registered at
 * composition time, so a stored policy can never carry code.
 */
import type { ManualChoice } from '../../domain/conflict.ts';

/** What a resolver sees about one conflicting field. Times are ms since the epoch. */
export interface ResolverContext {
  readonly field: string;
  readonly base: unknown;
  readonly local: unknown;
  readonly remote: unknown;
  readonly localModifiedAt: number | null;
  readonly remoteModifiedAt: number | null;
  /** The system that wrote the local value (`tributary`, or another provider). */
  readonly localSystem: string;
  /** The provider of this link (`salesforce`, `google`, ...). */
  readonly remoteSystem: string;
}

/**
 * Decides one conflicting field: a side, an explicit value, or `pending` to hold it for a
 * person. Must be pure and deterministic: the same context gives the same answer, or
 * two workers resolving the same conflict could disagree.
 */
export type ConflictResolver = (context: ResolverContext) => ManualChoice | 'pending';

/** Name -> resolver. Registering a name twice replaces the first (the last wiring wins). */
export class ResolverRegistry {
  readonly #resolvers = new Map<string, ConflictResolver>();

  register(name: string, resolver: ConflictResolver): this {
    this.#resolvers.set(name, resolver);
    return this;
  }

  get(name: string): ConflictResolver | undefined {
    return this.#resolvers.get(name);
  }

  names(): string[] {
    return [...this.#resolvers.keys()].sort();
  }
}
