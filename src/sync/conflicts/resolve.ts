/**
 * Three-way conflict detection and resolution for one linked record.
 *
 * Per field, with `base` = what both sides agreed on at the last sync:
 * - unchanged on both sides, or changed to equal values: nothing to do;
 * - changed on one side only: a clean change, copied to the other side;
 * - changed differently on both sides: a conflict, decided by the field's rule
 *   (its override, else the integration's strategy) and recorded.
 * Ownership beats every strategy: an owned field always takes its owner's value; the other
 * side's change to it is not applied (and is overwritten by the owner's value).
 *
 * No base (first sync of this link): no conflicts; the provider's value wins for every
 * field it holds a value for, Tributary's value fills fields the provider leaves empty
 * (owned fields still take their owner's value).
 *
 * The no-ping-pong rule: a patch for a side holds a field only when the merged value
 * differs from what that side already holds. Once every side holds the merged values,
 * `resolve` returns empty patches, so two providers linked through one entity reach a
 * fixed point and stop writing.
 */
import type { ConflictPolicy, ConflictRecord, FieldOwner } from '../../domain/conflict.ts';
import type { SyncDirection } from '../../domain/integration.ts';
import type { ResolverRegistry } from './registry.ts';
import { ruleFor } from './policy.ts';
import { decideConflict } from './strategies.ts';
import { fieldEqual, isEmpty, type FieldEquals } from './values.ts';

/** Field -> new value; a cleared field is `null`. */
export type FieldPatch = Record<string, unknown>;

export interface ResolveInput {
  /** The link's base snapshot; null on the first sync of the link. */
  readonly base: Readonly<Record<string, unknown>> | null;
  /** Tributary's current values (the entity's fields, in entity field names). */
  readonly local: Readonly<Record<string, unknown>>;
  /** The provider's current values, mapped to entity field names. */
  readonly remote: Readonly<Record<string, unknown>>;
  readonly policy: ConflictPolicy;
  /**
   * The fields this link syncs (the mapping's entity-side fields). Default: the keys of
   * `base` and `remote`, so local fields other sources wrote are never pushed here.
   */
  readonly fields?: readonly string[];
  /** The provider's name, for `custom` priority lists: `salesforce`, `google`, ... */
  readonly remoteSystem: string;
  /** Who wrote each local value (provenance); default `localSystem`. */
  readonly localSystems?: Readonly<Record<string, string>>;
  /** Default writer of local values: `tributary` (the host product). */
  readonly localSystem?: string;
  /**
   * The provider's version of `remote` and the version recorded with `base`
   * (`EntityLink.remoteVersion`). When both are known and equal, the provider says the
   * record has not changed since the base: no field counts as a remote change (a
   * difference is then ours to correct, e.g. after a mapping change).
   */
  readonly remoteVersion?: string | null;
  readonly baseVersion?: string | null;
  /** Record modification times, ms since the epoch (`last_write_wins`); null if unknown. */
  readonly localModifiedAt?: number | null;
  readonly remoteModifiedAt?: number | null;
  /** Per-field modification times where a side knows them; they beat the record times. */
  readonly fieldModifiedAt?: { readonly local?: Readonly<Record<string, number>>; readonly remote?: Readonly<Record<string, number>> };
  /** Normalised comparison per field (e.g. phones); see `FieldEquals`. */
  readonly equals?: FieldEquals;
  readonly resolvers?: ResolverRegistry;
  /** `pull`: nothing is written to the provider; `push`: nothing to Tributary. Default both. */
  readonly direction?: SyncDirection;
}

/** A change one side made that was not applied, and why (an owned field). */
export interface IgnoredChange {
  readonly field: string;
  readonly side: 'local' | 'remote';
  readonly value: unknown;
  readonly reason: string;
}

export interface Resolution {
  /** The agreed values of the synced fields (empty fields left out). */
  readonly merged: Record<string, unknown>;
  /** Write these to the entity. */
  readonly toLocal: FieldPatch;
  /** Push these to the provider (through the inverse mapping). */
  readonly toRemote: FieldPatch;
  /** Every field changed differently on both sides, with both values and the decision. */
  readonly conflicts: ConflictRecord[];
  /** True when a conflict waits for a person (`manual`, or a resolver said so). */
  readonly pending: boolean;
  /**
   * The new base snapshot to store on the link once the patches are written. Pending
   * fields keep their old base (so they stay conflicts); a side not written (direction)
   * keeps that side's actual value (so its difference is not mistaken for a change).
   */
  readonly nextBase: Record<string, unknown>;
  /** What the provider holds after `toRemote` is applied: hash it with `pushedHash`. */
  readonly remoteAfter: Record<string, unknown>;
  readonly ignored: IgnoredChange[];
  /** For the run's sync-result: detected = conflicts, resolved = decided ones. */
  readonly counts: { readonly detected: number; readonly resolved: number; readonly pending: number };
}

