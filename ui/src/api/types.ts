/** Shapes of the public API's answers, as the UI uses them (the OpenAPI document at /docs/json is the source). */

export type ActorKind = 'admin' | 'tenant' | 'system';

export interface Actor {
  kind: ActorKind;
  keyId: string | null;
  tenantId: string | null;
}

export interface Tenant {
  id: string;
  name: string;
  metadata: Record<string, unknown>;
  createdAt: string;
  updatedAt?: string;
}

export interface Me {
  actor: Actor;
  tenant: Tenant | null;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface ApiKeyInfo {
  id: string;
  tenantId: string | null;
  name: string;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface CreatedApiKey {
  apiKey: ApiKeyInfo;
  key: string;
}

export type ConnectionStatus = 'pending' | 'active' | 'needs_reauth' | 'error' | 'disabled';

export interface Connection {
  id: string;
  tenantId: string;
  provider: string;
  name: string;
  status: ConnectionStatus;
  baseUrl: string;
  account: { accountId: string; name: string } | null;
  objects: string[] | null;
  credential: {
    type: string;
    status: string;
    expiresAt: string | null;
    lastRefreshedAt: string | null;
    scopes: string[];
  } | null;
  lastError?: { code: string; message: string; at: string } | null;
  createdAt?: string;
}

export interface ConnectResult {
  connection: Connection;
  authorizeUrl: string | null;
}

export type RateLimitLevel = 'global' | 'provider' | 'tenant' | 'connection' | 'operation';

export interface RateLimitEntry {
  key: string;
  level: RateLimitLevel;
  kind: 'window' | 'concurrency';
  rule: string;
  provider: string | null;
  tenantId: string | null;
  connectionId: string | null;
  limit: number;
  used: number;
  remaining: number;
  resetsAt: string;
  windowMs: number;
  multiplier: number | null;
  waiting: number;
}

export interface RateLimitStatus {
  backend: string;
  items: RateLimitEntry[];
  overrides: { scope: string; limit: number; windowMs: number }[];
}

export interface AuditEntry {
  id: string;
  at: string;
  actor: Actor;
  action: string;
  tenantId: string | null;
  target: string | null;
  details: Record<string, unknown>;
  requestId: string | null;
}

export interface Readiness {
  status: 'ready' | 'unavailable';
  backends: Record<string, string>;
}

export interface Integration {
  id: string;
  tenantId: string;
  connectionId: string;
  object: string;
  direction: 'pull' | 'push' | 'bidirectional';
  mappingVersion: number;
  schedule: { intervalMs: number } | { cron: string } | null;
  priority: 'high' | 'normal' | 'low';
  enabled: boolean;
  cursorUpdatedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface Run {
  id: string;
  integrationId: string;
  type: string;
  status: string;
  startedAt: string;
  finishedAt: string | null;
  recordsSoFar: number;
  pages: number;
  totalEstimate: number | null;
  error: { code?: string; message?: string } | null;
  counts: Record<string, number>;
  fullResync: boolean;
}
