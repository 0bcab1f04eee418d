/**
 * The GitHub provider (REST; base URL `https://api.github.com`, or a GitHub Enterprise
 * Server's `https://HOST/api/v3`): repositories, issues (pull requests included, told
 * apart by their `pull_request` key) and issue comments.
 *
 * Plain HTTP through the context's ProviderHttp, not @octokit/rest: our HTTP client owns
 * auth, token refresh, rate limits, retries and the egress policy in one place, and
 * Octokit's own retry/throttling plugins and auth strategies would fight it.
 */
import type { Provider } from '../provider.ts';
import { GITHUB_AUTH } from './auth.ts';
import { classifyGithubError } from './errors.ts';
import { githubHealth, validateGithub } from './identity.ts';
import { issueCommentsObject } from './objects/issue-comments.ts';
import { issuesObject } from './objects/issues.ts';
import { repositoriesObject } from './objects/repositories.ts';
import { GITHUB_SCHEMAS } from './schema.ts';

export { GITHUB_AUTH, parseInstallationTokenResponse, parseTokenResponse, tokenErrorOf, type GithubInstallationToken, type GithubTokenResponse } from './auth.ts';
export { parseLinks, type GithubSettings } from './client.ts';
export { classifyGithubError, githubRetryAfterMs } from './errors.ts';
export { isPullRequest } from './objects/issues.ts';
export type { RepoWalkCursor } from './objects/repo-walk.ts';

/** The REST API version every request asks for. */
export const GITHUB_API_VERSION = '2022-11-28';

export const githubProvider: Provider = {
  id: 'github',
  label: 'GitHub',
  defaultBaseUrl: 'https://api.github.com',
  defaultAuthBaseUrl: 'https://github.com',
  auth: GITHUB_AUTH,
  objects: [repositoriesObject, issuesObject, issueCommentsObject],
  validate: validateGithub,
  discover: async () => GITHUB_SCHEMAS.map((schema) => ({ ...schema, fields: schema.fields.map((field) => ({ ...field })) })),
  health: githubHealth,
  classifyError: classifyGithubError,
  authHeaders: (accessToken) => ({
    authorization: `Bearer ${accessToken}`,
    accept: 'application/vnd.github+json',
    'x-github-api-version': GITHUB_API_VERSION,
  }),
};
export * from './webhooks.ts';
