/**
 * The composition root, imported when a command runs rather than when the CLI starts:
 * it loads every backend and service, which `--help`, a configuration error or a
 * command that needs none of it should not wait for.
 */
import type * as Compose from '../../compose.ts';

export const loadCompose = (): Promise<typeof Compose> => import('../../compose.ts');
