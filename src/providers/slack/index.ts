/**
 * The Slack provider (Web API, base https://slack.com/api): users, channels and messages
 * (read by channel history; posted, edited and deleted through chat.*).
 *
 * Plain HTTP through the context's ProviderHttp, not @slack/web-api: our HTTP client owns
 * auth, token refresh, rate limits, retries and the egress policy in one place, and the
 * SDK brings its own retries, rate-limit queue and token handling that would fight it.
 */
import type { Provider } from '../provider.ts';
import { SLACK_AUTH } from './auth.ts';
import { classifySlackError } from './errors.ts';
import { slackHealth, validateSlack } from './identity.ts';
import { channelsObject } from './objects/channels.ts';
import { messagesObject } from './objects/messages.ts';
import { usersObject } from './objects/users.ts';
import { discoverSlack } from './schema.ts';

export { SLACK_AUTH, SLACK_BOT_SCOPES, isSlackRefreshRejected } from './auth.ts';
export { classifySlackError, isSlackError, slackMethodOf } from './errors.ts';
export { messageId, parseMessageId, type SlackMessagesCursor } from './objects/messages.ts';
export { SLACK_SCHEMAS } from './schema.ts';

export const slackProvider: Provider = {
  id: 'slack',
  label: 'Slack',
  defaultBaseUrl: 'https://slack.com/api',
  defaultAuthBaseUrl: 'https://slack.com',
  auth: SLACK_AUTH,
  objects: [usersObject, channelsObject, messagesObject],
  validate: validateSlack,
  discover: discoverSlack,
  health: slackHealth,
  classifyError: classifySlackError,
};
export * from './webhooks.ts';
