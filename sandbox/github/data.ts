/**
 * The GitHub simulator's records and the store that holds them. Records carry epoch-ms
 * times and numeric ids as GitHub's do; representations.ts turns them into API JSON.
 * Deleted issues, comments and repositories stay in the store flagged `deleted`, so a
 * direct GET can answer 410 the way GitHub does while every list drops them.
 */

export interface GhUser {
  id: number;
  login: string;
  type: 'User' | 'Organization' | 'Bot';
  name: string | null;
  /** Public email, null when the user keeps it private (most do). */
  email: string | null;
  company: string | null;
  location: string | null;
  bio: string | null;
  createdAt: number;
  updatedAt: number;
  truthId: string | null;
}

export interface GhOrg {
  id: number;
  login: string;
  name: string;
  description: string | null;
  memberIds: number[];
  createdAt: number;
  updatedAt: number;
}

export interface GhRepo {
  id: number;
  name: string;
  ownerId: number;
  ownerType: 'User' | 'Organization';
  description: string | null;
  private: boolean;
  language: string | null;
  topics: string[];
  defaultBranch: string;
  createdAt: number;
  updatedAt: number;
  pushedAt: number;
  nextNumber: number;
  deleted: boolean;
}

export interface GhIssue {
  id: number;
  repoId: number;
  number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  stateReason: 'completed' | 'not_planned' | 'reopened' | null;
  userId: number;
  assigneeIds: number[];
  labels: string[];
  isPullRequest: boolean;
  locked: boolean;
  createdAt: number;
  updatedAt: number;
  closedAt: number | null;
  deleted: boolean;
}

export interface GhComment {
  id: number;
  repoId: number;
  issueNumber: number;
  userId: number;
  body: string;
  createdAt: number;
  updatedAt: number;
  deleted: boolean;
}

export interface GhHook {
  id: number;
  /** The repository or organization the hook belongs to. */
  scope: { kind: 'repo' | 'org'; id: number };
  name: 'web';
  active: boolean;
  events: string[];
  url: string;
  contentType: 'json' | 'form';
  secret: string | null;
  insecureSsl: '0' | '1';
  createdAt: number;
  updatedAt: number;
  lastResponse: { code: number | null; status: string; message: string | null };
}

/** One webhook delivery, kept so it can be listed and redelivered with the same GUID. */
export interface GhDelivery {
  id: number;
  guid: string;
  hookId: number;
  event: string;
  action: string | null;
  body: string;
  headers: Record<string, string>;
  deliveredAt: number;
  redelivery: boolean;
  repositoryId: number | null;
  /** The dispatcher's record of the attempt, read for status and status code. */
  record: { attempts: { at: number; status: number | null; error?: string }[]; delivered: boolean };
}

export interface GhInstallation {
  id: number;
  orgId: number;
  createdAt: number;
}

const INITIAL_IDS = { user: 583_231, repo: 1_296_269, issue: 1_347_000_000, comment: 1_100_000_000, hook: 12_345_678, delivery: 9_000_000_000, installation: 41_000_000 };

/** In-memory state of one simulated GitHub. */
export class GithubStore {
  readonly users = new Map<number, GhUser>();
  readonly orgs = new Map<number, GhOrg>();
  readonly repos = new Map<number, GhRepo>();
  readonly issues = new Map<number, GhIssue>();
  readonly comments = new Map<number, GhComment>();
  readonly hooks = new Map<number, GhHook>();
  readonly deliveries = new Map<number, GhDelivery>();
  readonly installations = new Map<number, GhInstallation>();
  /** Login of the account tokens are minted for when none is named. */
  defaultLogin = '';
  private nextIds = { ...INITIAL_IDS };

  nextId(kind: keyof typeof INITIAL_IDS): number {
    this.nextIds[kind] += 1;
    return this.nextIds[kind];
  }

  /** Bumps an id sequence by a random gap so ids look sparse, as GitHub's are. */
  skipIds(kind: keyof typeof INITIAL_IDS, gap: number): void {
    this.nextIds[kind] += gap;
  }

  private readonly loginIndex = new Map<string, GhUser>();
  private readonly issuesByRepo = new Map<number, GhIssue[]>();
  private readonly commentsByRepo = new Map<number, GhComment[]>();
  private readonly commentsByIssue = new Map<string, GhComment[]>();

