/**
 * GitHub's JSON shapes for the simulator's records, following the REST API's schemas
 * (simple-user, private-user, repository, issue, issue-comment, hook). API URLs point
 * at the sandbox (`<baseUrl>/github/...`); `html_url`s point at github.com as the real
 * ones do, since nothing calls them.
 */
import { isoSeconds } from './data.ts';
import type { GhComment, GhHook, GhIssue, GhOrg, GhRepo, GhUser, GithubStore } from './data.ts';

export interface Urls {
  /** `<sandbox base>/github`, the simulated api.github.com. */
  api: string;
}

function nodeId(kind: string, id: number): string {
  return Buffer.from(`0${kind.length}:${kind}${id}`).toString('base64').replace(/=+$/, '');
}

export function simpleUser(urls: Urls, user: GhUser | GhOrg): Record<string, unknown> {
  const isOrg = !('type' in user);
  const type = isOrg ? 'Organization' : user.type;
  const base = `${urls.api}/users/${user.login}`;
  return {
    login: user.login,
    id: user.id,
    node_id: nodeId(type, user.id),
    avatar_url: `https://avatars.githubusercontent.com/u/${user.id}?v=4`,
    gravatar_id: '',
    url: base,
    html_url: `https://github.com/${user.login}`,
    followers_url: `${base}/followers`,
    following_url: `${base}/following{/other_user}`,
    gists_url: `${base}/gists{/gist_id}`,
    starred_url: `${base}/starred{/owner}{/repo}`,
    subscriptions_url: `${base}/subscriptions`,
    organizations_url: `${base}/orgs`,
    repos_url: `${base}/repos`,
    events_url: `${base}/events{/privacy}`,
    received_events_url: `${base}/received_events`,
    type,
    user_view_type: 'public',
    site_admin: false,
  };
}

/** `GET /users/{login}` and `GET /user`: the simple user plus the profile fields. */
export function fullUser(urls: Urls, store: GithubStore, user: GhUser): Record<string, unknown> {
  const publicRepos = [...store.repos.values()].filter((repo) => !repo.deleted && repo.ownerType === 'User' && repo.ownerId === user.id && !repo.private).length;
  return {
    ...simpleUser(urls, user),
    name: user.name,
    company: user.company,
    blog: '',
    location: user.location,
    email: user.email,
    hireable: null,
    bio: user.bio,
    twitter_username: null,
    public_repos: publicRepos,
    public_gists: 0,
    followers: (user.id * 7) % 97,
    following: (user.id * 3) % 41,
    created_at: isoSeconds(user.createdAt),
    updated_at: isoSeconds(user.updatedAt),
  };
}

export function orgJson(urls: Urls, org: GhOrg): Record<string, unknown> {
  const base = `${urls.api}/orgs/${org.login}`;
  return {
    login: org.login,
    id: org.id,
    node_id: nodeId('Organization', org.id),
    url: base,
    repos_url: `${base}/repos`,
    events_url: `${base}/events`,
    hooks_url: `${base}/hooks`,
    issues_url: `${base}/issues`,
    members_url: `${base}/members{/member}`,
    public_members_url: `${base}/public_members{/member}`,
    avatar_url: `https://avatars.githubusercontent.com/u/${org.id}?v=4`,
    description: org.description,
  };
}

function ownerOf(urls: Urls, store: GithubStore, repo: GhRepo): Record<string, unknown> {
  const owner = repo.ownerType === 'Organization' ? store.orgs.get(repo.ownerId) : store.users.get(repo.ownerId);
  return owner ? simpleUser(urls, owner) : {};
}

export function repoJson(urls: Urls, store: GithubStore, repo: GhRepo): Record<string, unknown> {
  const fullName = store.fullName(repo);
  const base = `${urls.api}/repos/${fullName}`;
  const openIssues = store.liveIssues(repo.id).filter((issue) => issue.state === 'open').length;
  return {
    id: repo.id,
    node_id: nodeId('Repository', repo.id),
    name: repo.name,
    full_name: fullName,
    private: repo.private,
    owner: ownerOf(urls, store, repo),
    html_url: `https://github.com/${fullName}`,
    description: repo.description,
    fork: false,
    url: base,
    hooks_url: `${base}/hooks`,
    issue_comment_url: `${base}/issues/comments{/number}`,
    issues_url: `${base}/issues{/number}`,
    pulls_url: `${base}/pulls{/number}`,
    created_at: isoSeconds(repo.createdAt),
    updated_at: isoSeconds(repo.updatedAt),
    pushed_at: isoSeconds(repo.pushedAt),
    git_url: `git://github.com/${fullName}.git`,
    ssh_url: `git@github.com:${fullName}.git`,
    clone_url: `https://github.com/${fullName}.git`,
    homepage: null,
    size: (repo.id % 9000) + 100,
    stargazers_count: repo.id % 211,
    watchers_count: repo.id % 211,
    language: repo.language,
    has_issues: true,
    has_projects: true,
    has_wiki: true,
    has_pages: false,
    has_discussions: false,
    forks_count: repo.id % 17,
    archived: false,
    disabled: false,
    open_issues_count: openIssues,
    license: null,
    allow_forking: true,
    is_template: false,
    topics: repo.topics,
    visibility: repo.private ? 'private' : 'public',
    forks: repo.id % 17,
    open_issues: openIssues,
    watchers: repo.id % 211,
    default_branch: repo.defaultBranch,
    permissions: { admin: true, maintain: true, push: true, triage: true, pull: true },
  };
}

