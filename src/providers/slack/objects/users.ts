/**
 * Workspace members (`users.list`, cursor pagination). Slack has no change filter for
 * users: every run lists them all (capabilities.incremental false) and the engine detects
 * changes. Deactivated users stay in the list with `deleted: true`: those are deletions
 * (tombstones). Read-only.
 */
import type { ChangePage, ExternalRecord, ObjectDefinition } from '../../provider.ts';
import { nextCursorOf, slackRead, tsToIso } from '../client.ts';
import { isSlackError } from '../errors.ts';

type SlackUser = Record<string, unknown> & { id: string; deleted?: boolean; updated?: number };

function userRecord(user: SlackUser): ExternalRecord {
  return { id: user.id, version: user.updated === undefined ? null : String(user.updated), modifiedAt: tsToIso(user.updated), data: user };
}

export const usersObject: ObjectDefinition = {
  name: 'users',
  label: 'Users',
  capabilities: { incremental: false, deletions: 'tombstones', create: false, update: false, delete: false, batch: false, webhooks: true, precondition: 'none' },

  async readPage(ctx, cursor, options): Promise<ChangePage> {
    const answer = await slackRead<{ members?: SlackUser[]; response_metadata?: { next_cursor?: string } }>(ctx, 'users.list', {
      limit: Math.min(options.pageSize ?? 200, 1000),
      cursor: typeof cursor?.cursor === 'string' ? cursor.cursor : undefined,
    });
    const page: ChangePage = { records: [], deletions: [], cursor: {}, done: false };
    for (const user of answer.members ?? []) {
      if (user.deleted === true) page.deletions.push({ id: user.id, deletedAt: tsToIso(user.updated) });
      else page.records.push(userRecord(user));
    }
    const next = nextCursorOf(answer);
    page.cursor = next ? { cursor: next } : {};
    page.done = next === null;
    return page;
  },

  async fetchOne(ctx, id) {
    try {
      const answer = await slackRead<{ user?: SlackUser }>(ctx, 'users.info', { user: id });
      return answer.user && answer.user.deleted !== true ? userRecord(answer.user) : null;
    } catch (error) {
      if (isSlackError(error, 'user_not_found')) return null;
      throw error;
    }
  },
};
