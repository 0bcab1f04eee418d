import type { RateLimitPolicy } from '../types.ts';
import { githubPolicy } from './github.ts';
import { googlePolicy } from './google.ts';
import { notionPolicy } from './notion.ts';
import { salesforcePolicy } from './salesforce.ts';
import { slackPolicy } from './slack.ts';

export { githubPolicy } from './github.ts';
export { googlePolicy } from './google.ts';
export { notionPolicy } from './notion.ts';
export { salesforcePolicy } from './salesforce.ts';
export { SLACK_METHOD_TIERS, slackPolicy, slackTier } from './slack.ts';

/** The five providers' default budgets, by provider name. */
export const DEFAULT_POLICIES: Readonly<Record<string, RateLimitPolicy>> = Object.freeze({
  github: githubPolicy,
  salesforce: salesforcePolicy,
  slack: slackPolicy,
  notion: notionPolicy,
  google: googlePolicy,
});
