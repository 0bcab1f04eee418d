import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox } from '../index.ts';
import type { Sandbox } from '../index.ts';
import { createGithubSimulator } from './index.ts';

let sandbox: Sandbox;
let base: string;
let auth: Record<string, string>;
let repo: string;

async function control(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${base}/_sandbox${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? null : JSON.stringify(body),
  });
  expect(response.status).toBeLessThan(300);
  return (await response.json()) as Record<string, unknown>;
}

/** Follows `Link: <...>; rel="next"` until the last page, as a GitHub client does. */
async function walk(url: string): Promise<{ items: Record<string, unknown>[]; pages: number }> {
  const items: Record<string, unknown>[] = [];
  let next: string | null = url;
  let pages = 0;
  while (next) {
    const response: Response = await fetch(next, { headers: auth });
    expect(response.status).toBe(200);
    items.push(...((await response.json()) as Record<string, unknown>[]));
    pages += 1;
    next = /<([^>]+)>;\s*rel="next"/.exec(response.headers.get('link') ?? '')?.[1] ?? null;
  }
  return { items, pages };
}

beforeAll(async () => {
  sandbox = await createSandbox({ providers: [createGithubSimulator()], seed: 7, size: 120 });
  base = await sandbox.listen(0);
  const tokens = await control('POST', '/tokens', { provider: 'github' });
  auth = { authorization: `Bearer ${String(tokens.accessToken)}` };
  const repos = (await (await fetch(`${base}/github/user/repos?per_page=100`, { headers: auth })).json()) as { full_name: string; owner: { type: string } }[];
  // The org repository with the most issues, so that pagination has several pages.
  const issues = (await control('GET', '/github/issues?limit=10000')).records as { repository_url: string }[];
  const counts = repos
    .filter((candidate) => candidate.owner.type === 'Organization')
    .map((candidate) => ({ name: candidate.full_name, total: issues.filter((issue) => issue.repository_url.endsWith(`/repos/${candidate.full_name}`)).length }));
  repo = counts.sort((a, b) => b.total - a.total)[0]?.name ?? '';
});

afterAll(async () => {
  await sandbox?.close();
});

