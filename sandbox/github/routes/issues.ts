/**
 * Issues and their comments, as `GET/POST /repos/{o}/{r}/issues`, `GET/PATCH
 * /repos/{o}/{r}/issues/{n}` and the comment endpoints. Lists include pull requests
 * (with a `pull_request` key) and drop deleted issues; a deleted issue's direct GET is
 * 410 `This issue was deleted`. `since` keeps what was updated at or after the time.
 */
import type { FastifyInstance } from 'fastify';
import type { GhComment, GhIssue, GhRepo } from '../data.ts';
import type { GithubChanges } from '../changes.ts';
import { gone, notFound } from '../errors.ts';
import { commentJson, issueJson } from '../representations.ts';
import { apiGet, apiWrite, direction, jsonBody, paginate, sinceParam } from '../responses.ts';
import type { GithubDeps } from '../responses.ts';
import { actingUser, readableRepo, writableRepo } from './access.ts';

type Query = Record<string, string | undefined>;

const LIST_DOCS = 'https://docs.github.com/rest/issues/issues#list-repository-issues';
const GET_DOCS = 'https://docs.github.com/rest/issues/issues#get-an-issue';
const COMMENT_DOCS = 'https://docs.github.com/rest/issues/comments#get-an-issue-comment';

function byKey<T extends { id: number }>(items: T[], key: (item: T) => number, dir: 'asc' | 'desc'): T[] {
  const sorted = [...items].sort((a, b) => key(a) - key(b) || a.id - b.id);
  return dir === 'asc' ? sorted : sorted.reverse();
}

