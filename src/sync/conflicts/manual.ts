/**
 * Completing a conflict held for review (`manual`, or a resolver that said `pending`):
 * a person chooses a side or an explicit value, and this returns what to write where so
 * the sync of that field completes.
 */
import { TributaryError } from '../../domain/errors.ts';
import type { ConflictRecord, ManualChoice } from '../../domain/conflict.ts';
import type { FieldPatch } from './resolve.ts';
import { fromChoice } from './strategies.ts';
import { fieldEqual, isEmpty, type FieldEquals } from './values.ts';

export interface PendingResolution {
  /** The conflict as recorded, now decided (`strategy` stays the one that held it). */
  readonly record: ConflictRecord;
  readonly toLocal: FieldPatch;
  readonly toRemote: FieldPatch;
  /** Set the link's base snapshot for `record.field` to this value once both writes are done. */
  readonly base: unknown;
}

export interface ResolvePendingInput {
  /** The pending record as `resolve` produced it. */
  readonly conflict: ConflictRecord;
  readonly choice: ManualChoice;
  /**
   * The field's values now. When given and either side changed since the conflict was
   * recorded, the decision was made on stale values: CONFLICT is thrown and the caller
   * re-runs detection (which produces a fresh record).
   */
  readonly current?: { readonly local: unknown; readonly remote: unknown };
  readonly equals?: FieldEquals;
  readonly by?: string;
}

/** Applies a person's choice to a pending conflict. Throws VALIDATION_FAILED or CONFLICT. */
export function resolvePending(input: ResolvePendingInput): PendingResolution {
  const { conflict, choice } = input;
  if (conflict.decision !== 'pending') {
    throw new TributaryError('CONFLICT', `the conflict on ${conflict.field} is already decided (${conflict.decision})`, { field: conflict.field });
  }
  const eq = (a: unknown, b: unknown): boolean => fieldEqual(conflict.field, a, b, input.equals);
  if (input.current !== undefined && (!eq(input.current.local, conflict.local) || !eq(input.current.remote, conflict.remote))) {
    throw new TributaryError('CONFLICT', `${conflict.field} changed since the conflict was recorded; detect again`, { field: conflict.field });
  }
  if (typeof choice !== 'object' || choice === null || (!('side' in choice) && !('value' in choice))) {
    throw new TributaryError('VALIDATION_FAILED', 'a resolution chooses a side or gives a value', { field: 'choice' });
  }
  const decided = fromChoice(conflict, choice, conflict.strategy === 'ownership' ? 'manual' : conflict.strategy, input.by ?? 'the reviewer');
  const toLocal: FieldPatch = {};
  const toRemote: FieldPatch = {};
  const patchValue = isEmpty(decided.value) ? null : decided.value;
  if (!eq(decided.value, conflict.local)) toLocal[conflict.field] = patchValue;
  if (!eq(decided.value, conflict.remote)) toRemote[conflict.field] = patchValue;
  return {
    record: { ...conflict, decision: decided.decision, value: decided.value, reason: decided.reason },
    toLocal,
    toRemote,
    base: decided.value,
  };
}
