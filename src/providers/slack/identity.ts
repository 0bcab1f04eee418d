/**
 * Who a Slack token is: `auth.test` answers the workspace (`team_id`, `team`), the user
 * (`user_id`, `user`) and, for bot tokens, `bot_id`. The same call is the health check.
 */
import type { AccountInfo, ProviderContext } from '../provider.ts';
import { slackRead } from './client.ts';

type AuthTest = { team_id?: string; team?: string; user?: string; user_id?: string; bot_id?: string; url?: string; enterprise_id?: string | null; is_enterprise_install?: boolean };

export async function validateSlack(ctx: ProviderContext): Promise<AccountInfo> {
  const me = await slackRead<AuthTest>(ctx, 'auth.test');
  return {
    accountId: me.team_id ?? '',
    name: me.team ?? me.team_id ?? '',
    details: { team: me.team ?? null, user: me.user ?? null, userId: me.user_id ?? null, botId: me.bot_id ?? null, url: me.url ?? null, enterpriseId: me.enterprise_id ?? null },
  };
}

export async function slackHealth(ctx: ProviderContext): Promise<{ ok: boolean; detail?: string }> {
  try {
    await slackRead(ctx, 'auth.test');
    return { ok: true };
  } catch (error) {
    return { ok: false, detail: error instanceof Error ? error.message : String(error) };
  }
}
