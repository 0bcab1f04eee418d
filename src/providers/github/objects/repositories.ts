/**
 * The repositories of the connection's owner: `GET /installation/repositories` for an
 * installation, `GET /orgs/{org}/repos` when `settings.org` is set, else `GET
 * /user/repos`. Small enough to read in full each run (GitHub's org listing has no
 * `since`); record id `owner/name` (`full_name`), version `updated_at`. Read-only here.
 */
import type { ObjectDefinition } from '../../provider.ts';
import { badId, listRepositoriesPage, repoPath, toRecord } from '../client.ts';
import { fetchItem } from './writes.ts';

export const repositoriesObject: ObjectDefinition = {
  name: 'repositories',
  label: 'Repositories',
  capabilities: { incremental: false, deletions: 'webhook', create: false, update: false, delete: false, batch: false, webhooks: true, precondition: 'none' },
  async readPage(ctx, cursor, options) {
    const next = typeof cursor?.next === 'string' ? cursor.next : null;
    const page = await listRepositoriesPage(ctx, next, options.pageSize);
    const records = page.repos.filter((repo) => typeof repo.full_name === 'string').map((repo) => toRecord(repo.full_name as string, repo));
    return { records, deletions: [], cursor: page.next === null ? {} : { next: page.next }, done: page.next === null };
  },
  async fetchOne(ctx, id) {
    if (!/^[\w.-]+\/[\w.-]+$/.test(id)) throw badId('repository', id, 'owner/name');
    return fetchItem(ctx, repoPath(id), id);
  },
};