describe('GitHub reads', () => {
  it('walks every issue and pull request of a repository exactly once through Link headers', async () => {
    const truth = ((await control('GET', '/github/issues?limit=10000')).records as { id: number; repository_url: string }[]).filter((issue) =>
      issue.repository_url.endsWith(`/repos/${repo}`),
    );
    expect(truth.length).toBeGreaterThan(20);
    const { items, pages } = await walk(`${base}/github/repos/${repo}/issues?state=all&per_page=7`);
    expect(pages).toBe(Math.ceil(truth.length / 7));
    const ids = items.map((issue) => issue.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(ids)).toEqual(new Set(truth.map((issue) => issue.id)));
    expect(items.some((issue) => 'pull_request' in issue)).toBe(true);
    expect(items.some((issue) => !('pull_request' in issue))).toBe(true);
  });

  it('links first, prev, next and last the way GitHub does on a middle page', async () => {
    const response = await fetch(`${base}/github/repos/${repo}/issues?state=all&per_page=5&page=2`, { headers: auth });
    const link = response.headers.get('link') ?? '';
    expect(link).toMatch(/<[^>]+[?&]page=3[^>]*>; rel="next"/);
    expect(link).toMatch(/<[^>]+[?&]page=1[^>]*>; rel="first"/);
    expect(link).toMatch(/<[^>]+[?&]page=1[^>]*>; rel="prev"/);
    expect(link).toMatch(/rel="last"/);
    expect(link).toContain('per_page=5');
    expect(link).toContain('state=all');
  });

  it('returns exactly the changed issues after `since`, and a deleted issue only disappears (410 on direct GET)', async () => {
    const before = await walk(`${base}/github/repos/${repo}/issues?state=all&per_page=100`);
    const [first, second, third] = before.items as { number: number; id: number }[];
    await control('POST', '/clock/advance', { ms: 5_000 });
    const since = new Date(sandbox.ctx.clock.now()).toISOString();
    await control('POST', '/clock/advance', { ms: 2_000 });

    const created = await control('POST', '/github/issues', { repo, title: 'Sync stops after token refresh', body: 'Seen twice today.' });
    await control('PATCH', `/github/issues/${encodeURIComponent(`${repo}#${first?.number}`)}`, { title: 'Renamed by a person' });
    await control('PATCH', `/github/issues/${second?.id}`, { state: 'closed' });
    await control('DELETE', `/github/issues/${third?.id}`);

    const { items } = await walk(`${base}/github/repos/${repo}/issues?state=all&sort=updated&direction=asc&since=${encodeURIComponent(since)}&per_page=2`);
    expect(new Set(items.map((issue) => issue.id))).toEqual(new Set([created.id, first?.id, second?.id]));
    expect(items.find((issue) => issue.id === first?.id)?.title).toBe('Renamed by a person');
    expect(items.find((issue) => issue.id === second?.id)?.state).toBe('closed');

    const after = await walk(`${base}/github/repos/${repo}/issues?state=all&per_page=100`);
    expect(after.items.map((issue) => issue.id)).not.toContain(third?.id);
    expect(after.items).toHaveLength(before.items.length);

    const gone = await fetch(`${base}/github/repos/${repo}/issues/${third?.number}`, { headers: auth });
    expect(gone.status).toBe(410);
    expect(await gone.json()).toMatchObject({ message: 'This issue was deleted' });
  });

  it('answers a conditional GET with 304 without spending the primary rate limit', async () => {
    const url = `${base}/github/repos/${repo}/issues?per_page=10`;
    const first = await fetch(url, { headers: auth });
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^W\/"[0-9a-f]+"$/);
    const remaining = Number(first.headers.get('x-ratelimit-remaining'));

    const again = await fetch(url, { headers: { ...auth, 'if-none-match': etag ?? '' } });
    expect(again.status).toBe(304);
    expect(Number(again.headers.get('x-ratelimit-remaining'))).toBe(remaining);
    expect(again.headers.get('etag')).toBe(etag);

    await control('POST', '/github/issues', { repo, title: 'A change invalidates the ETag' });
    const changed = await fetch(url, { headers: { ...auth, 'if-none-match': etag ?? '' } });
    expect(changed.status).toBe(200);
    expect(Number(changed.headers.get('x-ratelimit-remaining'))).toBe(remaining - 1);
  });

  it('answers If-Modified-Since from Last-Modified with 304', async () => {
    const url = `${base}/github/repos/${repo}`;
    const first = await fetch(url, { headers: auth });
    const lastModified = first.headers.get('last-modified') ?? '';
    expect(Date.parse(lastModified)).not.toBeNaN();
    expect((await fetch(url, { headers: { ...auth, 'if-modified-since': lastModified } })).status).toBe(304);
    const older = new Date(Date.parse(lastModified) - 60_000).toUTCString();
    expect((await fetch(url, { headers: { ...auth, 'if-modified-since': older } })).status).toBe(200);
  });

  it('serves public data without a token at 60 requests an hour, and hides private repositories', async () => {
    const repos = (await control('GET', '/github/repos?limit=100')).records as { full_name: string; private: boolean }[];
    const publicRepo = repos.find((candidate) => !candidate.private);
    const privateRepo = repos.find((candidate) => candidate.private) ?? ((await control('POST', '/github/repos', { name: 'secret-plans', private: true })) as { full_name: string });
    const open = await fetch(`${base}/github/repos/${publicRepo?.full_name}`);
    expect(open.status).toBe(200);
    expect(open.headers.get('x-ratelimit-limit')).toBe('60');
    expect(privateRepo).toBeDefined();
    expect((await fetch(`${base}/github/repos/${privateRepo?.full_name}`)).status).toBe(404);
    const write = await fetch(`${base}/github/repos/${publicRepo?.full_name}/issues`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"title":"x"}' });
    expect(write.status).toBe(401);
    expect(await write.json()).toMatchObject({ message: 'Requires authentication' });
    expect((await fetch(`${base}/github/user`)).status).toBe(401);
  });

  it('creates, updates and closes issues and comments through the REST API, with GitHub validation errors', async () => {
    const post = (path: string, body: unknown, method = 'POST') =>
      fetch(`${base}/github${path}`, { method, headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const missing = await post(`/repos/${repo}/issues`, { body: 'no title' });
    expect(missing.status).toBe(422);
    expect(await missing.json()).toMatchObject({ message: 'Validation Failed', errors: [{ resource: 'Issue', code: 'missing_field', field: 'title' }] });

    const created = await post(`/repos/${repo}/issues`, { title: 'Created through REST', labels: ['bug'] });
    expect(created.status).toBe(201);
    const issue = (await created.json()) as { number: number; state: string; labels: { name: string }[] };
    expect(issue.labels.map((label) => label.name)).toEqual(['bug']);

    const comment = await post(`/repos/${repo}/issues/${issue.number}/comments`, { body: 'First!' });
    expect(comment.status).toBe(201);
    const closed = await post(`/repos/${repo}/issues/${issue.number}`, { state: 'closed', state_reason: 'not_planned' }, 'PATCH');
    expect(await closed.json()).toMatchObject({ state: 'closed', state_reason: 'not_planned', comments: 1 });

    const comments = await walk(`${base}/github/repos/${repo}/issues/${issue.number}/comments`);
    expect(comments.items.map((item) => item.body)).toEqual(['First!']);
  });

  it('serves users with profile data and records ground truth for each of them', async () => {
    const truth = sandbox.ctx.truth.entries().filter((entry) => entry.provider === 'github' && entry.object === 'users');
    expect(truth.length).toBeGreaterThan(10);
    const { records } = (await control('GET', '/github/users?limit=1000')) as { records: { id: number; login: string }[] };
    const sample = records.find((user) => String(user.id) === truth[0]?.externalId);
    expect(sample).toBeDefined();
    const response = await fetch(`${base}/github/users/${sample?.login}`, { headers: auth });
    expect(await response.json()).toMatchObject({ login: sample?.login, type: 'User', id: sample?.id });
    const person = sandbox.ctx.people.byTruthId(truth[0]?.truthId ?? '');
    expect(person?.githubLogin).toBe(sample?.login);
  });

  it('generates the same users, repositories and issues from the same seed and size', async () => {
    const snapshot = (sandboxToRead: Sandbox) => {
      const sim = sandboxToRead.core.simulators[0];
      const users = (sim?.control.list('users', { limit: 10_000, offset: 0 }).records ?? []) as { id: number; login: string; name: string | null }[];
      const repos = (sim?.control.list('repos', { limit: 10_000, offset: 0 }).records ?? []) as { id: number; full_name: string }[];
      const issues = (sim?.control.list('issues', { limit: 10_000, offset: 0 }).records ?? []) as { id: number; number: number; title: string }[];
      return {
        users: users.map((user) => [user.id, user.login, user.name]),
        repos: repos.map((repo) => [repo.id, repo.full_name]),
        issues: issues.map((issue) => [issue.id, issue.number, issue.title]),
      };
    };
    const first = await createSandbox({ providers: [createGithubSimulator()], seed: 7, size: 120 });
    const second = await createSandbox({ providers: [createGithubSimulator()], seed: 7, size: 120 });
    const other = await createSandbox({ providers: [createGithubSimulator()], seed: 8, size: 120 });
    try {
      expect(snapshot(first)).toEqual(snapshot(second));
      expect(snapshot(other).users).not.toEqual(snapshot(first).users);
    } finally {
      await Promise.all([first.close(), second.close(), other.close()]);
    }
  });
});
