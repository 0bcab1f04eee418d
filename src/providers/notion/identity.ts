/**
 * Who a Notion credential is: `GET /v1/users/me` answers the integration's bot user,
 * with its workspace name (and, for OAuth, the owner).
 */
import { TributaryError } from '../../domain/errors.ts';
import type { AccountInfo, ProviderContext } from '../provider.ts';
import { notionCall } from './client.ts';

type BotUser = { id: string; name?: string | null; type?: string; bot?: { owner?: Record<string, unknown>; workspace_name?: string | null; workspace_id?: string } };

export async function validateNotion(ctx: ProviderContext): Promise<AccountInfo> {
  const me = await notionCall<BotUser>(ctx, { method: 'GET', path: 'v1/users/me', operation: 'read' });
  if (typeof me.id !== 'string') throw new TributaryError('PROVIDER_REJECTED', 'Notion answered /v1/users/me without a user id', { details: { provider: 'notion' } });
  const workspace = me.bot?.workspace_name ?? null;
  return {
    // The workspace id is not in /users/me (only in the OAuth token answer); the bot id is stable per workspace.
    accountId: me.bot?.workspace_id ?? me.id,
    name: workspace ?? me.name ?? me.id,
    details: { botId: me.id, botName: me.name ?? null, workspaceName: workspace, owner: me.bot?.owner ?? null },
  };
}

export async function notionHealth(ctx: ProviderContext): Promise<{ ok: boolean; detail?: string }> {
  try {
    await notionCall(ctx, { method: 'GET', path: 'v1/users/me', operation: 'read' });
    return { ok: true };
  } catch (error) {
    return { ok: false, detail: error instanceof Error ? error.message : String(error) };
  }
}
