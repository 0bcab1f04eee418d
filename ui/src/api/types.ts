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

/** One stored usage sample of a budget (`GET /v1/rate-limits/history`); `at` is its sampling interval's start. */
export type RateLimitSample = Pick<RateLimitEntry, 'key' | 'level' | 'kind' | 'rule' | 'provider' | 'tenantId' | 'connectionId' | 'used' | 'limit' | 'windowMs'> & {
  at: string;
};

export interface RateLimitHistoryPage {
  items: RateLimitSample[];
  nextCursor: string | null;
  intervalMs: number;
  retentionMs: number;
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
  mapping?: Record<string, unknown>;
  dedupRules?: Record<string, unknown>;
  conflictStrategy?: Record<string, unknown>;
  fieldOwnership?: Record<string, unknown>;
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

export interface Entity {
  id: string;
  type: string;
  fields: Record<string, unknown>;
  version: number;
  createdAt: string;
  updatedAt: string;
  deletedAt: string | null;
  mergedInto: string | null;
}

export interface EntityLink {
  id: string;
  connectionId: string;
  integrationId: string | null;
  object: string;
  externalId: string;
  remoteVersion: string | null;
  lastSyncedAt: string | null;
  tombstonedAt: string | null;
  createdAt: string;
}

export interface Relationship {
  fromEntityId: string;
  kind: string;
  toEntityId: string;
  createdAt: string;
}

export interface EntityDetail extends Entity {
  links: EntityLink[];
  relationships: { outgoing: Relationship[]; incoming: Relationship[] };
}

export interface Change {
  seq: number;
  entityId: string;
  change: Record<string, unknown>;
  at: string;
}

export interface Merge {
  id: string;
  survivorId: string;
  mergedId: string;
  reason: Record<string, unknown>;
  mergedAt: string;
  undoneAt: string | null;
}

export interface ConflictField {
  field: string;
  base: unknown;
  local: unknown;
  remote: unknown;
  decision: 'local' | 'remote' | 'value' | 'pending';
  value?: unknown;
  strategy: string;
  reason: string;
}

export interface Conflict {
  id: string;
  status: 'open' | 'resolved' | 'dismissed';
  entityId: string | null;
  integrationId: string | null;
  provider: string | null;
  connectionId: string | null;
  object: string | null;
  externalId: string | null;
  remoteVersion: string | null;
  runId: string | null;
  fields: ConflictField[];
  resolution: Record<string, unknown> | null;
  createdAt: string;
  resolvedAt: string | null;
}

/** One field's choice when deciding a conflict. */
export type FieldChoice = 'local' | 'remote' | { value: unknown };

export interface DedupCandidate {
  id: string;
  exists: boolean;
  type: string | null;
  fields: Record<string, unknown>;
  deletedAt: string | null;
  mergedInto: string | null;
}

export interface DedupReview {
  id: string;
  status: 'open' | 'merged' | 'dismissed';
  entityType: string | null;
  score: number | null;
  candidates: [DedupCandidate, DedupCandidate];
  comparison: { field: string; values: [unknown, unknown]; same: boolean; similarity: number | null; kind: string | null }[];
  payload: Record<string, unknown>;
  resolution: Record<string, unknown> | null;
  createdAt: string;
  resolvedAt: string | null;
}

/** A bulk decision's outcome per item. */
export interface BulkOutcome {
  id: string;
  ok?: boolean;
  status?: string;
  error?: { code: string; message: string };
}

export interface WebhookDelivery {
  id: string;
  deliveryId: string | null;
  claimedDeliveryId: string | null;
  receivedAt: string;
  verified: boolean;
  outcome: string;
  detail: string | null;
}

export interface WebhookRegistration {
  id: string;
  connectionId: string;
  integrationId: string | null;
  provider: string;
  scheme: string;
  url: string;
  path: string;
  events: string[];
  status: 'active' | 'failing' | 'disabled';
  failureCount: number;
  providerWebhookId: string | null;
  expiresAt: string | null;
  createdAt: string;
  updatedAt: string;
  manualSteps: string[];
  verificationToken: 'awaiting' | 'available' | 'revealed' | null;
  recentDeliveries?: WebhookDelivery[];
}

export interface EventSubscription {
  id: string;
  url: string;
  description: string;
  eventTypes: string[];
  status: 'active' | 'disabled';
  failingSince: string | null;
  disabledReason: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface EventDelivery {
  id: string;
  subscriptionId: string;
  eventType: string;
  status: 'pending' | 'delivered' | 'failed' | 'stopped';
  attempts: { at: string; status: number | null; error: string | null }[];
  nextAttemptAt: string | null;
  createdAt: string;
  payload: unknown;
}

export type ChannelKind = 'slack_webhook' | 'slack_app' | 'teams_workflow';

export interface NotificationChannel {
  id: string;
  name: string;
  kind: ChannelKind;
  target: string | null;
  connectionId: string | null;
  slackChannel: string | null;
  status: 'active' | 'failing' | 'disabled';
  failureCount: number;
  lastError: string | null;
  lastSuccessAt: string | null;
  lastFailureAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface NotificationRule {
  id: string;
  channelId: string;
  name: string;
  eventTypes: string[];
  minSeverity: 'info' | 'warning' | 'critical';
  foldWindowMs: number;
  digestIntervalMs: number | null;
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface TransformCall {
  name: string;
  args?: unknown[];
}

export interface FieldMapping {
  target: string;
  source?: string;
  sources?: string[];
  transforms?: TransformCall[];
  default?: unknown;
  required?: boolean;
  writable?: boolean;
}

export interface TargetMapping {
  entityType: string;
  name?: string;
  fields: FieldMapping[];
  [other: string]: unknown;
}

export interface MappingDocument {
  format?: number;
  version?: number;
  source: { provider: string; object: string };
  targets: TargetMapping[];
}

export interface MappingPreview {
  mappingVersion: number | null;
  records: {
    externalId: string;
    failed: boolean;
    fields: { field: string; externalId: string | null; value?: unknown; error?: string }[];
    relationships: Record<string, unknown>[];
    errors: { field: string; reason: string }[];
  }[];
  missing: string[];
}

/** GET /v1/mapping/transforms: a built-in transform a mapping may use. */
export interface TransformInfo {
  name: string;
  description: string;
  input: string;
  output: string;
  args: { name: string; type: string; required: boolean; description: string; oneOf?: string[] }[];
  minArgs: number;
  maxArgs: number;
  invertible: boolean;
  inverse: 'exact' | 'normalizing' | 'conditional' | null;
  multiSource: boolean;
}

/** A job that failed for good (GET /v1/dead-letters). */
export interface DeadLetter {
  id: string;
  jobId: string;
  queue: string;
  tenantId: string | null;
  subject: Record<string, string>;
  attempts: number;
  category: string;
  errorCode: string;
  errorMessage: string;
  correlationId: string | null;
  enqueuedAt: string;
  failedAt: string;
}
