/**
 * Fills a GithubStore from the sandbox's people: about 60% of the company's people have
 * a GitHub account (their `githubLogin`, a profile name that may be a nickname or
 * missing, a public email for some), the largest employer becomes the organization with
 * its employees as members, and the org's repositories hold issues, pull requests and
 * comments authored by those people. Ground truth is recorded for every user
 * (object `users`, external id = the numeric user id).
 *
 * Deterministic for a seed and size; times are spread over the year before the sandbox
 * clock's now at seeding time.
 */
import type { Person, SandboxContext } from '../core/types.ts';
import type { GhComment, GhIssue, GhRepo, GhUser, GithubStore } from './data.ts';

const DAY_MS = 86_400_000;
const REPO_NAMES = [
  'api', 'web-app', 'infrastructure', 'docs', 'mobile', 'data-pipeline', 'design-system', 'billing-service', 'auth-service', 'cli',
  'sdk-js', 'sdk-python', 'terraform-modules', 'website', 'analytics', 'notifications', 'search', 'gateway', 'scheduler', 'admin-ui',
  'integrations', 'reporting', 'ml-models', 'etl', 'monitoring',
];
const LANGUAGES = ['TypeScript', 'Go', 'Python', 'TypeScript', 'Rust', 'Java', 'HCL', 'Kotlin'];
const VERBS = ['Fix', 'Add', 'Improve', 'Remove', 'Refactor', 'Document', 'Investigate', 'Support', 'Update', 'Handle'];
const OBJECTS = [
  'pagination on the accounts list', 'timeout when exporting CSV', 'retry logic in the webhook consumer', 'dark mode toggle', 'flaky login test',
  'rate limit handling for the sync job', 'N+1 query on the dashboard', 'SSO callback error', 'memory leak in the worker', 'CSV import of contacts',
  'OpenAPI schema for /v2/orders', 'deprecated config flag', 'Slack notification formatting', 'duplicate contacts after merge', 'time zone bug in reports',
];
const LABELS = ['bug', 'enhancement', 'documentation', 'good first issue', 'performance', 'security', 'tech-debt'];
const COMMENTS = [
  'I can reproduce this on main.', 'LGTM, merging once CI is green.', 'Could we add a test for the edge case?', 'This is related to the incident last week.',
  'Taking a look now.', 'Closing as fixed by the linked PR.', "+1, we're seeing this in production too.", 'Can you share the stack trace?',
];

