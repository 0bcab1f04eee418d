/**
 * The process roles, in start order. A process runs any subset (`--roles`); the default
 * runs all of them in one process (embedded mode). Kept in a leaf module so that
 * configuration can validate role names without importing the roles themselves.
 */
export const ROLE_NAMES = ['api', 'scheduler', 'token-refresher', 'inbound-worker', 'outbound-worker', 'webhook-receiver', 'notifier'] as const;

export type RoleName = (typeof ROLE_NAMES)[number];

export function isRoleName(value: string): value is RoleName {
  return (ROLE_NAMES as readonly string[]).includes(value);
}
