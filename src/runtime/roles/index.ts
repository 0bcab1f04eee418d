export { ROLE_NAMES, isRoleName } from './names.ts';
export type { RoleName } from './names.ts';
export { ROLES, startRoles } from './registry.ts';
export type { RunningRoles } from './registry.ts';
export type { Role, RoleContext, RunningRole } from './role.ts';
