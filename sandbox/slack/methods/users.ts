/**
 * `users.list` (cursor pagination; deactivated users stay, with `deleted: true`),
 * `users.info`, `users.lookupByEmail` and `team.info`. Emails only reach tokens with
 * `users:read.email`.
 */
import type { SlackStore } from '../data.ts';
import { SlackApiError } from '../errors.ts';
import { limitArg, pageById } from '../pagination.ts';
import { teamJson, userJson } from '../representations.ts';
import { str } from '../web-api.ts';
import type { SlackMethodSpec } from '../web-api.ts';

export function userMethods(store: SlackStore, now: () => number): Record<string, SlackMethodSpec> {
  return {
    'users.list': {
      auth: true,
      tier: 2,
      scopes: () => ['users:read'],
      run: ({ args, principal }) => {
        const users = [...store.users.values()];
        const limit = limitArg(args.limit, users.length || 1, 1000);
        const { page, nextCursor } = pageById(users, 'user', args.cursor, limit);
        const withEmail = principal.scopes.includes('users:read.email');
        return { members: page.map((user) => userJson(store, user, { withEmail })), cache_ts: Math.floor(now() / 1000), response_metadata: { next_cursor: nextCursor } };
      },
    },

    'users.info': {
      auth: true,
      tier: 4,
      scopes: () => ['users:read'],
      run: ({ args, principal }) => {
        const user = store.users.get(str(args, 'user') ?? '');
        if (!user) throw new SlackApiError('user_not_found');
        return { user: userJson(store, user, { withEmail: principal.scopes.includes('users:read.email') }) };
      },
    },

    'users.lookupByEmail': {
      auth: true,
      tier: 3,
      scopes: () => ['users:read.email'],
      run: ({ args }) => {
        const email = (str(args, 'email') ?? '').toLowerCase();
        const user = [...store.users.values()].find((candidate) => !candidate.deleted && candidate.email?.toLowerCase() === email);
        if (!user) throw new SlackApiError('users_not_found');
        return { user: userJson(store, user, { withEmail: true }) };
      },
    },

    'team.info': {
      auth: true,
      tier: 3,
      scopes: () => ['team:read'],
      run: () => ({ team: teamJson(store) }),
    },
  };
}
