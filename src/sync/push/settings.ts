/**
 * An integration's push settings, read from `conflictStrategy.push` (the integration's
 * bidirectional-sync settings; the conflict policy parser ignores this key):
 *
 * ```json
 * { "strategy": "last_write_wins", "push": { "createInProvider": true, "deleteInProvider": false } }
 * ```
 *
 * - `createInProvider`: an entity the host product creates (or that another provider
 *   brings in) with no link to this integration is created at the provider, and linked.
 *   Only entities of the mapping's entity type. Default false.
 * - `deleteInProvider`: an entity the host product deletes is deleted at the provider.
 *   Default false: the link is left alone (deleting a customer's CRM record is a choice).
 */
import { TributaryError } from '../../domain/errors.ts';
import type { Integration } from '../../domain/integration.ts';

export interface PushSettings {
  readonly createInProvider: boolean;
  readonly deleteInProvider: boolean;
}

const KEYS = ['createInProvider', 'deleteInProvider'] as const;

/** True when the integration sends changes out: direction push or bidirectional, enabled. */
export function allowsPush(integration: Pick<Integration, 'direction' | 'enabled'>): boolean {
  return integration.enabled && integration.direction !== 'pull';
}

/** Validates `conflictStrategy.push`; CONFIG_INVALID naming the bad key. */
export function pushSettingsOf(integration: Pick<Integration, 'conflictStrategy'>): PushSettings {
  const raw = integration.conflictStrategy.push;
  if (raw === undefined || raw === null) return { createInProvider: false, deleteInProvider: false };
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new TributaryError('CONFIG_INVALID', 'conflictStrategy.push: expected an object', { field: 'conflictStrategy.push' });
  }
  const settings = raw as Record<string, unknown>;
  for (const key of Object.keys(settings)) {
    if (!(KEYS as readonly string[]).includes(key)) {
      throw new TributaryError('CONFIG_INVALID', `conflictStrategy.push.${key}: unknown setting (expected ${KEYS.join(' or ')})`, { field: `conflictStrategy.push.${key}` });
    }
  }
  const flag = (key: (typeof KEYS)[number]): boolean => {
    const value = settings[key];
    if (value === undefined) return false;
    if (typeof value !== 'boolean') throw new TributaryError('CONFIG_INVALID', `conflictStrategy.push.${key}: expected true or false`, { field: `conflictStrategy.push.${key}` });
    return value;
  };
  return { createInProvider: flag('createInProvider'), deleteInProvider: flag('deleteInProvider') };
}
