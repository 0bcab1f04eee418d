/**
 * Who a Salesforce token belongs to (`validate`) and whether the org answers (`health`).
 *
 * validate reads `services/oauth2/userinfo` (the OpenID userinfo, or the identity URL's
 * shape: both carry `organization_id` and `user_id`), then the org's name with `SELECT
 * Id, Name FROM Organization`; an org that refuses that query (no permission) is named
 * after the user instead. health reads `limits` (DailyApiRequests).
 */
import { isTributaryError } from '../../domain/errors.ts';
import type { AccountInfo, ProviderContext } from '../provider.ts';
import { asObject, dataPath } from './client.ts';

const str = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

async function orgName(ctx: ProviderContext): Promise<string | undefined> {
  try {
    const response = await ctx.http.request({ method: 'GET', path: dataPath('query/'), query: { q: 'SELECT Id, Name FROM Organization' }, operation: 'read', bucket: 'query' });
    const rows = asObject(response.body, 'the Organization query').records;
    return Array.isArray(rows) ? str((rows[0] as Record<string, unknown> | undefined)?.Name) : undefined;
  } catch (error) {
    // Auth and availability failures are real; a refused query only costs us the name.
    if (isTributaryError(error) && (error.category === 'bad_data' || error.code === 'PROVIDER_REJECTED')) return undefined;
    throw error;
  }
}

export async function validateSalesforce(ctx: ProviderContext): Promise<AccountInfo> {
  const response = await ctx.http.request({ method: 'GET', path: 'services/oauth2/userinfo', operation: 'read', bucket: 'identity' });
  const who = asObject(response.body, 'userinfo');
  const orgId = str(who.organization_id);
  const userId = str(who.user_id);
  const username = str(who.preferred_username) ?? str(who.username);
  const userName = str(who.name) ?? str(who.display_name) ?? username;
  const name = (await orgName(ctx)) ?? userName ?? orgId ?? 'Salesforce org';
  return {
    accountId: orgId ?? 'unknown',
    name,
    details: { orgId, userId, username, userName, identityUrl: str(who.sub) ?? str(who.id) },
  };
}

export async function salesforceHealth(ctx: ProviderContext): Promise<{ ok: boolean; detail?: string }> {
  const response = await ctx.http.request({ method: 'GET', path: dataPath('limits'), operation: 'read', bucket: 'limits' });
  const daily = asObject(response.body, 'limits').DailyApiRequests as { Max?: unknown; Remaining?: unknown } | undefined;
  const remaining = Number(daily?.Remaining);
  const max = Number(daily?.Max);
  if (!Number.isFinite(remaining) || !Number.isFinite(max)) return { ok: true, detail: 'limits answered without DailyApiRequests' };
  return { ok: remaining > 0, detail: `${remaining} of ${max} daily API requests left` };
}
