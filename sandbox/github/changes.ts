/**
 * Every change to the simulated GitHub, whether it comes through the REST API or the
 * control API: each moves `updated_at` to the sandbox clock's now and fires the
 * webhooks GitHub fires (`issues`, `pull_request`, `issue_comment`, `repository`).
 * Validation answers are GitHub's 422 `Validation Failed` with `errors[]`.
 */
import type { SandboxContext } from '../core/types.ts';
import type { GhComment, GhIssue, GhRepo, GhUser, GithubStore } from './data.ts';
import { GithubHttpError, validationFailed } from './errors.ts';
import type { GithubValidationItem } from './errors.ts';
import { commentJson, issueJson, repoJson } from './representations.ts';
import type { Urls } from './representations.ts';
import type { GithubWebhooks } from './webhooks.ts';

const CREATE_ISSUE_DOCS = 'https://docs.github.com/rest/issues/issues#create-an-issue';
const UPDATE_ISSUE_DOCS = 'https://docs.github.com/rest/issues/issues#update-an-issue';
const COMMENT_DOCS = 'https://docs.github.com/rest/issues/comments#create-an-issue-comment';

export interface IssueFields {
  title?: unknown;
  body?: unknown;
  state?: unknown;
  state_reason?: unknown;
  labels?: unknown;
  assignees?: unknown;
  pull_request?: unknown;
}

export class GithubChanges {
  constructor(
    private readonly ctx: SandboxContext,
    private readonly store: GithubStore,
    private readonly webhooks: GithubWebhooks,
    private readonly urls: () => Urls,
  ) {}

  private now(): number {
    return this.ctx.clock.now();
  }

  createIssue(repo: GhRepo, author: GhUser, fields: IssueFields): GhIssue {
    const errors: GithubValidationItem[] = [];
    if (typeof fields.title !== 'string' && typeof fields.title !== 'number') errors.push({ resource: 'Issue', code: 'missing_field', field: 'title' });
    else if (String(fields.title).trim() === '') errors.push({ resource: 'Issue', code: 'missing_field', field: 'title' });
    if (fields.body !== undefined && fields.body !== null && typeof fields.body !== 'string') errors.push({ resource: 'Issue', code: 'invalid', field: 'body' });
    if (errors.length > 0) throw validationFailed(errors, CREATE_ISSUE_DOCS);
    const now = this.now();
    const issue: GhIssue = {
      id: this.store.nextId('issue'),
      repoId: repo.id,
      number: repo.nextNumber++,
      title: String(fields.title),
      body: typeof fields.body === 'string' ? fields.body : null,
      state: 'open',
      stateReason: null,
      userId: author.id,
      assigneeIds: this.assigneeIds(fields.assignees),
      labels: this.labels(fields.labels),
      isPullRequest: fields.pull_request === true,
      locked: false,
      createdAt: now,
      updatedAt: now,
      closedAt: null,
      deleted: false,
    };
    this.store.addIssue(issue);
    this.fireIssue(repo, issue, 'opened', {}, author);
    return issue;
  }

