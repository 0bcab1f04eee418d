import type { FastifyInstance } from '../../core/types.ts';
import { notFound } from '../errors.ts';
import { userJson } from '../data/serialize.ts';
import { normalizeId } from '../ids.ts';
import type { NotionDeps } from '../deps.ts';

/** `GET /v1/users` (paginated), `GET /v1/users/me` (the integration's bot), `GET /v1/users/{id}`. */
export function registerUserRoutes(app: FastifyInstance, deps: NotionDeps): void {
  const { store, cursors } = deps;
  app.get('/v1/users', async (request) => {
    const q = request.query as Record<string, string | undefined>;
    const users = [...store.users.values()].map((user, index) => ({ user, index }));
    const page = cursors.page(users, (u) => [u.index], [1], { startCursor: q.start_cursor, pageSize: q.page_size });
    return {
      object: 'list',
      results: page.results.map((u) => userJson(u.user, store.workspaceName)),
      next_cursor: page.next_cursor,
      has_more: page.has_more,
      type: 'user',
      user: {},
    };
  });
  app.get('/v1/users/me', async () => {
    const bot = store.users.get(store.botUserId);
    if (!bot) throw notFound('user', 'me');
    return userJson(bot, store.workspaceName);
  });
  app.get('/v1/users/:id', async (request) => {
    const raw = (request.params as { id: string }).id;
    const user = store.users.get(normalizeId(raw) ?? raw);
    if (!user) throw notFound('user', raw);
    return userJson(user, store.workspaceName);
  });
}