export function seedGithub(ctx: SandboxContext, store: GithubStore): void {
  store.clear();
  const rng = ctx.rng('github:seed');
  const anchor = ctx.clock.now() - 60_000;
  const yearAgo = anchor - 365 * DAY_MS;
  const at = (from: number, to: number): number => Math.floor(from + rng.next() * Math.max(0, to - from));

  // The organization: the largest employer among the people.
  const byDomain = new Map<string, Person[]>();
  for (const person of ctx.people.all()) {
    const list = byDomain.get(person.companyDomain);
    if (list) list.push(person);
    else byDomain.set(person.companyDomain, [person]);
  }
  let orgPeople: Person[] = [];
  for (const people of byDomain.values()) if (people.length > orgPeople.length) orgPeople = people;
  const orgDomain = orgPeople[0]?.companyDomain ?? 'example.com';
  const orgLogin = (orgDomain.split('.')[0] ?? 'example').toLowerCase();
  const orgId = store.nextId('user');
  store.orgs.set(orgId, {
    id: orgId,
    login: orgLogin,
    name: orgPeople[0]?.company ?? 'Example',
    description: `${orgPeople[0]?.company ?? 'Example'} engineering`,
    memberIds: [],
    createdAt: yearAgo - 400 * DAY_MS,
    updatedAt: yearAgo,
  });
  const org = store.orgs.get(orgId) as NonNullable<ReturnType<typeof store.orgs.get>>;

  // Users: the people with a GitHub account.
  const users: GhUser[] = [];
  const members: GhUser[] = [];
  for (const variant of ctx.people.variantsFor('github', 0.6)) {
    const person = ctx.people.byTruthId(variant.truthId);
    const login = variant.githubLogin ?? person?.githubLogin;
    if (!login || store.userByLogin(login)) continue;
    store.skipIds('user', rng.int(1, 5000));
    const createdAt = at(anchor - 10 * 365 * DAY_MS, yearAgo);
    const user: GhUser = {
      id: store.nextId('user'),
      login,
      type: 'User',
      name: rng.chance(0.15) ? null : `${variant.givenName} ${variant.familyName}`.trim(),
      email: variant.email,
      company: person?.companyDomain === orgDomain ? `@${orgLogin}` : (variant.company ?? null),
      location: rng.chance(0.4) ? null : [variant.city ?? person?.city, variant.country ?? person?.country].filter(Boolean).join(', ') || null,
      bio: null,
      createdAt,
      updatedAt: at(createdAt, anchor),
      truthId: variant.truthId,
    };
    store.addUser(user);
    users.push(user);
    ctx.truth.record({ provider: 'github', object: 'users', externalId: String(user.id), truthId: variant.truthId });
    if (person?.companyDomain === orgDomain) members.push(user);
  }
  if (members.length === 0 && users[0]) members.push(users[0]);
  org.memberIds = members.map((user) => user.id);
  store.defaultLogin = members[0]?.login ?? '';
  const bot: GhUser = {
    id: store.nextId('user') + 40_000_000,
    login: 'tributary-sandbox[bot]',
    type: 'Bot',
    name: null,
    email: null,
    company: null,
    location: null,
    bio: null,
    createdAt: yearAgo,
    updatedAt: yearAgo,
    truthId: null,
  };
  store.addUser(bot);

  // Repositories: the org's, plus a personal one for the first few members.
  const repos: GhRepo[] = [];
  const repoCount = Math.min(REPO_NAMES.length, Math.max(3, Math.ceil(ctx.people.all().length / 40)));
  const makeRepo = (name: string, ownerId: number, ownerType: GhRepo['ownerType']): GhRepo => {
    store.skipIds('repo', rng.int(1, 90_000));
    const createdAt = at(yearAgo - 700 * DAY_MS, yearAgo);
    const repo: GhRepo = {
      id: store.nextId('repo'),
      name,
      ownerId,
      ownerType,
      description: `The ${name.replace(/-/g, ' ')} of ${org.name}.`,
      private: ownerType === 'Organization' && rng.chance(0.5),
      language: rng.pick(LANGUAGES),
      topics: [],
      defaultBranch: 'main',
      createdAt,
      updatedAt: at(yearAgo, anchor),
      pushedAt: at(yearAgo, anchor),
      nextNumber: 1,
      deleted: false,
    };
    store.repos.set(repo.id, repo);
    return repo;
  };
  for (const name of REPO_NAMES.slice(0, repoCount)) repos.push(makeRepo(name, org.id, 'Organization'));
  for (const member of members.slice(0, 3)) makeRepo('dotfiles', member.id, 'User');

  // Issues, pull requests and comments by the people.
  const authors = members.length > 0 ? members : users;
  const outsiders = users.filter((user) => !members.includes(user));
  const issueCount = Math.min(10_000, Math.max(20, ctx.people.all().length * 2));
  for (let i = 0; i < issueCount && authors.length > 0; i++) {
    const repo = repos[rng.int(0, repos.length)] as GhRepo;
    const author = !repo.private && outsiders.length > 0 && rng.chance(0.2) ? rng.pick(outsiders) : rng.pick(authors);
    const createdAt = at(yearAgo, anchor - DAY_MS);
    const closed = rng.chance(0.55);
    const updatedAt = at(createdAt, anchor);
    store.skipIds('issue', rng.int(0, 3));
    const issue: GhIssue = {
      id: store.nextId('issue'),
      repoId: repo.id,
      number: repo.nextNumber++,
      title: `${rng.pick(VERBS)} ${rng.pick(OBJECTS)}`,
      body: rng.chance(0.85) ? `Steps to reproduce, context and links.\n\nReported by @${author.login}.` : null,
      state: closed ? 'closed' : 'open',
      stateReason: closed ? (rng.chance(0.85) ? 'completed' : 'not_planned') : null,
      userId: author.id,
      assigneeIds: rng.chance(0.5) ? [rng.pick(authors).id] : [],
      labels: rng.chance(0.7) ? [rng.pick(LABELS)] : [],
      isPullRequest: rng.chance(0.25),
      locked: false,
      createdAt,
      updatedAt,
      closedAt: closed ? updatedAt : null,
      deleted: false,
    };
    store.addIssue(issue);
    const commentTimes = Array.from({ length: rng.int(0, 4) }, () => at(createdAt, updatedAt)).sort((a, b) => a - b);
    for (const commentAt of commentTimes) {
      const comment: GhComment = {
        id: store.nextId('comment'),
        repoId: repo.id,
        issueNumber: issue.number,
        userId: rng.pick(authors).id,
        body: rng.pick(COMMENTS),
        createdAt: commentAt,
        updatedAt: commentAt,
        deleted: false,
      };
      store.addComment(comment);
    }
  }

  store.installations.set(41_000_001, { id: 41_000_001, orgId: org.id, createdAt: yearAgo });
}