  updateIssue(repo: GhRepo, issue: GhIssue, actor: GhUser | undefined, fields: IssueFields): GhIssue {
    const errors: GithubValidationItem[] = [];
    if (fields.title !== undefined && (typeof fields.title !== 'string' || fields.title.trim() === '')) errors.push({ resource: 'Issue', code: 'missing_field', field: 'title' });
    if (fields.state !== undefined && fields.state !== 'open' && fields.state !== 'closed') errors.push({ resource: 'Issue', code: 'invalid', field: 'state' });
    if (fields.state_reason !== undefined && fields.state_reason !== null && !['completed', 'not_planned', 'reopened'].includes(String(fields.state_reason))) {
      errors.push({ resource: 'Issue', code: 'invalid', field: 'state_reason' });
    }
    if (errors.length > 0) throw validationFailed(errors, UPDATE_ISSUE_DOCS);
    const changes: Record<string, { from: unknown }> = {};
    if (typeof fields.title === 'string' && fields.title !== issue.title) {
      changes.title = { from: issue.title };
      issue.title = fields.title;
    }
    if (fields.body !== undefined && fields.body !== issue.body) {
      changes.body = { from: issue.body };
      issue.body = typeof fields.body === 'string' ? fields.body : null;
    }
    const addedLabels: string[] = [];
    const removedLabels: string[] = [];
    if (fields.labels !== undefined) {
      const labels = this.labels(fields.labels);
      addedLabels.push(...labels.filter((label) => !issue.labels.includes(label)));
      removedLabels.push(...issue.labels.filter((label) => !labels.includes(label)));
      issue.labels = labels;
    }
    if (fields.assignees !== undefined) issue.assigneeIds = this.assigneeIds(fields.assignees);
    let stateAction: 'closed' | 'reopened' | null = null;
    if (fields.state === 'closed' && issue.state === 'open') {
      issue.state = 'closed';
      issue.stateReason = fields.state_reason === 'not_planned' ? 'not_planned' : 'completed';
      issue.closedAt = this.now();
      stateAction = 'closed';
    } else if (fields.state === 'open' && issue.state === 'closed') {
      issue.state = 'open';
      issue.stateReason = 'reopened';
      issue.closedAt = null;
      stateAction = 'reopened';
    }
    issue.updatedAt = this.now();
    if (Object.keys(changes).length > 0) this.fireIssue(repo, issue, 'edited', { changes }, actor);
    for (const name of addedLabels) this.fireIssue(repo, issue, 'labeled', { label: { name } }, actor);
    for (const name of removedLabels) this.fireIssue(repo, issue, 'unlabeled', { label: { name } }, actor);
    if (stateAction) this.fireIssue(repo, issue, stateAction, {}, actor);
    return issue;
  }

  /** An admin deletes the issue: it leaves every list and a direct GET answers 410. */
  deleteIssue(repo: GhRepo, issue: GhIssue, actor: GhUser | undefined): void {
    const snapshot = issueJson(this.urls(), this.store, issue);
    issue.deleted = true;
    issue.updatedAt = this.now();
    for (const comment of this.store.liveComments(repo.id, issue.number)) comment.deleted = true;
    this.webhooks.fire(repo, issue.isPullRequest ? 'pull_request' : 'issues', 'deleted', { issue: snapshot }, actor);
  }

  createComment(repo: GhRepo, issue: GhIssue, author: GhUser, body: unknown): GhComment {
    if (typeof body !== 'string' || body.trim() === '') throw validationFailed([{ resource: 'IssueComment', code: 'missing_field', field: 'body' }], COMMENT_DOCS);
    if (issue.locked) throw new GithubHttpError(403, 'Unable to create comment because issue is locked.', COMMENT_DOCS);
    const now = this.now();
    const comment: GhComment = { id: this.store.nextId('comment'), repoId: repo.id, issueNumber: issue.number, userId: author.id, body, createdAt: now, updatedAt: now, deleted: false };
    this.store.addComment(comment);
    issue.updatedAt = now;
    this.fireComment(repo, issue, comment, 'created', {}, author);
    return comment;
  }

  updateComment(repo: GhRepo, comment: GhComment, actor: GhUser | undefined, body: unknown): GhComment {
    if (typeof body !== 'string' || body.trim() === '') throw validationFailed([{ resource: 'IssueComment', code: 'missing_field', field: 'body' }], COMMENT_DOCS);
    const from = comment.body;
    comment.body = body;
    comment.updatedAt = this.now();
    const issue = this.store.issueByNumber(repo.id, comment.issueNumber);
    if (issue) this.fireComment(repo, issue, comment, 'edited', { changes: { body: { from } } }, actor);
    return comment;
  }

  deleteComment(repo: GhRepo, comment: GhComment, actor: GhUser | undefined): void {
    comment.deleted = true;
    const issue = this.store.issueByNumber(repo.id, comment.issueNumber);
    if (issue) {
      issue.updatedAt = this.now();
      this.fireComment(repo, issue, comment, 'deleted', {}, actor);
    }
  }

