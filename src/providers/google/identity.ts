/**
 * Who a Google credential is: `GET /v1/people/me?personFields=names,emailAddresses`
 * (the account's email is its id). The same cheap call is the health check.
 */
import { TributaryError } from '../../domain/errors.ts';
import type { AccountInfo, ProviderContext } from '../provider.ts';
import { PEOPLE, PEOPLE_API, googleCall } from './client.ts';

type Me = { resourceName?: string; names?: { displayName?: string; givenName?: string; familyName?: string }[]; emailAddresses?: { value?: string }[] };

function whoAmI(ctx: ProviderContext): Promise<Me> {
  return googleCall<Me>(ctx, { method: 'GET', api: PEOPLE, path: `${PEOPLE_API}people/me`, query: { personFields: 'names,emailAddresses' }, operation: 'read' });
}

export async function validateGoogle(ctx: ProviderContext): Promise<AccountInfo> {
  const me = await whoAmI(ctx);
  const email = me.emailAddresses?.find((e) => typeof e.value === 'string')?.value;
  if (!email) throw new TributaryError('PROVIDER_REJECTED', 'Google answered people/me without an email address', { details: { provider: 'google' } });
  const n = me.names?.[0];
  const name = n?.displayName ?? ([n?.givenName, n?.familyName].filter(Boolean).join(' ') || email);
  return { accountId: email, name, details: { email, resourceName: me.resourceName ?? 'people/me' } };
}

export async function googleHealth(ctx: ProviderContext): Promise<{ ok: boolean; detail?: string }> {
  try {
    await whoAmI(ctx);
    return { ok: true };
  } catch (error) {
    return { ok: false, detail: error instanceof Error ? error.message : String(error) };
  }
}
