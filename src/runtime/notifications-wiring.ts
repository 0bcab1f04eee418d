import type { ConnectionService } from '../connections/index.ts';
import type { CredentialService } from '../credentials/index.ts';
import { TributaryError } from '../domain/errors.ts';
import { createNotifications, type Notifications, type SlackAppResolver } from '../notifications/index.ts';
import type { Clock } from '../ports/clock.ts';
import type { JobQueue } from '../ports/job-queue.ts';
import type { Logger } from '../ports/logger.ts';
import type { SecretStore } from '../ports/secret-store.ts';
import type { Store } from '../ports/store.ts';
import { PROVIDERS } from '../providers/index.ts';
import type { ConnectionsConfig } from './connections-wiring.ts';
import type { ResolvedConfig } from './config/index.ts';

/**
 * How `slack_app` channels post: the Slack connection's API base (the sandbox's or
 * https://slack.com/api) and a current token from the credentials feature (refreshed
 * when near expiry). A connection of another provider is refused for good.
 */
export function slackAppResolver(connections: Pick<ConnectionService, 'connection'>, credentials: Pick<CredentialService, 'tokenSource'>): SlackAppResolver {
  return async (tenantId, connectionId) => {
    const connection = await connections.connection(tenantId, connectionId);
    if (connection.provider !== 'slack') throw new TributaryError('PROVIDER_REJECTED', `Connection ${connectionId} is not a Slack connection`, { details: { disable: true } });
    const accessToken = await credentials.tokenSource({ tenantId, connectionId, provider: 'slack' }).accessToken();
    return { apiBaseUrl: connection.baseUrl ?? PROVIDERS.slack.defaultBaseUrl, accessToken };
  };
}

/**
 * Builds notifications over the platform's ports: links to the admin UI at the public
 * URL (`publicUrl()` at each delivery when given, as `--port 0` learns its port only once
 * listening; else `config.publicUrl`), the same egress policy as connections.
 */
export function buildNotifications(
  config: ConnectionsConfig,
  ports: { store: Store; secrets: SecretStore; queue: JobQueue; clock: Clock; logger: Logger; connections: ConnectionService; credentials: CredentialService; publicUrl?: () => string },
  operator: ResolvedConfig['observability']['operatorChannel'] = null,
): Notifications {
  return createNotifications({
    store: ports.store,
    secrets: ports.secrets,
    queue: ports.queue,
    clock: ports.clock,
    logger: ports.logger.child({ component: 'notifications' }),
    publicUrl: ports.publicUrl ?? config.publicUrl,
    egress: { allowPrivate: config.allowPrivateEgress },
    slackApp: slackAppResolver(ports.connections, ports.credentials),
    // Operator alerts' channel: the URL is revealed here only, into the deliverer's options.
    operatorChannel: operator === null ? null : { kind: operator.kind, url: operator.url.reveal() },
  });
}
