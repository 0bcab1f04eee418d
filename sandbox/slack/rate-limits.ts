/**
 * Slack's Web API rate limits: per method, per workspace, per app, in tiers (Tier 1:
 * 1/min, Tier 2: 20/min, Tier 3: 50/min, Tier 4: 100/min), and `chat.postMessage`'s
 * special limit of about one message a second per channel (modelled as 60 a minute, so
 * short bursts pass as on Slack). Non-Marketplace apps created after 2025-05-29 get
 * Tier 1 for `conversations.history` and `.replies` (methods/conversations.ts). All
 * scaled by `rateLimitScale` in the core. Exceeded: HTTP 429, `Retry-After: <seconds>`,
 * `{"ok":false,"error":"ratelimited"}`.
 *
 * Counter keys (for `PUT /_sandbox/limits` overrides): `slack:<method>:<team>:<client>`
 * and `slack:chat.postMessage:<team>:<client>:<channel>`.
 */
import type { SandboxContext } from '../core/types.ts';
import { SlackApiError } from './errors.ts';

export type SlackTier = 1 | 2 | 3 | 4 | 'post' | 'free';

const PER_MINUTE: Record<1 | 2 | 3 | 4, number> = { 1: 1, 2: 20, 3: 50, 4: 100 };

export function takeSlackLimit(ctx: SandboxContext, input: { method: string; tier: SlackTier; team: string; clientId: string; channel?: string }): void {
  if (input.tier === 'free') return;
  const rule =
    input.tier === 'post'
      ? { key: `slack:${input.method}:${input.team}:${input.clientId}:${input.channel ?? ''}`, limit: 60, windowMs: 60_000 }
      : { key: `slack:${input.method}:${input.team}:${input.clientId}`, limit: PER_MINUTE[input.tier], windowMs: 60_000 };
  const decision = ctx.limits.take(rule);
  if (decision.allowed) return;
  ctx.limits.recordRejection('slack');
  throw new SlackApiError('ratelimited', {}, 429, { 'retry-after': String(Math.max(1, decision.retryAfterSeconds)) });
}