const OWNER_SIDE: Record<FieldOwner, 'local' | 'remote'> = { internal: 'local', external: 'remote' };

function put(target: Record<string, unknown>, field: string, value: unknown): void {
  if (!isEmpty(value)) target[field] = value;
}

/** Detects and resolves conflicts of one record. Pure; throws CONFIG_INVALID for an unregistered resolver. */
export function resolve(input: ResolveInput): Resolution {
  const { base, local, remote, policy } = input;
  const eq = (field: string, a: unknown, b: unknown): boolean => fieldEqual(field, a, b, input.equals);
  const fields = input.fields ?? [...new Set([...Object.keys(base ?? {}), ...Object.keys(remote)])];
  const writeLocal = input.direction !== 'push';
  const writeRemote = input.direction !== 'pull';
  const remoteUntouched = input.remoteVersion != null && input.baseVersion != null && input.remoteVersion === input.baseVersion;

  const merged: Record<string, unknown> = {};
  const toLocal: FieldPatch = {};
  const toRemote: FieldPatch = {};
  const nextBase: Record<string, unknown> = {};
  const remoteAfter: Record<string, unknown> = {};
  const conflicts: ConflictRecord[] = [];
  const ignored: IgnoredChange[] = [];

  for (const field of fields) {
    const b = base?.[field];
    const l = local[field];
    const r = remote[field];
    const ownerSide = policy.ownership[field] === undefined ? undefined : OWNER_SIDE[policy.ownership[field]];
    let value: unknown;
    let pendingField = false;

    if (base === null) {
      if (ownerSide !== undefined) value = ownerSide === 'local' ? l : r;
      else value = isEmpty(r) ? l : r;
    } else {
      const localChanged = !eq(field, b, l);
      const remoteChanged = !remoteUntouched && !eq(field, b, r);
      if ((!localChanged && !remoteChanged) || eq(field, l, r)) {
        value = l;
      } else if (ownerSide !== undefined) {
        value = ownerSide === 'local' ? l : r;
        const owner = policy.ownership[field];
        const other = ownerSide === 'local' ? 'remote' : 'local';
        if (localChanged && remoteChanged) {
          conflicts.push({ field, base: b, local: l, remote: r, decision: ownerSide, value, strategy: 'ownership', reason: `owned by ${owner}: the ${ownerSide} value wins` });
        } else if (other === 'remote' ? remoteChanged : localChanged) {
          ignored.push({ field, side: other, value: other === 'remote' ? r : l, reason: `owned by ${owner}: the ${other} change is overwritten` });
        }
      } else if (localChanged && !remoteChanged) {
        value = l;
      } else if (remoteChanged && !localChanged) {
        value = r;
      } else {
        const decided = decideConflict({
          field,
          base: b,
          local: l,
          remote: r,
          rule: ruleFor(policy, field),
          policy,
          resolvers: input.resolvers,
          localSystem: input.localSystems?.[field] ?? input.localSystem ?? 'tributary',
          remoteSystem: input.remoteSystem,
          localModifiedAt: input.fieldModifiedAt?.local?.[field] ?? input.localModifiedAt ?? null,
          remoteModifiedAt: input.fieldModifiedAt?.remote?.[field] ?? input.remoteModifiedAt ?? null,
        });
        conflicts.push({ field, base: b, local: l, remote: r, ...decided });
        pendingField = decided.decision === 'pending';
        value = pendingField ? l : decided.value;
      }
    }

    if (pendingField) {
      put(merged, field, l);
      put(nextBase, field, b);
      put(remoteAfter, field, r);
      continue;
    }
    put(merged, field, value);
    const localDiffers = !eq(field, value, l);
    const remoteDiffers = !eq(field, value, r);
    if (localDiffers && writeLocal) toLocal[field] = isEmpty(value) ? null : value;
    if (remoteDiffers && writeRemote) toRemote[field] = isEmpty(value) ? null : value;
    put(remoteAfter, field, remoteDiffers && writeRemote ? value : r);
    // The base is what both sides hold afterwards; a side we may not write keeps its own.
    put(nextBase, field, remoteDiffers && !writeRemote ? r : localDiffers && !writeLocal ? l : value);
  }

  const pendingCount = conflicts.filter((c) => c.decision === 'pending').length;
  return {
    merged,
    toLocal,
    toRemote,
    conflicts,
    pending: pendingCount > 0,
    nextBase,
    remoteAfter,
    ignored,
    counts: { detected: conflicts.length, resolved: conflicts.length - pendingCount, pending: pendingCount },
  };
}
