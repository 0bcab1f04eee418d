/**
 * Echo recognition. A write Tributary makes to a provider comes back by webhook or the
 * next pull; it must not count as a remote change. After a push the caller stores on the
 * link `pushedHash(resolution.remoteAfter)` (what the provider should now hold) and the
 * version the provider returned; an incoming record is an echo when its mapped fields hash
 * to that value.
 *
 * Even an unrecognised echo (the provider normalised a value we sent) does not loop: the
 * new base equals what we pushed, so three-way detection sees at most a remote change
 * equal (by the field's `equals`) to the base, and `resolve` only emits a patch that
 * changes a side's value.
 *
 * Limit: only the latest push is remembered. A late webhook carrying an older pushed state
 * is a remote change; webhook handlers should fetch the current record instead of
 * trusting a webhook body.
 */
import { createHash } from 'node:crypto';
import type { EntityLink } from '../../domain/entity.ts';
import { canonicalJson } from './values.ts';

/** sha256 (hex) of the canonical JSON of the fields: sorted keys, empty values left out. */
export function pushedHash(fields: Readonly<Record<string, unknown>>): string {
  return createHash('sha256').update(canonicalJson(fields)).digest('hex');
}

/** `unchanged`: same version as recorded; `echo`: our own write; `changed`: a real remote change. */
export type RemoteState = 'unchanged' | 'echo' | 'changed';

function project(fields: Readonly<Record<string, unknown>>, only: readonly string[] | undefined): Record<string, unknown> {
  if (only === undefined) return { ...fields };
  const out: Record<string, unknown> = {};
  for (const f of only) if (f in fields) out[f] = fields[f];
  return out;
}

/**
 * Classifies an incoming remote record against the link. `remoteFields` must be the same
 * mapped view that was hashed at push time (pass `fields` to project onto the link's
 * synced fields). A record whose version equals the recorded one is `unchanged`.
 */
export function classifyRemote(
  link: Pick<EntityLink, 'pushedHash' | 'remoteVersion'>,
  remoteFields: Readonly<Record<string, unknown>>,
  remoteVersion: string | null,
  fields?: readonly string[],
): RemoteState {
  if (remoteVersion !== null && link.remoteVersion !== null && remoteVersion === link.remoteVersion) return 'unchanged';
  if (link.pushedHash !== null && pushedHash(project(remoteFields, fields)) === link.pushedHash) return 'echo';
  return 'changed';
}

/** True when the incoming record is our own write coming back, or a version already seen. */
export function isEcho(
  link: Pick<EntityLink, 'pushedHash' | 'remoteVersion'>,
  remoteFields: Readonly<Record<string, unknown>>,
  remoteVersion: string | null,
  fields?: readonly string[],
): boolean {
  return classifyRemote(link, remoteFields, remoteVersion, fields) !== 'changed';
}