export function registerIssueRoutes(app: FastifyInstance, deps: GithubDeps, changes: GithubChanges): void {
  const { store } = deps;

  const liveIssue = (repo: GhRepo, numberParam: string | undefined, docs: string): GhIssue => {
    const issue = /^\d+$/.test(numberParam ?? '') ? store.issueByNumber(repo.id, Number(numberParam)) : undefined;
    if (!issue) throw notFound(docs);
    if (issue.deleted) throw gone('This issue was deleted', docs);
    return issue;
  };

  const liveComment = (repo: GhRepo, idParam: string | undefined): GhComment => {
    const comment = /^\d+$/.test(idParam ?? '') ? store.comments.get(Number(idParam)) : undefined;
    if (!comment || comment.deleted || comment.repoId !== repo.id) throw notFound(COMMENT_DOCS);
    return comment;
  };

  apiGet(app, deps, '/repos/:owner/:repo/issues', (request, principal, params) => {
    const repo = readableRepo(store, principal, params.owner ?? '', params.repo ?? '', LIST_DOCS);
    const query = request.query as Query;
    const state = query.state === 'closed' || query.state === 'all' ? query.state : 'open';
    const since = sinceParam(query);
    const labels = (query.labels ?? '').split(',').map((label) => label.trim()).filter(Boolean);
    let issues = store.liveIssues(repo.id).filter((issue) => state === 'all' || issue.state === state);
    if (since !== null) issues = issues.filter((issue) => issue.updatedAt >= since);
    if (labels.length > 0) issues = issues.filter((issue) => labels.every((label) => issue.labels.includes(label)));
    if (query.creator) {
      const creator = store.userByLogin(query.creator);
      issues = issues.filter((issue) => issue.userId === creator?.id);
    }
    if (query.assignee === 'none') issues = issues.filter((issue) => issue.assigneeIds.length === 0);
    else if (query.assignee === '*') issues = issues.filter((issue) => issue.assigneeIds.length > 0);
    else if (query.assignee) {
      const assignee = store.userByLogin(query.assignee);
      issues = issues.filter((issue) => assignee !== undefined && issue.assigneeIds.includes(assignee.id));
    }
    const sort = query.sort === 'updated' || query.sort === 'comments' ? query.sort : 'created';
    const key = sort === 'updated' ? (issue: GhIssue) => issue.updatedAt : sort === 'comments' ? (issue: GhIssue) => store.commentCount(issue) : (issue: GhIssue) => issue.createdAt;
    const sorted = byKey(issues, key, direction(query, 'desc'));
    const { page, link } = paginate(request, deps.ctx.options.baseUrl, sorted);
    return { body: page.map((issue) => issueJson(deps.urls(), store, issue)), link };
  });

  apiGet(app, deps, '/repos/:owner/:repo/issues/comments', (request, principal, params) => {
    const repo = readableRepo(store, principal, params.owner ?? '', params.repo ?? '');
    const query = request.query as Query;
    const since = sinceParam(query);
    let comments = store.liveComments(repo.id);
    if (since !== null) comments = comments.filter((comment) => comment.updatedAt >= since);
    const sortGiven = query.sort === 'created' || query.sort === 'updated';
    const key = query.sort === 'updated' ? (comment: GhComment) => comment.updatedAt : (comment: GhComment) => comment.createdAt;
    const sorted = byKey(comments, key, sortGiven ? direction(query, 'desc') : 'asc');
    const { page, link } = paginate(request, deps.ctx.options.baseUrl, sorted);
    return { body: page.map((comment) => commentJson(deps.urls(), store, comment)), link };
  });

  apiGet(app, deps, '/repos/:owner/:repo/issues/comments/:commentId', (_request, principal, params) => {
    const repo = readableRepo(store, principal, params.owner ?? '', params.repo ?? '');
    const comment = liveComment(repo, params.commentId);
    return { body: commentJson(deps.urls(), store, comment), lastModified: comment.updatedAt };
  });

  apiGet(app, deps, '/repos/:owner/:repo/issues/:number', (_request, principal, params) => {
    const repo = readableRepo(store, principal, params.owner ?? '', params.repo ?? '', GET_DOCS);
    const issue = liveIssue(repo, params.number, GET_DOCS);
    return { body: issueJson(deps.urls(), store, issue), lastModified: issue.updatedAt };
  });

  apiGet(app, deps, '/repos/:owner/:repo/issues/:number/comments', (request, principal, params) => {
    const repo = readableRepo(store, principal, params.owner ?? '', params.repo ?? '');
    const issue = liveIssue(repo, params.number, 'https://docs.github.com/rest/issues/comments#list-issue-comments');
    const since = sinceParam(request.query as Query);
    let comments = store.liveComments(repo.id, issue.number);
    if (since !== null) comments = comments.filter((comment) => comment.updatedAt >= since);
    const { page, link } = paginate(request, deps.ctx.options.baseUrl, byKey(comments, (comment) => comment.id, 'asc'));
    return { body: page.map((comment) => commentJson(deps.urls(), store, comment)), link };
  });

  apiWrite(app, deps, 'POST', '/repos/:owner/:repo/issues', { createsContent: true }, (request, principal, params) => {
    const repo = writableRepo(store, principal, params.owner ?? '', params.repo ?? '');
    const author = actingUser(store, principal);
    if (!author) throw notFound();
    const issue = changes.createIssue(repo, author, { ...jsonBody(request), pull_request: undefined });
    return { status: 201, body: issueJson(deps.urls(), store, issue) };
  });

  apiWrite(app, deps, 'PATCH', '/repos/:owner/:repo/issues/:number', { createsContent: false }, (request, principal, params) => {
    const repo = writableRepo(store, principal, params.owner ?? '', params.repo ?? '');
    const issue = liveIssue(repo, params.number, 'https://docs.github.com/rest/issues/issues#update-an-issue');
    changes.updateIssue(repo, issue, actingUser(store, principal), jsonBody(request));
    return { status: 200, body: issueJson(deps.urls(), store, issue) };
  });

  apiWrite(app, deps, 'POST', '/repos/:owner/:repo/issues/:number/comments', { createsContent: true }, (request, principal, params) => {
    const repo = writableRepo(store, principal, params.owner ?? '', params.repo ?? '');
    const issue = liveIssue(repo, params.number, 'https://docs.github.com/rest/issues/comments#create-an-issue-comment');
    const author = actingUser(store, principal);
    if (!author) throw notFound();
    const comment = changes.createComment(repo, issue, author, jsonBody(request).body);
    return { status: 201, body: commentJson(deps.urls(), store, comment) };
  });

  apiWrite(app, deps, 'PATCH', '/repos/:owner/:repo/issues/comments/:commentId', { createsContent: false }, (request, principal, params) => {
    const repo = writableRepo(store, principal, params.owner ?? '', params.repo ?? '');
    const comment = changes.updateComment(repo, liveComment(repo, params.commentId), actingUser(store, principal), jsonBody(request).body);
    return { status: 200, body: commentJson(deps.urls(), store, comment) };
  });

  apiWrite(app, deps, 'DELETE', '/repos/:owner/:repo/issues/comments/:commentId', { createsContent: false }, (_request, principal, params) => {
    const repo = writableRepo(store, principal, params.owner ?? '', params.repo ?? '');
    changes.deleteComment(repo, liveComment(repo, params.commentId), actingUser(store, principal));
    return { status: 204, body: null };
  });
}
