/**
 * The six strategies, each deciding ONE field changed differently on both sides since the
 * base. Pure: modification times and system names are inputs. `resolve.ts` applies
 * ownership before calling here, so nothing here can overwrite an owned field.
 */
import { TributaryError } from '../../domain/errors.ts';
import type { ConflictDecision, ConflictPolicy, ConflictStrategyName, FieldRule, ManualChoice, Side } from '../../domain/conflict.ts';
import { mergeValues } from './merge-values.ts';
import type { ResolverContext, ResolverRegistry } from './registry.ts';
import { deepEqual } from './values.ts';

/** A strategy's answer for one field. `value` is undefined while pending. */
export interface FieldDecision {
  readonly decision: ConflictDecision;
  readonly value: unknown;
  readonly strategy: ConflictStrategyName;
  readonly reason: string;
}

export interface DecideInput extends ResolverContext {
  readonly rule: FieldRule;
  readonly policy: ConflictPolicy;
  readonly resolvers: ResolverRegistry | undefined;
}

function pick(input: DecideInput, side: Side, strategy: ConflictStrategyName, reason: string): FieldDecision {
  return { decision: side, value: side === 'local' ? input.local : input.remote, strategy, reason };
}

/** Decides one conflicting field by `input.rule`. Throws CONFIG_INVALID for an unknown resolver. */
export function decideConflict(input: DecideInput): FieldDecision {
  const { rule } = input;
  switch (rule.strategy) {
    case 'source_wins':
      return pick(input, 'remote', 'source_wins', `the provider (${input.remoteSystem}) wins`);
    case 'target_wins':
      return pick(input, 'local', 'target_wins', 'Tributary (the host product) wins');
    case 'last_write_wins':
      return lastWriteWins(input);
    case 'manual':
      return { decision: 'pending', value: undefined, strategy: 'manual', reason: 'held for review' };
    case 'custom':
      return custom(input);
    case 'field_merge':
      return fieldMerge(input);
  }
}

function lastWriteWins(input: DecideInput): FieldDecision {
  const { toleranceMs, tieBreak } = input.policy.lastWriteWins;
  const l = input.localModifiedAt;
  const r = input.remoteModifiedAt;
  if (l === null || r === null) {
    return pick(input, tieBreak, 'last_write_wins', `a modification time is unknown; tie-break: ${tieBreak} wins`);
  }
  const skew = Math.abs(l - r);
  if (skew <= toleranceMs) {
    return pick(input, tieBreak, 'last_write_wins', `edits ${skew} ms apart are within the ${toleranceMs} ms clock-skew tolerance; tie-break: ${tieBreak} wins`);
  }
  const newer: Side = l > r ? 'local' : 'remote';
  return pick(input, newer, 'last_write_wins', `the ${newer} edit is newer by ${skew} ms`);
}

function rankOf(priority: readonly string[], system: string): number {
  const i = priority.indexOf(system);
  return i < 0 ? Number.POSITIVE_INFINITY : i;
}

function custom(input: DecideInput): FieldDecision {
  const { rule } = input;
  if (rule.resolver !== undefined) return registered(input, rule.resolver);
  const priority = rule.priority ?? [];
  const l = rankOf(priority, input.localSystem);
  const r = rankOf(priority, input.remoteSystem);
  const order = `[${priority.join(', ')}]`;
  if (l === r) {
    // Same system on both sides (the local value came from this very provider) or neither
    // listed: the configured tie-break decides, deterministically.
    const side = input.localSystem === input.remoteSystem ? 'remote' : input.policy.customTieBreak;
    const why = input.localSystem === input.remoteSystem
      ? `both values come from ${input.remoteSystem}; its current value wins`
      : `neither ${input.localSystem} nor ${input.remoteSystem} is in ${order}; tie-break: ${side} wins`;
    return pick(input, side, 'custom', why);
  }
  const side: Side = l < r ? 'local' : 'remote';
  const winner = side === 'local' ? input.localSystem : input.remoteSystem;
  return pick(input, side, 'custom', `${winner} ranks higher in ${order}`);
}

function registered(input: DecideInput, name: string): FieldDecision {
  const resolver = input.resolvers?.get(name);
  if (resolver === undefined) {
    throw new TributaryError('CONFIG_INVALID', `conflict resolver "${name}" is not registered`, { field: input.field, details: { resolver: name } });
  }
  const answer = resolver({
    field: input.field,
    base: input.base,
    local: input.local,
    remote: input.remote,
    localModifiedAt: input.localModifiedAt,
    remoteModifiedAt: input.remoteModifiedAt,
    localSystem: input.localSystem,
    remoteSystem: input.remoteSystem,
  });
  if (answer === 'pending') return { decision: 'pending', value: undefined, strategy: 'custom', reason: `resolver "${name}" held it for review` };
  return fromChoice(input, answer, 'custom', `resolver "${name}"`);
}

/** Turns a side-or-value choice into a decision, naming a value equal to one side as that side. */
export function fromChoice(values: { local: unknown; remote: unknown }, choice: ManualChoice, strategy: ConflictStrategyName, who: string): FieldDecision {
  if ('side' in choice) {
    if (choice.side !== 'local' && choice.side !== 'remote') {
      throw new TributaryError('VALIDATION_FAILED', `${who}: side must be "local" or "remote"`, { field: 'side' });
    }
    return { decision: choice.side, value: values[choice.side], strategy, reason: `${who} chose ${choice.side}` };
  }
  if (deepEqual(choice.value, values.local)) return { decision: 'local', value: values.local, strategy, reason: `${who} chose the local value` };
  if (deepEqual(choice.value, values.remote)) return { decision: 'remote', value: values.remote, strategy, reason: `${who} chose the remote value` };
  return { decision: 'value', value: choice.value, strategy, reason: `${who} set an explicit value` };
}

function fieldMerge(input: DecideInput): FieldDecision {
  const merged = mergeValues(input.base, input.local, input.remote);
  if (merged.ok) {
    return { decision: 'value', value: merged.value, strategy: 'field_merge', reason: 'both sides\' changes merged inside the value' };
  }
  const fallback = input.policy.mergeFallback;
  const decided = decideConflict({ ...input, rule: fallback.strategy === 'field_merge' ? { strategy: 'source_wins' } : fallback });
  return { ...decided, strategy: 'field_merge', reason: `not mergeable; by the fallback rule ${fallback.strategy}: ${decided.reason}` };
}
