/**
 * GitHub issues of the synced repositories, pull requests included: GitHub's issues
 * list returns both, and a pull request is an item with a `pull_request` key
 * (`isPullRequest(record)`). `settings.includePullRequests: false` leaves them out.
 * Record id `owner/repo#number`; version `updated_at`. Issues cannot be deleted over
 * REST (close them with `state: "closed"`), and a deleted issue leaves no tombstone:
 * deletions arrive by webhook only.
 */
import type { ExternalRecord, ObjectDefinition } from '../../provider.ts';
import { asObject, badId, parseIssueId, repoForWrite, repoOfUrl, repoPath, settingsOf, toRecord } from '../client.ts';
import { readRepoWalkPage } from './repo-walk.ts';
import { checkVersion, fetchItem, withoutAddress } from './writes.ts';

export const ISSUE_CAPABILITIES = {
  incremental: true,
  deletions: 'webhook',
  create: true,
  update: true,
  delete: false,
  batch: false,
  webhooks: true,
  precondition: 'none',
} as const satisfies ObjectDefinition['capabilities'];

/** True when a GitHub issues record is a pull request. */
export function isPullRequest(record: Pick<ExternalRecord, 'data'>): boolean {
  return record.data.pull_request !== undefined && record.data.pull_request !== null;
}

const issueRecord = (fallbackRepo: string, item: Record<string, unknown>): ExternalRecord =>
  toRecord(`${repoOfUrl(item.repository_url) ?? fallbackRepo}#${String(item.number)}`, item);

function address(id: string): { repo: string; number: number } {
  const parsed = parseIssueId(id);
  if (!parsed) throw badId('issue', id, 'owner/repo#123');
  return parsed;
}

const issuePath = (id: string) => {
  const { repo, number } = address(id);
  return `${repoPath(repo)}/issues/${number}`;
};

export const issuesObject: ObjectDefinition = {
  name: 'issues',
  label: 'Issues',
  capabilities: ISSUE_CAPABILITIES,
  readPage(ctx, cursor, options) {
    const includePullRequests = settingsOf(ctx).includePullRequests !== false;
    return readRepoWalkPage(
      ctx,
      {
        list: (repo) => ({ path: `${repoPath(repo)}/issues`, query: { state: 'all', sort: 'updated', direction: 'asc' } }),
        toRecord: (repo, item) => (!includePullRequests && item.pull_request ? null : issueRecord(repo, item)),
      },
      cursor,
      options,
    );
  },
  fetchOne: async (ctx, id) => fetchItem(ctx, issuePath(id), id),
  async create(ctx, data) {
    const repo = repoForWrite(ctx, data);
    const response = await ctx.http.request({ method: 'POST', path: `${repoPath(repo)}/issues`, body: withoutAddress(data), operation: 'write', bucket: 'core' });
    return issueRecord(repo, asObject(response.body, 'an issue create'));
  },
  async update(ctx, id, patch, options) {
    await checkVersion(ctx, issuePath(id), id, options?.expectedVersion);
    const response = await ctx.http.request({ method: 'PATCH', path: issuePath(id), body: withoutAddress(patch), operation: 'write', bucket: 'core' });
    return issueRecord(address(id).repo, asObject(response.body, 'an issue update'));
  },
};