  addUser(user: GhUser): void {
    this.users.set(user.id, user);
    this.loginIndex.set(user.login.toLowerCase(), user);
  }

  addIssue(issue: GhIssue): void {
    this.issues.set(issue.id, issue);
    const list = this.issuesByRepo.get(issue.repoId) ?? [];
    list.push(issue);
    this.issuesByRepo.set(issue.repoId, list);
  }

  addComment(comment: GhComment): void {
    this.comments.set(comment.id, comment);
    const list = this.commentsByRepo.get(comment.repoId) ?? [];
    list.push(comment);
    this.commentsByRepo.set(comment.repoId, list);
    const key = `${comment.repoId}#${comment.issueNumber}`;
    const forIssue = this.commentsByIssue.get(key) ?? [];
    forIssue.push(comment);
    this.commentsByIssue.set(key, forIssue);
  }

  /** Empties the store (a reseed replaces everything). */
  clear(): void {
    for (const map of [this.users, this.orgs, this.repos, this.issues, this.comments, this.hooks, this.deliveries, this.installations, this.loginIndex, this.issuesByRepo, this.commentsByRepo, this.commentsByIssue]) map.clear();
    this.nextIds = { ...INITIAL_IDS };
    this.defaultLogin = '';
  }

  userByLogin(login: string): GhUser | undefined {
    return this.loginIndex.get(login.toLowerCase());
  }

  orgByLogin(login: string): GhOrg | undefined {
    const lower = login.toLowerCase();
    for (const org of this.orgs.values()) if (org.login.toLowerCase() === lower) return org;
    return undefined;
  }

  ownerLogin(repo: GhRepo): string {
    const owner = repo.ownerType === 'Organization' ? this.orgs.get(repo.ownerId) : this.users.get(repo.ownerId);
    return owner?.login ?? 'ghost';
  }

  fullName(repo: GhRepo): string {
    return `${this.ownerLogin(repo)}/${repo.name}`;
  }

  /** A live repository by owner and name, case-insensitive as GitHub's URLs are. */
  repoByName(owner: string, name: string): GhRepo | undefined {
    const wanted = `${owner}/${name}`.toLowerCase();
    for (const repo of this.repos.values()) if (!repo.deleted && this.fullName(repo).toLowerCase() === wanted) return repo;
    return undefined;
  }

  /** The issue with this number in the repo, deleted ones included (callers answer 410). */
  issueByNumber(repoId: number, issueNumber: number): GhIssue | undefined {
    // Issue numbers are handed out in order, so the number is (nearly always) the index.
    const list = this.issuesByRepo.get(repoId) ?? [];
    const guess = list[issueNumber - 1];
    if (guess?.number === issueNumber) return guess;
    return list.find((issue) => issue.number === issueNumber);
  }

  liveIssues(repoId: number): GhIssue[] {
    return (this.issuesByRepo.get(repoId) ?? []).filter((issue) => !issue.deleted);
  }

  liveComments(repoId: number, issueNumber?: number): GhComment[] {
    const list = issueNumber === undefined ? this.commentsByRepo.get(repoId) : this.commentsByIssue.get(`${repoId}#${issueNumber}`);
    return (list ?? []).filter((comment) => !comment.deleted);
  }

  commentCount(issue: GhIssue): number {
    return this.liveComments(issue.repoId, issue.number).length;
  }

  /** Repositories a user can read: their own and those of the orgs they belong to. */
  reposVisibleTo(userId: number): GhRepo[] {
    const orgIds = new Set([...this.orgs.values()].filter((org) => org.memberIds.includes(userId)).map((org) => org.id));
    return [...this.repos.values()].filter(
      (repo) => !repo.deleted && ((repo.ownerType === 'User' && repo.ownerId === userId) || (repo.ownerType === 'Organization' && orgIds.has(repo.ownerId))),
    );
  }

  hooksFor(repo: GhRepo): GhHook[] {
    return [...this.hooks.values()].filter(
      (hook) => (hook.scope.kind === 'repo' && hook.scope.id === repo.id) || (hook.scope.kind === 'org' && repo.ownerType === 'Organization' && hook.scope.id === repo.ownerId),
    );
  }
}

/** GitHub's timestamp format: ISO 8601 in UTC without milliseconds. */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
