import { ConnectionService, assertEgressAllowed, connectionLimiter } from '../connections/index.ts';
import type { EgressPolicy } from '../connections/index.ts';
import { createCredentialService } from '../credentials/index.ts';
import type { CredentialEvent, CredentialService } from '../credentials/index.ts';
import type { Metrics } from '../observability/index.ts';
import type { Connection } from '../domain/connection.ts';
import type { Clock } from '../ports/clock.ts';
import type { Locks } from '../ports/locks.ts';
import type { Logger } from '../ports/logger.ts';
import type { SecretStore } from '../ports/secret-store.ts';
import type { Store } from '../ports/store.ts';
import type { ProviderId } from '../providers/index.ts';
import type { RateLimiter } from '../ratelimit/index.ts';
import type { Secret } from './config/index.ts';

/** The configuration slice of connections and credentials (ResolvedConfig['connections']). */
export interface ConnectionsConfig {
  /** Let connections reach loopback, private and link-local addresses (the sandbox, tests, the demo). */
  readonly allowPrivateEgress: boolean;
  /** Origins allowed whatever they resolve to (the demo's in-process sandbox on loopback); the rest keep the policy. */
  readonly allowOrigins?: readonly string[];
  /** Where browsers reach this server; the OAuth redirect URI is `<publicUrl>/v1/oauth/callback`. */
  readonly publicUrl: string;
  /** The operator's OAuth client of each provider that has one configured. */
  readonly oauthClients: Readonly<Partial<Record<ProviderId, { readonly clientId: string; readonly clientSecret: Secret }>>>;
}

export interface ConnectionsWiring {
  readonly credentials: CredentialService;
  readonly connections: ConnectionService;
}

/**
 * Builds the credentials service and the connection service over the platform's ports:
 * one egress policy for both, the operator's OAuth clients, the redirect URI, and (when
 * given) the rate limiter every provider call of a connection goes through. Events
 * of the credentials feature (a connection needs re-authorisation) are logged and
 * handed to `onCredentialEvent` (notifications) when given. The redirect URI is made from
 * `publicUrl()` at each authorisation when given (`--port 0`: the real port is known only
 * once listening), else from `config.publicUrl`.
 */
export function buildConnectionServices(
  config: ConnectionsConfig,
  ports: {
    store: Store;
    secrets: SecretStore;
    locks: Locks;
    clock: Clock;
    logger: Logger;
    rateLimiter?: RateLimiter;
    onCredentialEvent?: (event: CredentialEvent) => void;
    metrics?: Pick<Metrics, 'tokenRefresh'>;
    publicUrl?: () => string;
  },
): ConnectionsWiring {
  const publicUrl = ports.publicUrl ?? (() => config.publicUrl);
  const egress: EgressPolicy = { allowPrivate: config.allowPrivateEgress, ...(config.allowOrigins === undefined ? {} : { allowOrigins: config.allowOrigins }) };
  const rateLimiter = ports.rateLimiter;
  const logger = ports.logger.child({ component: 'connections' });
  const credentials = createCredentialService({
    store: ports.store,
    secrets: ports.secrets,
    locks: ports.locks,
    clock: ports.clock,
    logger: ports.logger.child({ component: 'credentials' }),
    events: (event: CredentialEvent) => {
      logger.warn({ ...event }, event.type === 'token_refresh.failing' ? 'token refresh failing' : 'connection needs re-authorisation');
      ports.onCredentialEvent?.(event);
    },
    onRefresh: (event) => ports.metrics?.tokenRefresh(event),
    oauthClients: (provider) => {
      const client = config.oauthClients[provider];
      return client === undefined ? null : { clientId: client.clientId, clientSecret: client.clientSecret.reveal() };
    },
    egress: (url, field) => assertEgressAllowed(url, egress, field),
  });
  const connections = new ConnectionService({
    store: ports.store,
    credentials,
    egress,
    clock: ports.clock,
    redirectUri: () => `${publicUrl().replace(/\/+$/, '')}/v1/oauth/callback`,
    logger,
    ...(rateLimiter === undefined ? {} : { limiterFor: (connection: Connection) => connectionLimiter(rateLimiter, connection) }),
  });
  return { credentials, connections };
}
