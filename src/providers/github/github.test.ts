/**
 * The GitHub provider against the sandbox's GitHub simulator over real HTTP.
 *
 * Calls go through the real client (test/fixtures/provider-sandbox.ts): static token,
 * one attempt, no refresh.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createGithubSimulator } from '../../../sandbox/github/index.ts';
import { providerSandboxes } from '../../../test/fixtures/provider-sandbox.ts';
import { TributaryError } from '../../domain/errors.ts';
import type { ChangePage, Cursor, ExternalRecord, ProviderContext } from '../provider.ts';
import { githubProvider, isPullRequest, parseTokenResponse } from './index.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const sandboxes = providerSandboxes();
afterEach(() => sandboxes.closeAll());

async function start(settings: Record<string, unknown> = {}, account?: string) {
  const running = await sandboxes.start({ provider: githubProvider, sandbox: { providers: [createGithubSimulator()], size: 60, seed: 7 }, path: 'github', settings, mint: account ? { account } : {} });
  const { base, control, ctx, exchanges: log, mint, setToken } = running;
  return { base, control, ctx, log, mint, setToken };
}

const object = (name: string) => {
  const found = githubProvider.objects.find((o) => o.name === name);
  if (!found) throw new Error(`no object ${name}`);
  return found;
};

async function walk(ctx: ProviderContext, name: string, cursor: Cursor | null, pageSize?: number): Promise<{ pages: ChangePage[]; records: ExternalRecord[]; cursor: Cursor }> {
  const pages: ChangePage[] = [];
  let current = cursor;
  for (;;) {
    const page = await object(name).readPage(ctx, current, pageSize === undefined ? {} : { pageSize });
    pages.push(page);
    current = JSON.parse(JSON.stringify(page.cursor)) as Cursor; // what the engine stores
    if (page.done) break;
    expect(pages.length).toBeLessThan(200);
  }
  return { pages, records: pages.flatMap((p) => p.records), cursor: current as Cursor };
}

async function failure(promise: Promise<unknown>): Promise<TributaryError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(TributaryError);
    return error as TributaryError;
  }
  throw new Error('expected a failure');
}

const liveIssues = async (control: (path: string) => Promise<Json>) => (await control('/github/issues?limit=10000')).records as Json[];

describe('github provider', () => {
  it('validates a user token as the user and an installation token as the installation owner', async () => {
    const s = await start();
    const account = await githubProvider.validate(s.ctx);
    const settings = await s.control('/github/settings');
    expect(account).toMatchObject({ name: settings.defaultLogin, details: { kind: 'user', login: settings.defaultLogin } });
    expect(account.accountId).toMatch(/^\d+$/);
    expect(await githubProvider.health(s.ctx)).toMatchObject({ ok: true, detail: expect.stringMatching(/core requests left/) });

    const app = await s.control('/github/app');
    s.setToken((await s.mint({ account: `installation:${app.installationId}` })).accessToken);
    const installation = await githubProvider.validate(s.ctx);
    expect(installation.details).toMatchObject({ kind: 'installation', ownerType: 'Organization' });
    expect(installation.name).toBe('quartzindustries');
  });

  it('discovers the static schemas of repositories, issues and issue comments', async () => {
    const schemas = await githubProvider.discover({} as ProviderContext);
    expect(schemas.map((s) => s.name)).toEqual(['repositories', 'issues', 'issue_comments']);
    expect(schemas[1]!.fields.find((f) => f.name === 'title')).toMatchObject({ required: true, type: 'string' });
    expect(schemas[1]!.capabilities).toMatchObject({ incremental: true, deletions: 'webhook', delete: false });
  });

  it('lists every repository of the user through Link pages', async () => {
    const s = await start();
    const result = await walk(s.ctx, 'repositories', null, 1);
    expect(result.pages.length).toBeGreaterThan(1);
    const names = result.records.map((r) => r.id);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toContain('quartzindustries/api');
    expect(await object('repositories').fetchOne(s.ctx, 'quartzindustries/api')).toMatchObject({ id: 'quartzindustries/api', data: { name: 'api' } });
    expect(await object('repositories').fetchOne(s.ctx, 'quartzindustries/nope')).toBeNull();

    const org = { ...s.ctx, connection: { ...s.ctx.connection, settings: { org: 'quartzindustries' } } };
    const orgRepos = (await walk(org, 'repositories', null)).records.map((r) => r.id);
    expect(orgRepos.sort()).toEqual(names.filter((n) => n.startsWith('quartzindustries/')).sort());
    expect(s.log.some((e) => e.request.path === 'orgs/quartzindustries/repos')).toBe(true);

    const app = await s.control('/github/app');
    s.setToken((await s.mint({ account: `installation:${app.installationId}` })).accessToken);
    const installation = { ...s.ctx, connection: { ...s.ctx.connection, settings: { installationId: app.installationId } } };
    expect((await walk(installation, 'repositories', null)).records.map((r) => r.id).sort()).toEqual(orgRepos);
    expect((await walk(installation, 'issues', null)).records.length).toBe((await liveIssues(s.control)).length);
  });

  it('walks every issue and pull request of every repository exactly once', async () => {
    const s = await start();
    const truth = await liveIssues(s.control);
    const result = await walk(s.ctx, 'issues', null, 10);
    const ids = result.records.map((r) => r.id);
    expect(ids.length).toBe(truth.length);
    expect(new Set(ids)).toEqual(new Set(truth.map((i) => `${/repos\/([^/]+\/[^/]+)/.exec(i.repository_url)![1]}#${i.number}`)));
    const prs = result.records.filter(isPullRequest);
    expect(prs.length).toBe(truth.filter((i) => i.pull_request).length);
    expect(prs.length).toBeGreaterThan(0);

    const withoutPrs = await start({ includePullRequests: false });
    const issuesOnly = await walk(withoutPrs.ctx, 'issues', null, 100);
    expect(issuesOnly.records.length).toBe(truth.length - prs.length);
    expect(issuesOnly.records.some(isPullRequest)).toBe(false);
  });

  it('reads exactly the changed issues next time, and answers 304s when nothing changed', async () => {
    const s = await start({ repositories: ['quartzindustries/api', 'quartzindustries/web-app'] });
    const first = await walk(s.ctx, 'issues', null, 10);
    expect(first.records.every((r) => /^quartzindustries\/(api|web-app)#\d+$/.test(r.id))).toBe(true);
    const [a, b] = [first.records[0]!, first.records.find((r) => r.id.startsWith('quartzindustries/web-app'))!];
    await s.control('/clock/advance', 'POST', { ms: 5_000 });
    await s.control(`/github/issues/${encodeURIComponent(a.id)}`, 'PATCH', { title: 'Renamed by a person' });
    await s.control(`/github/issues/${encodeURIComponent(b.id)}`, 'PATCH', { state: 'closed' });
    const created = await s.control('/github/issues', 'POST', { repo: 'quartzindustries/api', title: 'Brand new' });
    const second = await walk(s.ctx, 'issues', first.cursor, 10);
    expect(second.records.map((r) => r.id).sort()).toEqual([a.id, b.id, `quartzindustries/api#${created.number}`].sort());
    expect(second.records.find((r) => r.id === a.id)?.data.title).toBe('Renamed by a person');

    // Nothing changed since: the (repeated) boundary read is not delivered again ...
    const third = await walk(s.ctx, 'issues', second.cursor, 10);
    expect(third.records).toEqual([]);
    // ... and once the ETags match, each repository costs one free 304.
    s.log.length = 0;
    const fourth = await walk(s.ctx, 'issues', third.cursor, 10);
    expect(fourth.records).toEqual([]);
    expect(s.log.map((e) => e.status)).toEqual([304, 304]);
    expect(s.log.every((e) => e.request.headers?.['if-none-match'])).toBe(true);
  });

  it('keeps paging correctly when an issue is edited in the middle of a walk', async () => {
    const s = await start({ repositories: ['quartzindustries/infrastructure'] });
    const truth = (await liveIssues(s.control)).filter((i) => i.repository_url.endsWith('/quartzindustries/infrastructure'));
    const firstPage = await object('issues').readPage(s.ctx, null, { pageSize: 10 });
    // A person edits an issue already read: it moves to the end of the updated-asc list.
    await s.control('/clock/advance', 'POST', { ms: 2_000 });
    await s.control(`/github/issues/${encodeURIComponent(firstPage.records[0]!.id)}`, 'PATCH', { title: 'Edited mid-walk' });
    const rest = await walk(s.ctx, 'issues', firstPage.cursor, 10);
    const seen = new Set([...firstPage.records, ...rest.records].map((r) => r.id));
    expect(seen.size).toBe(truth.length);
    expect(rest.records.find((r) => r.id === firstPage.records[0]!.id)?.data.title).toBe('Edited mid-walk');
  });

  it('reads new and edited issue comments incrementally', async () => {
    const s = await start({ repositories: ['quartzindustries/api'] });
    const first = await walk(s.ctx, 'issue_comments', null, 25);
    const total = (await s.control('/github/comments?limit=10000')).records.filter((c: Json) => c.issue_url.includes('/quartzindustries/api/')).length;
    expect(first.records.length).toBe(total);
    await s.control('/clock/advance', 'POST', { ms: 3_000 });
    const commentId = Number(first.records[0]!.id.split('/').pop());
    await s.control(`/github/comments/${commentId}`, 'PATCH', { body: 'edited' });
    const created = await s.control('/github/comments', 'POST', { repo: 'quartzindustries/api', issue_number: 1, body: 'hello' });
    const second = await walk(s.ctx, 'issue_comments', first.cursor, 25);
    expect(second.records.map((r) => r.id).sort()).toEqual([`quartzindustries/api/comments/${commentId}`, `quartzindustries/api/comments/${created.id}`].sort());
  });

  it('fetches one issue, and null for a deleted or unknown one', async () => {
    const s = await start();
    const issue = await object('issues').fetchOne(s.ctx, 'quartzindustries/api#1');
    expect(issue).toMatchObject({ id: 'quartzindustries/api#1', data: { number: 1 } });
    expect(issue?.version).toMatch(/Z$/);
    await s.control(`/github/issues/${encodeURIComponent('quartzindustries/api#1')}`, 'DELETE');
    expect(await object('issues').fetchOne(s.ctx, 'quartzindustries/api#1')).toBeNull();
    expect(await object('issues').fetchOne(s.ctx, 'quartzindustries/api#9999')).toBeNull();
    await expect(object('issues').fetchOne(s.ctx, 'not-an-id')).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('creates and updates issues and comments, refusing a stale version with CONFLICT', async () => {
    const s = await start();
    const issues = object('issues');
    const created = await issues.create!(s.ctx, { repo: 'quartzindustries/api', title: 'From Tributary', body: 'synced', labels: ['bug'] });
    expect(created.id).toMatch(/^quartzindustries\/api#\d+$/);
    expect(created.data).toMatchObject({ title: 'From Tributary', state: 'open' });
    await s.control('/clock/advance', 'POST', { ms: 2_000 });
    const closed = await issues.update!(s.ctx, created.id, { state: 'closed' }, { expectedVersion: created.version });
    expect(closed.data.state).toBe('closed');
    await s.control('/clock/advance', 'POST', { ms: 2_000 });
    await s.control(`/github/issues/${encodeURIComponent(created.id)}`, 'PATCH', { title: 'Changed by a person' });
    const stale = await failure(issues.update!(s.ctx, created.id, { state: 'open' }, { expectedVersion: closed.version }));
    expect(stale.code).toBe('CONFLICT');

    const comments = object('issue_comments');
    const comment = await comments.create!(s.ctx, { repo: 'quartzindustries/api', issue_number: created.data.number, body: 'first!' });
    expect(comment.id).toMatch(/^quartzindustries\/api\/comments\/\d+$/);
    const edited = await comments.update!(s.ctx, comment.id, { body: 'second!' }, { expectedVersion: comment.version });
    expect(edited.data.body).toBe('second!');
    await comments.delete!(s.ctx, comment.id);
    expect(await comments.fetchOne(s.ctx, comment.id)).toBeNull();
  });

  it('classifies the sandbox answers: bad credentials, rate limits, validation, not found', async () => {
    const s = await start();
    const invalid = await failure(object('issues').create!(s.ctx, { repo: 'quartzindustries/api', title: '' }));
    expect(invalid).toMatchObject({ code: 'PROVIDER_BAD_DATA', field: 'title' });
    expect(invalid.details?.errors).toEqual([expect.objectContaining({ code: 'missing_field', field: 'title' })]);
    const missing = await failure(object('issues').create!(s.ctx, { repo: 'quartzindustries/nope', title: 'x' }));
    expect(missing.code).toBe('PROVIDER_REJECTED');

    await s.control('/faults', 'POST', { provider: 'github', kind: 'status', status: 429, count: 1, retryAfterSeconds: 42 });
    const secondary = await failure(githubProvider.validate(s.ctx));
    expect(secondary).toMatchObject({ code: 'PROVIDER_RATE_LIMITED', retryAfterMs: 42_000 });

    await s.control('/limits', 'PUT', { keyPrefix: 'github:core', limit: 1 });
    await githubProvider.validate(s.ctx).catch(() => undefined);
    const primary = await failure(githubProvider.validate(s.ctx));
    expect(primary.code).toBe('PROVIDER_RATE_LIMITED');
    expect(primary.retryAfterMs).toBeGreaterThan(0);
    expect(primary.retryAfterMs).toBeLessThanOrEqual(3_601_000); // until x-ratelimit-reset, within the hour
    await s.control('/limits', 'PUT', { keyPrefix: 'github:core', limit: null });

    await s.control('/faults', 'POST', { provider: 'github', kind: 'status', status: 502, count: 1 });
    expect((await failure(githubProvider.validate(s.ctx))).code).toBe('PROVIDER_UNAVAILABLE');

    const shortLived = (await s.mint({ accessSeconds: 1 })).accessToken;
    s.setToken(shortLived);
    await s.control('/clock/advance', 'POST', { ms: 5_000 });
    const expired = await failure(githubProvider.validate(s.ctx));
    expect(expired).toMatchObject({ code: 'PROVIDER_AUTH_FAILED', category: 'auth' });
    expect(expired.message).not.toContain(shortLived);
  });

  it('turns the token endpoint\'s HTTP 200 errors into auth errors, in JSON and form encoding', async () => {
    const s = await start();
    const app = await s.control('/github/app');
    for (const accept of ['application/json', '']) {
      const res = await fetch(`${s.base}/github/login/oauth/access_token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...(accept ? { accept } : {}) },
        body: new URLSearchParams({ client_id: app.clientId, client_secret: 'wrong', grant_type: 'refresh_token', refresh_token: 'ghr_not_a_token' }).toString(),
      });
      expect(res.status).toBe(200);
      const text = await res.text();
      const body = accept ? JSON.parse(text) : text;
      const error = (() => {
        try {
          parseTokenResponse({ status: res.status, body });
        } catch (thrown) {
          return thrown as TributaryError;
        }
        throw new Error('expected a failure');
      })();
      expect(error).toMatchObject({ code: 'PROVIDER_AUTH_FAILED' });
      expect(error.details?.oauthError).toMatch(/^(bad_refresh_token|incorrect_client_credentials)$/);
    }
    expect(parseTokenResponse({ status: 200, body: 'access_token=ghu_abc&expires_in=28800&refresh_token=ghr_def&refresh_token_expires_in=15811200&scope=&token_type=bearer' })).toEqual({
      accessToken: 'ghu_abc',
      tokenType: 'bearer',
      scopes: [],
      expiresIn: 28800,
      refreshToken: 'ghr_def',
      refreshTokenExpiresIn: 15811200,
    });
  });
});
