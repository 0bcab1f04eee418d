/**
 * Comments on the synced repositories' issues and pull requests
 * (`GET /repos/{o}/{r}/issues/comments?since=`). Record id `owner/repo/comments/123`;
 * version `updated_at`. Create needs `repo` and `issue_number` in the data; update and
 * delete address the comment by id. Deletions arrive by webhook only.
 */
import { TributaryError } from '../../../domain/errors.ts';
import type { ExternalRecord, ObjectDefinition } from '../../provider.ts';
import { asObject, badId, parseCommentId, repoForWrite, repoOfUrl, repoPath, toRecord } from '../client.ts';
import { statusOfError } from '../errors.ts';
import { readRepoWalkPage } from './repo-walk.ts';
import { checkVersion, fetchItem, withoutAddress } from './writes.ts';

const commentRecord = (fallbackRepo: string, item: Record<string, unknown>): ExternalRecord =>
  toRecord(`${repoOfUrl(item.issue_url) ?? repoOfUrl(item.url) ?? fallbackRepo}/comments/${String(item.id)}`, item);

function commentPath(id: string): { repo: string; path: string } {
  const parsed = parseCommentId(id);
  if (!parsed) throw badId('comment', id, 'owner/repo/comments/123');
  return { repo: parsed.repo, path: `${repoPath(parsed.repo)}/issues/comments/${parsed.commentId}` };
}

export const issueCommentsObject: ObjectDefinition = {
  name: 'issue_comments',
  label: 'Issue comments',
  capabilities: { incremental: true, deletions: 'webhook', create: true, update: true, delete: true, batch: false, webhooks: true, precondition: 'none' },
  readPage: (ctx, cursor, options) =>
    readRepoWalkPage(
      ctx,
      {
        list: (repo) => ({ path: `${repoPath(repo)}/issues/comments`, query: { sort: 'updated', direction: 'asc' } }),
        toRecord: commentRecord,
      },
      cursor,
      options,
    ),
  fetchOne: async (ctx, id) => fetchItem(ctx, commentPath(id).path, id),
  async create(ctx, data) {
    const repo = repoForWrite(ctx, data);
    const issue = Number(data.issue_number);
    if (!Number.isInteger(issue) || issue <= 0) throw new TributaryError('VALIDATION_FAILED', 'A comment needs issue_number', { field: 'issue_number' });
    const response = await ctx.http.request({ method: 'POST', path: `${repoPath(repo)}/issues/${issue}/comments`, body: withoutAddress(data), operation: 'write', bucket: 'core' });
    return commentRecord(repo, asObject(response.body, 'a comment create'));
  },
  async update(ctx, id, patch, options) {
    const { repo, path } = commentPath(id);
    await checkVersion(ctx, path, id, options?.expectedVersion);
    const response = await ctx.http.request({ method: 'PATCH', path, body: withoutAddress(patch), operation: 'write', bucket: 'core' });
    return commentRecord(repo, asObject(response.body, 'a comment update'));
  },
  async delete(ctx, id, options) {
    const { path } = commentPath(id);
    await checkVersion(ctx, path, id, options?.expectedVersion);
    try {
      await ctx.http.request({ method: 'DELETE', path, operation: 'write', bucket: 'core' });
    } catch (error) {
      if (statusOfError(error) !== 404) throw error;
    }
  },
};
