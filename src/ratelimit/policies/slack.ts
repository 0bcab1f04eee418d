import type { RateCall, RateLimitPolicy } from '../types.ts';

const MINUTE = 60_000;

/** Slack's documented tier of common methods (providers.md §2); unknown methods count as Tier 3. */
export const SLACK_METHOD_TIERS: Readonly<Record<string, 1 | 2 | 3 | 4>> = {
  'conversations.list': 2,
  'conversations.history': 3,
  'conversations.replies': 3,
  'conversations.info': 3,
  'users.list': 2,
  'users.info': 4,
  'users.lookupByEmail': 3,
  'team.info': 3,
  'auth.test': 4,
  'chat.update': 3,
  'chat.delete': 3,
};

export function slackTier(call: RateCall): 1 | 2 | 3 | 4 | 'post' {
  const method = call.endpoint ?? '';
  if (method === 'chat.postMessage' || method === 'chat.postEphemeral') return 'post';
  return SLACK_METHOD_TIERS[method] ?? 3;
}

/**
 * Slack Web API (providers.md §2): per method per workspace, by tier: Tier 1 1/min,
 * Tier 2 20/min, Tier 3 50/min, Tier 4 100/min; posting about 1 message a second.
 * The floors of the tiers ("20+") are used; 429 with Retry-After blocks the method.
 */
export const slackPolicy: RateLimitPolicy = {
  provider: 'slack',
  rules: [
    { name: 'tier1', level: 'operation', per: 'account-endpoint', limit: 1, windowMs: MINUTE, appliesTo: (c) => slackTier(c) === 1, blockScopes: ['method'] },
    { name: 'tier2', level: 'operation', per: 'account-endpoint', limit: 20, windowMs: MINUTE, appliesTo: (c) => slackTier(c) === 2, blockScopes: ['method'] },
    { name: 'tier3', level: 'operation', per: 'account-endpoint', limit: 50, windowMs: MINUTE, appliesTo: (c) => slackTier(c) === 3, blockScopes: ['method'] },
    { name: 'tier4', level: 'operation', per: 'account-endpoint', limit: 100, windowMs: MINUTE, appliesTo: (c) => slackTier(c) === 4, blockScopes: ['method'] },
    { name: 'post', level: 'operation', per: 'account-endpoint', limit: 60, windowMs: MINUTE, appliesTo: (c) => slackTier(c) === 'post', blockScopes: ['method'] },
  ],
  concurrency: [],
  defaultRetryAfterMs: 30_000,
  observationTtlMs: MINUTE,
};