  createRepo(owner: { kind: 'User' | 'Organization'; id: number }, fields: Record<string, unknown>, actor: GhUser | undefined): GhRepo {
    const name = typeof fields.name === 'string' ? fields.name.trim() : '';
    if (!/^[\w.-]+$/.test(name)) throw validationFailed([{ resource: 'Repository', code: 'missing_field', field: 'name' }]);
    const exists = [...this.store.repos.values()].some((repo) => !repo.deleted && repo.ownerId === owner.id && repo.name.toLowerCase() === name.toLowerCase());
    if (exists) throw validationFailed([{ resource: 'Repository', code: 'custom', field: 'name', message: 'name already exists on this account' }]);
    const now = this.now();
    const repo: GhRepo = {
      id: this.store.nextId('repo'),
      name,
      ownerId: owner.id,
      ownerType: owner.kind,
      description: typeof fields.description === 'string' ? fields.description : null,
      private: fields.private === true,
      language: typeof fields.language === 'string' ? fields.language : null,
      topics: [],
      defaultBranch: 'main',
      createdAt: now,
      updatedAt: now,
      pushedAt: now,
      nextNumber: 1,
      deleted: false,
    };
    this.store.repos.set(repo.id, repo);
    this.webhooks.fire(repo, 'repository', 'created', {}, actor);
    return repo;
  }

  updateRepo(repo: GhRepo, fields: Record<string, unknown>, actor: GhUser | undefined): GhRepo {
    const changes: Record<string, { from: unknown }> = {};
    let renamedFrom: string | null = null;
    if (typeof fields.description === 'string' || fields.description === null) {
      changes.description = { from: repo.description };
      repo.description = fields.description as string | null;
    }
    if (typeof fields.private === 'boolean') repo.private = fields.private;
    if (Array.isArray(fields.topics)) repo.topics = fields.topics.map(String);
    if (typeof fields.name === 'string' && fields.name !== repo.name) {
      renamedFrom = repo.name;
      repo.name = fields.name;
    }
    repo.updatedAt = this.now();
    if (renamedFrom !== null) this.webhooks.fire(repo, 'repository', 'renamed', { changes: { repository: { name: { from: renamedFrom } } } }, actor);
    if (Object.keys(changes).length > 0) this.webhooks.fire(repo, 'repository', 'edited', { changes }, actor);
    return repo;
  }

  deleteRepo(repo: GhRepo, actor: GhUser | undefined): void {
    const snapshot = repoJson(this.urls(), this.store, repo);
    this.webhooks.fire(repo, 'repository', 'deleted', { repository: snapshot }, actor);
    repo.deleted = true;
    repo.updatedAt = this.now();
    for (const hook of [...this.store.hooks.values()]) if (hook.scope.kind === 'repo' && hook.scope.id === repo.id) this.store.hooks.delete(hook.id);
  }

  /** A user edits their profile (no webhook: GitHub sends none for profile edits). */
  updateUser(user: GhUser, fields: Record<string, unknown>): GhUser {
    for (const key of ['name', 'email', 'company', 'location', 'bio'] as const) {
      if (key in fields) user[key] = fields[key] === null ? null : String(fields[key]);
    }
    user.updatedAt = this.now();
    return user;
  }

  private fireIssue(repo: GhRepo, issue: GhIssue, action: string, extra: Record<string, unknown>, actor: GhUser | undefined): void {
    const json = issueJson(this.urls(), this.store, issue);
    const fields = issue.isPullRequest ? { number: issue.number, pull_request: json, ...extra } : { issue: json, ...extra };
    this.webhooks.fire(repo, issue.isPullRequest ? 'pull_request' : 'issues', action, fields, actor);
  }

  private fireComment(repo: GhRepo, issue: GhIssue, comment: GhComment, action: string, extra: Record<string, unknown>, actor: GhUser | undefined): void {
    this.webhooks.fire(
      repo,
      'issue_comment',
      action,
      { issue: issueJson(this.urls(), this.store, issue), comment: commentJson(this.urls(), this.store, comment), ...extra },
      actor,
    );
  }

  private labels(value: unknown): string[] {
    if (!Array.isArray(value)) return [];
    return [...new Set(value.map((label) => (typeof label === 'object' && label !== null ? String((label as { name?: unknown }).name ?? '') : String(label))).filter(Boolean))];
  }

  private assigneeIds(value: unknown): number[] {
    if (!Array.isArray(value)) return [];
    return value.flatMap((login) => {
      const user = this.store.userByLogin(String(login));
      return user ? [user.id] : [];
    });
  }
}