export function issueJson(urls: Urls, store: GithubStore, issue: GhIssue): Record<string, unknown> {
  const repo = store.repos.get(issue.repoId);
  const fullName = repo ? store.fullName(repo) : 'ghost/ghost';
  const base = `${urls.api}/repos/${fullName}/issues/${issue.number}`;
  const author = store.users.get(issue.userId);
  const assignees = issue.assigneeIds.flatMap((id) => {
    const user = store.users.get(id);
    return user ? [simpleUser(urls, user)] : [];
  });
  const json: Record<string, unknown> = {
    url: base,
    repository_url: `${urls.api}/repos/${fullName}`,
    labels_url: `${base}/labels{/name}`,
    comments_url: `${base}/comments`,
    events_url: `${base}/events`,
    html_url: `https://github.com/${fullName}/${issue.isPullRequest ? 'pull' : 'issues'}/${issue.number}`,
    id: issue.id,
    node_id: nodeId(issue.isPullRequest ? 'PullRequest' : 'Issue', issue.id),
    number: issue.number,
    title: issue.title,
    user: author ? simpleUser(urls, author) : null,
    labels: issue.labels.map((name, index) => ({
      id: 208_045_946 + index + name.length * 1000,
      node_id: nodeId('Label', name.length),
      url: `${urls.api}/repos/${fullName}/labels/${encodeURIComponent(name)}`,
      name,
      color: labelColor(name),
      default: name === 'bug' || name === 'enhancement',
      description: null,
    })),
    state: issue.state,
    locked: issue.locked,
    assignee: assignees[0] ?? null,
    assignees,
    milestone: null,
    comments: store.commentCount(issue),
    created_at: isoSeconds(issue.createdAt),
    updated_at: isoSeconds(issue.updatedAt),
    closed_at: issue.closedAt === null ? null : isoSeconds(issue.closedAt),
    author_association: repo && repo.ownerType === 'Organization' ? 'MEMBER' : 'OWNER',
    active_lock_reason: null,
    body: issue.body,
    closed_by: null,
    reactions: { url: `${base}/reactions`, total_count: 0, '+1': 0, '-1': 0, laugh: 0, hooray: 0, confused: 0, heart: 0, rocket: 0, eyes: 0 },
    timeline_url: `${base}/timeline`,
    state_reason: issue.stateReason,
  };
  if (issue.isPullRequest) {
    const pullBase = `${urls.api}/repos/${fullName}/pulls/${issue.number}`;
    json.draft = false;
    json.pull_request = {
      url: pullBase,
      html_url: `https://github.com/${fullName}/pull/${issue.number}`,
      diff_url: `https://github.com/${fullName}/pull/${issue.number}.diff`,
      patch_url: `https://github.com/${fullName}/pull/${issue.number}.patch`,
      merged_at: null,
    };
  }
  return json;
}

function labelColor(name: string): string {
  let hash = 0;
  for (const char of name) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return (hash & 0xffffff).toString(16).padStart(6, '0');
}

export function commentJson(urls: Urls, store: GithubStore, comment: GhComment): Record<string, unknown> {
  const repo = store.repos.get(comment.repoId);
  const fullName = repo ? store.fullName(repo) : 'ghost/ghost';
  const author = store.users.get(comment.userId);
  return {
    url: `${urls.api}/repos/${fullName}/issues/comments/${comment.id}`,
    html_url: `https://github.com/${fullName}/issues/${comment.issueNumber}#issuecomment-${comment.id}`,
    issue_url: `${urls.api}/repos/${fullName}/issues/${comment.issueNumber}`,
    id: comment.id,
    node_id: nodeId('IssueComment', comment.id),
    user: author ? simpleUser(urls, author) : null,
    created_at: isoSeconds(comment.createdAt),
    updated_at: isoSeconds(comment.updatedAt),
    author_association: 'MEMBER',
    body: comment.body,
    reactions: { url: `${urls.api}/repos/${fullName}/issues/comments/${comment.id}/reactions`, total_count: 0 },
  };
}

/** A hook as GitHub shows it: the secret is never returned, only masked. */
export function hookJson(urls: Urls, store: GithubStore, hook: GhHook): Record<string, unknown> {
  const repo = hook.scope.kind === 'repo' ? store.repos.get(hook.scope.id) : undefined;
  const org = hook.scope.kind === 'org' ? store.orgs.get(hook.scope.id) : undefined;
  const base = repo ? `${urls.api}/repos/${store.fullName(repo)}/hooks/${hook.id}` : `${urls.api}/orgs/${org?.login ?? 'ghost'}/hooks/${hook.id}`;
  const config: Record<string, unknown> = { content_type: hook.contentType, insecure_ssl: hook.insecureSsl, url: hook.url };
  if (hook.secret !== null) config.secret = '********';
  return {
    type: repo ? 'Repository' : 'Organization',
    id: hook.id,
    name: hook.name,
    active: hook.active,
    events: hook.events,
    config,
    updated_at: isoSeconds(hook.updatedAt),
    created_at: isoSeconds(hook.createdAt),
    url: base,
    ...(repo ? { test_url: `${base}/test` } : {}),
    ping_url: `${base}/pings`,
    deliveries_url: `${base}/deliveries`,
    last_response: hook.lastResponse,
  };
}
