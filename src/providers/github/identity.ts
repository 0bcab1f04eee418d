/**
 * Who a GitHub token belongs to (`validate`) and whether GitHub answers (`health`).
 *
 * A user token (OAuth, GitHub App user token, PAT) is `GET /user`. An installation token
 * cannot read `/user` (403 "Resource not accessible by integration"), so with
 * `settings.installationId`, or after that 403, the account is the owner of the
 * installation's repositories (`GET /installation/repositories`). health reads `GET
 * /rate_limit`, which does not spend the rate limit.
 */
import { isTributaryError } from '../../domain/errors.ts';
import type { AccountInfo, ProviderContext } from '../provider.ts';
import { asArray, asObject, settingsOf } from './client.ts';

async function validateInstallation(ctx: ProviderContext): Promise<AccountInfo> {
  const response = await ctx.http.request({ method: 'GET', path: 'installation/repositories', query: { per_page: 1 }, operation: 'read', bucket: 'core' });
  const body = asObject(response.body, 'installation repositories');
  const first = asArray(body.repositories, 'installation repositories')[0];
  const owner = (first?.owner ?? null) as Record<string, unknown> | null;
  const installationId = settingsOf(ctx).installationId;
  return {
    accountId: owner ? String(owner.id) : `installation:${String(installationId ?? 'unknown')}`,
    name: typeof owner?.login === 'string' ? owner.login : `installation ${String(installationId ?? '')}`.trim(),
    details: {
      kind: 'installation',
      installationId: installationId ?? null,
      ownerType: owner?.type ?? null,
      repositorySelection: body.repository_selection ?? null,
      repositoryCount: body.total_count ?? null,
    },
  };
}

export async function validateGithub(ctx: ProviderContext): Promise<AccountInfo> {
  if (settingsOf(ctx).installationId !== undefined) return validateInstallation(ctx);
  try {
    const response = await ctx.http.request({ method: 'GET', path: 'user', operation: 'read', bucket: 'core' });
    const user = asObject(response.body, 'the user');
    return {
      accountId: String(user.id),
      name: typeof user.login === 'string' ? user.login : String(user.id),
      details: {
        kind: 'user',
        login: user.login ?? null,
        name: user.name ?? null,
        type: user.type ?? null,
        scopes: (response.headers['x-oauth-scopes'] ?? '').split(',').map((s) => s.trim()).filter(Boolean),
      },
    };
  } catch (error) {
    if (isTributaryError(error) && error.details?.status === 403 && /not accessible by integration/i.test(String(error.details.message ?? ''))) {
      return validateInstallation(ctx);
    }
    throw error;
  }
}

export async function githubHealth(ctx: ProviderContext): Promise<{ ok: boolean; detail?: string }> {
  const response = await ctx.http.request({ method: 'GET', path: 'rate_limit', operation: 'read', bucket: 'rate_limit' });
  const core = (asObject(asObject(response.body, 'rate_limit').resources ?? {}, 'rate_limit').core ?? null) as { remaining?: number; limit?: number; reset?: number } | null;
  if (!core || typeof core.remaining !== 'number') return { ok: true, detail: 'rate_limit answered without a core budget' };
  return { ok: core.remaining > 0, detail: `${core.remaining} of ${core.limit ?? '?'} core requests left this hour` };
}
