/**
 * The control API's view of the simulated GitHub (`RecordControl`): objects `users`,
 * `repos`, `issues` and `comments`, listed as the REST API shows them and edited as a
 * person using GitHub would, which moves `updated_at` and fires webhooks. Ids are the
 * numeric ids; issues also accept `owner/repo#number`, users their login.
 *
 * Fields: issues `{ repo: "owner/name", title, body, labels, assignees, user, state,
 * pull_request }`; comments `{ repo, issue_number, body, user }`; repos `{ name, owner,
 * description, private }`; users `{ login, name, email, company, location, bio }`.
 */
import { SandboxHttpError } from '../core/errors.ts';
import type { RecordControl } from '../core/types.ts';
import type { GithubChanges } from './changes.ts';
import type { GhComment, GhIssue, GhRepo, GhUser, GithubStore } from './data.ts';
import { GithubHttpError } from './errors.ts';
import { commentJson, fullUser, issueJson, repoJson } from './representations.ts';
import type { Urls } from './representations.ts';

const OBJECTS = ['users', 'repos', 'issues', 'comments'] as const;

export function githubRecordControl(store: GithubStore, changes: () => GithubChanges, urls: () => Urls, clock: () => number): RecordControl {
  const repoNamed = (value: unknown): GhRepo => {
    const [owner, name] = String(value ?? '').split('/');
    const repo = store.repoByName(owner ?? '', name ?? '');
    if (!repo) throw new SandboxHttpError(404, `no repository ${String(value)}`);
    return repo;
  };
  const userNamed = (value: unknown, fallback: string): GhUser => {
    const user = store.userByLogin(typeof value === 'string' ? value : fallback);
    if (!user) throw new SandboxHttpError(404, `no user ${String(value ?? fallback)}`);
    return user;
  };
  const issueById = (id: string): { repo: GhRepo; issue: GhIssue } => {
    const ref = /^(.+\/.+)#(\d+)$/.exec(id);
    const issue = ref ? store.issueByNumber(repoNamed(ref[1]).id, Number(ref[2])) : store.issues.get(Number(id));
    const repo = issue ? store.repos.get(issue.repoId) : undefined;
    if (!issue || issue.deleted || !repo) throw new SandboxHttpError(404, `no issue ${id}`);
    return { repo, issue };
  };
  const commentById = (id: string): { repo: GhRepo; comment: GhComment } => {
    const comment = store.comments.get(Number(id));
    const repo = comment ? store.repos.get(comment.repoId) : undefined;
    if (!comment || comment.deleted || !repo) throw new SandboxHttpError(404, `no comment ${id}`);
    return { repo, comment };
  };
  const userById = (id: string): GhUser => {
    const user = /^\d+$/.test(id) ? store.users.get(Number(id)) : store.userByLogin(id);
    if (!user) throw new SandboxHttpError(404, `no user ${id}`);
    return user;
  };
  const unknown = (object: string): never => {
    throw new SandboxHttpError(404, `unknown object ${object}; GitHub has ${OBJECTS.join(', ')}`);
  };
  /** GitHub's 422s become the control API's 400 with the same message. */
  const guarded = <T>(run: () => T): T => {
    try {
      return run();
    } catch (error) {
      if (error instanceof GithubHttpError) throw new SandboxHttpError(error.status === 422 ? 400 : error.status, JSON.stringify(error.body()));
      throw error;
    }
  };

  return {
    objects: () => [...OBJECTS],

    list(object, { limit, offset }) {
      let all: unknown[];
      if (object === 'users') all = [...store.users.values()].filter((user) => user.type === 'User').map((user) => fullUser(urls(), store, user));
      else if (object === 'repos') all = [...store.repos.values()].filter((repo) => !repo.deleted).map((repo) => repoJson(urls(), store, repo));
      else if (object === 'issues') all = [...store.issues.values()].filter((issue) => !issue.deleted).map((issue) => issueJson(urls(), store, issue));
      else if (object === 'comments') all = [...store.comments.values()].filter((comment) => !comment.deleted).map((comment) => commentJson(urls(), store, comment));
      else return unknown(object);
      return { total: all.length, records: all.slice(offset, offset + limit) };
    },

    create(object, fields) {
      return guarded(() => {
        if (object === 'issues') {
          const repo = repoNamed(fields.repo);
          const issue = changes().createIssue(repo, userNamed(fields.user, store.defaultLogin), fields);
          if (fields.state === 'closed') changes().updateIssue(repo, issue, undefined, { state: 'closed' });
          return issueJson(urls(), store, issue);
        }
        if (object === 'comments') {
          const repo = repoNamed(fields.repo);
          const issue = store.issueByNumber(repo.id, Number(fields.issue_number));
          if (!issue || issue.deleted) throw new SandboxHttpError(404, `no issue ${String(fields.issue_number)}`);
          return commentJson(urls(), store, changes().createComment(repo, issue, userNamed(fields.user, store.defaultLogin), fields.body));
        }
        if (object === 'repos') {
          const ownerName = typeof fields.owner === 'string' ? fields.owner : ([...store.orgs.values()][0]?.login ?? '');
          const org = store.orgByLogin(ownerName);
          const owner = org ? { kind: 'Organization' as const, id: org.id } : { kind: 'User' as const, id: userNamed(ownerName, ownerName).id };
          return repoJson(urls(), store, changes().createRepo(owner, fields, store.userByLogin(store.defaultLogin)));
        }
        if (object === 'users') {
          const login = String(fields.login ?? '');
          if (!/^[A-Za-z0-9-]+$/.test(login) || store.userByLogin(login)) throw new SandboxHttpError(400, 'login missing, invalid or taken');
          const now = clock();
          const user: GhUser = { id: store.nextId('user'), login, type: 'User', name: null, email: null, company: null, location: null, bio: null, createdAt: now, updatedAt: now, truthId: null };
          store.addUser(user);
          changes().updateUser(user, fields);
          return fullUser(urls(), store, user);
        }
        return unknown(object);
      });
    },

    update(object, id, fields) {
      return guarded(() => {
        if (object === 'issues') {
          const { repo, issue } = issueById(id);
          return issueJson(urls(), store, changes().updateIssue(repo, issue, userNamed(fields.user, store.defaultLogin), fields));
        }
        if (object === 'comments') {
          const { repo, comment } = commentById(id);
          return commentJson(urls(), store, changes().updateComment(repo, comment, store.users.get(comment.userId), fields.body));
        }
        if (object === 'repos') {
          const repo = store.repos.get(Number(id)) ?? repoNamed(id);
          if (repo.deleted) throw new SandboxHttpError(404, `no repository ${id}`);
          return repoJson(urls(), store, changes().updateRepo(repo, fields, store.userByLogin(store.defaultLogin)));
        }
        if (object === 'users') return fullUser(urls(), store, changes().updateUser(userById(id), fields));
        return unknown(object);
      });
    },

    remove(object, id) {
      return guarded(() => {
        if (object === 'issues') {
          const { repo, issue } = issueById(id);
          changes().deleteIssue(repo, issue, store.userByLogin(store.defaultLogin));
          return true;
        }
        if (object === 'comments') {
          const { repo, comment } = commentById(id);
          changes().deleteComment(repo, comment, store.users.get(comment.userId));
          return true;
        }
        if (object === 'repos') {
          const repo = store.repos.get(Number(id)) ?? repoNamed(id);
          if (repo.deleted) return false;
          changes().deleteRepo(repo, store.userByLogin(store.defaultLogin));
          return true;
        }
        if (object === 'users') throw new SandboxHttpError(400, 'GitHub users cannot be deleted through the sandbox');
        return unknown(object);
      });
    },
  };
}
