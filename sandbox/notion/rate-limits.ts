import type { SandboxContext, TokenGrant } from '../core/types.ts';
import { NotionApiError } from './errors.ts';

/**
 * Notion's request limits. The documented figure is "an average of three requests per
 * second" per connection with bursts allowed; the current page describes a fixed budget
 * per 60-second window per connection (so Retry-After ≤ 60 s) plus a per-workspace
 * budget shared by all connections (Retry-After can exceed a minute). The plan-specific
 * budgets are not published: 180/min per connection (= 3 req/s) and 2,700 per 5 min per
 * workspace are this simulator's figures. The `rate_limit_reason` values are not
 * published either; these names are ours.
 */
export const NOTION_LIMITS = {
  connection: { limit: 180, windowMs: 60_000, reason: 'connection_rate_limit' },
  workspace: { limit: 2_700, windowMs: 300_000, reason: 'workspace_rate_limit' },
} as const;

/** Throws Notion's 429 when a call exceeds the connection's or the workspace's budget. */
export function takeNotionLimits(ctx: SandboxContext, grant: TokenGrant): void {
  const rules = [
    { rule: { key: `notion:connection:${grant.clientId}:${grant.account}`, ...NOTION_LIMITS.connection }, reason: NOTION_LIMITS.connection.reason },
    { rule: { key: `notion:workspace:${grant.account}`, ...NOTION_LIMITS.workspace }, reason: NOTION_LIMITS.workspace.reason },
  ];
  for (const { rule, reason } of rules) {
    const decision = ctx.limits.take({ key: rule.key, limit: rule.limit, windowMs: rule.windowMs });
    if (!decision.allowed) {
      ctx.limits.recordRejection('notion');
      throw new NotionApiError(
        'rate_limited',
        'You have been rate limited. Please try again in a few minutes.',
        { rate_limit_reason: reason },
        { 'Retry-After': String(Math.max(1, Math.ceil(decision.retryAfterSeconds))) },
      );
    }
  }
}

