/**
 * Channels and rules of a tenant, as the API manages them. Target URLs go to the
 * SecretStore after passing the egress policy; views carry a masked host only.
 */
import { assertEgressAllowed } from '../connections/index.ts';
import { TributaryError } from '../domain/errors.ts';
import { newId } from '../domain/ids.ts';
import type { Actor, AuditEntry } from '../domain/tenancy.ts';
import type { NotificationChannelPatch, NotificationChannelRecord, NotificationRulePatch, NotificationRuleRecord } from '../ports/store.ts';
import { maskUrl, newChannelId, newRuleId, type ChannelKind } from './channels.ts';
import { deliverNotice } from './delivery.ts';
import { isNotificationEventType, isSeverity, type NotificationEventType, type Severity } from './events.ts';
import type { ResolvedNotificationOptions } from './options.ts';

/** Who acts, under which request: what the audit log records (the runtime's ActionContext fits). */
export interface NotificationActionContext {
  readonly actor: Actor;
  readonly requestId: string | null;
}

/** What the API shows of a channel: never the URL or its secret ref. */
export interface ChannelView {
  readonly id: string;
  readonly name: string;
  readonly kind: ChannelKind;
  readonly target: string | null;
  readonly connectionId: string | null;
  readonly slackChannel: string | null;
  readonly status: NotificationChannelRecord['status'];
  readonly failureCount: number;
  readonly lastError: string | null;
  readonly lastSuccessAt: string | null;
  readonly lastFailureAt: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface ChannelInput {
  name: string;
  kind: ChannelKind;
  /** `slack_webhook` and `teams_workflow`: the webhook URL (a secret). */
  url?: string;
  /** `slack_app`: the Slack connection and channel (id or name). */
  connectionId?: string;
  slackChannel?: string;
}

/** `url` replaces the target; `enabled: true` re-activates a failing or disabled channel. */
export interface ChannelUpdate {
  name?: string;
  url?: string;
  connectionId?: string;
  slackChannel?: string;
  enabled?: boolean;
}

export type RuleView = Omit<NotificationRuleRecord, 'tenantId' | 'eventTypes' | 'minSeverity'> & {
  readonly eventTypes: NotificationEventType[];
  readonly minSeverity: Severity;
};

export interface RuleInput {
  name: string;
  channelId: string;
  eventTypes?: string[];
  minSeverity?: string;
  foldWindowMs?: number;
  digestIntervalMs?: number | null;
  enabled?: boolean;
}

export type RuleUpdate = Partial<RuleInput>;

export function channelView(record: NotificationChannelRecord): ChannelView {
  return {
    id: record.id,
    name: record.name,
    kind: record.kind,
    target: record.maskedTarget,
    connectionId: record.connectionId,
    slackChannel: record.slackChannel,
    status: record.status,
    failureCount: record.failureCount,
    lastError: record.lastError,
    lastSuccessAt: record.lastSuccessAt,
    lastFailureAt: record.lastFailureAt,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}

export function ruleView(record: NotificationRuleRecord): RuleView {
  const { tenantId: _tenantId, ...rest } = record;
  return { ...rest, eventTypes: record.eventTypes.filter(isNotificationEventType), minSeverity: record.minSeverity };
}

function notFound(what: string, id: string): TributaryError {
  return new TributaryError('NOT_FOUND', `Notification ${what} ${id} not found`);
}

function checkEventTypes(types: string[] | undefined): NotificationEventType[] | undefined {
  if (types === undefined) return undefined;
  const bad = types.find((type) => !isNotificationEventType(type));
  if (bad !== undefined) throw new TributaryError('VALIDATION_FAILED', `Unknown event type ${bad}`, { field: 'body.eventTypes' });
  return [...new Set(types as NotificationEventType[])];
}

function checkSeverity(value: string | undefined): Severity | undefined {
  if (value === undefined) return undefined;
  if (!isSeverity(value)) throw new TributaryError('VALIDATION_FAILED', 'minSeverity must be info, warning or critical', { field: 'body.minSeverity' });
  return value;
}

export class NotificationAdmin {
  readonly #options: ResolvedNotificationOptions;

  constructor(options: ResolvedNotificationOptions) {
    this.#options = options;
  }

  #now(): string {
    return new Date(this.#options.clock.now()).toISOString();
  }

  /** An audit row: who changed which channel or rule; details name fields, never the URL. */
  #audit(context: NotificationActionContext, action: string, tenantId: string, target: string, details: Record<string, unknown>): AuditEntry {
    return { id: newId('aud'), at: this.#now(), actor: context.actor, action, tenantId, target, details, requestId: context.requestId };
  }

  /** Checks the URL against the egress policy (VALIDATION_FAILED naming `body.url`) and returns its masked host. */
  async #checkedUrl(url: string): Promise<string> {
    const parsed = await assertEgressAllowed(url, this.#options.egress, 'body.url', this.#options.resolveHost);
    return maskUrl(parsed);
  }

  async #record(tenantId: string, id: string): Promise<NotificationChannelRecord> {
    const record = await this.#options.store.notifications.getChannel(tenantId, id);
    if (record === null) throw notFound('channel', id);
    return record;
  }

  async createChannel(context: NotificationActionContext, tenantId: string, input: ChannelInput): Promise<ChannelView> {
    const now = this.#now();
    const id = newChannelId();
    let secretRef: string | null = null;
    let maskedTarget: string | null = null;
    if (input.kind === 'slack_app') {
      if (!input.connectionId || !input.slackChannel) throw new TributaryError('VALIDATION_FAILED', 'A slack_app channel needs connectionId and slackChannel', { field: 'body.connectionId' });
      if ((await this.#options.store.connections.get(tenantId, input.connectionId)) === null) throw new TributaryError('NOT_FOUND', `Connection ${input.connectionId} not found`, { field: 'body.connectionId' });
    } else {
      if (!input.url) throw new TributaryError('VALIDATION_FAILED', `A ${input.kind} channel needs url`, { field: 'body.url' });
      maskedTarget = await this.#checkedUrl(input.url);
      secretRef = (await this.#options.secrets.put(tenantId, `notification-channel:${id}`, input.url)).ref;
    }
    const record: NotificationChannelRecord = {
      id,
      tenantId,
      name: input.name,
      kind: input.kind,
      secretRef,
      maskedTarget,
      connectionId: input.kind === 'slack_app' ? (input.connectionId ?? null) : null,
      slackChannel: input.kind === 'slack_app' ? (input.slackChannel ?? null) : null,
      status: 'active',
      failureCount: 0,
      lastError: null,
      lastSuccessAt: null,
      lastFailureAt: null,
      createdAt: now,
      updatedAt: now,
    };
    try {
      await this.#options.store.transaction(async (tx) => {
        await tx.notifications.insertChannel(record);
        await tx.audit.append(this.#audit(context, 'notification_channel.create', tenantId, id, { kind: record.kind, name: record.name, target: maskedTarget }));
      });
    } catch (error) {
      if (secretRef !== null) await this.#options.secrets.delete(tenantId, secretRef).catch(() => undefined);
      throw error;
    }
    return channelView(record);
  }

  async getChannel(tenantId: string, id: string): Promise<ChannelView> {
    return channelView(await this.#record(tenantId, id));
  }

  async listChannels(tenantId: string): Promise<ChannelView[]> {
    return (await this.#options.store.notifications.listChannels(tenantId)).map(channelView);
  }

  async updateChannel(context: NotificationActionContext, tenantId: string, id: string, update: ChannelUpdate): Promise<ChannelView> {
    const current = await this.#record(tenantId, id);
    const patch: NotificationChannelPatch = {};
    if (update.name !== undefined) patch.name = update.name;
    if (update.url !== undefined) {
      if (current.kind === 'slack_app') throw new TributaryError('VALIDATION_FAILED', 'A slack_app channel has no url', { field: 'body.url' });
      patch.maskedTarget = await this.#checkedUrl(update.url);
      if (current.secretRef !== null) await this.#options.secrets.update(tenantId, current.secretRef, update.url);
      else patch.secretRef = (await this.#options.secrets.put(tenantId, `notification-channel:${id}`, update.url)).ref;
    }
    if (current.kind === 'slack_app') {
      if (update.connectionId !== undefined) {
        if ((await this.#options.store.connections.get(tenantId, update.connectionId)) === null) throw new TributaryError('NOT_FOUND', `Connection ${update.connectionId} not found`, { field: 'body.connectionId' });
        patch.connectionId = update.connectionId;
      }
      if (update.slackChannel !== undefined) patch.slackChannel = update.slackChannel;
    }
    // A new target or an explicit re-enable starts the channel's health afresh.
    if (update.url !== undefined || update.enabled === true) Object.assign(patch, { status: 'active', failureCount: 0, lastError: null });
    if (update.enabled === false) patch.status = 'disabled';
    const updated = await this.#options.store.transaction(async (tx) => {
      const row = await tx.notifications.updateChannel(tenantId, id, patch, this.#now());
      if (row !== null) await tx.audit.append(this.#audit(context, 'notification_channel.update', tenantId, id, { fields: Object.keys(update).sort(), status: row.status }));
      return row;
    });
    if (updated === null) throw notFound('channel', id);
    return channelView(updated);
  }

  /** Deletes the channel, its rules and its secret URL. */
  async deleteChannel(context: NotificationActionContext, tenantId: string, id: string): Promise<void> {
    const current = await this.#record(tenantId, id);
    const deleted = await this.#options.store.transaction(async (tx) => {
      const gone = await tx.notifications.deleteChannel(tenantId, id);
      if (gone) await tx.audit.append(this.#audit(context, 'notification_channel.delete', tenantId, id, { kind: current.kind, name: current.name }));
      return gone;
    });
    if (!deleted) throw notFound('channel', id);
    if (current.secretRef !== null) await this.#options.secrets.delete(tenantId, current.secretRef);
  }

  /**
   * Sends a test message now (not through the queue), even to a failing or disabled
   * channel, and records the outcome: a working target makes the channel active again.
   */
  async testChannel(tenantId: string, id: string): Promise<{ delivered: boolean; error: string | null; channel: ChannelView }> {
    const record = await this.#record(tenantId, id);
    try {
      const after = await deliverNotice(this.#options, record, { kind: 'test', channelName: record.name, at: this.#options.clock.now() });
      return { delivered: true, error: null, channel: channelView(after) };
    } catch (error) {
      const message = error instanceof TributaryError ? `${error.code}: ${error.message}` : 'Delivery failed';
      return { delivered: false, error: message, channel: channelView(await this.#record(tenantId, id)) };
    }
  }

  async createRule(context: NotificationActionContext, tenantId: string, input: RuleInput): Promise<RuleView> {
    if ((await this.#options.store.notifications.getChannel(tenantId, input.channelId)) === null) {
      throw new TributaryError('NOT_FOUND', `Notification channel ${input.channelId} not found`, { field: 'body.channelId' });
    }
    const now = this.#now();
    const record: NotificationRuleRecord = {
      id: newRuleId(),
      tenantId,
      channelId: input.channelId,
      name: input.name,
      eventTypes: checkEventTypes(input.eventTypes) ?? [],
      minSeverity: checkSeverity(input.minSeverity) ?? 'warning',
      foldWindowMs: input.foldWindowMs ?? this.#options.defaultFoldWindowMs,
      digestIntervalMs: input.digestIntervalMs ?? null,
      enabled: input.enabled ?? true,
      createdAt: now,
      updatedAt: now,
    };
    await this.#options.store.transaction(async (tx) => {
      await tx.notifications.insertRule(record);
      await tx.audit.append(this.#audit(context, 'notification_rule.create', tenantId, record.id, { channelId: record.channelId, eventTypes: record.eventTypes, minSeverity: record.minSeverity }));
    });
    return ruleView(record);
  }

  async getRule(tenantId: string, id: string): Promise<RuleView> {
    const record = await this.#options.store.notifications.getRule(tenantId, id);
    if (record === null) throw notFound('rule', id);
    return ruleView(record);
  }

  async listRules(tenantId: string): Promise<RuleView[]> {
    return (await this.#options.store.notifications.listRules(tenantId)).map(ruleView);
  }

  async updateRule(context: NotificationActionContext, tenantId: string, id: string, update: RuleUpdate): Promise<RuleView> {
    await this.getRule(tenantId, id);
    if (update.channelId !== undefined && (await this.#options.store.notifications.getChannel(tenantId, update.channelId)) === null) {
      throw new TributaryError('NOT_FOUND', `Notification channel ${update.channelId} not found`, { field: 'body.channelId' });
    }
    const patch: NotificationRulePatch = {};
    if (update.name !== undefined) patch.name = update.name;
    if (update.channelId !== undefined) patch.channelId = update.channelId;
    const types = checkEventTypes(update.eventTypes);
    if (types !== undefined) patch.eventTypes = types;
    const severity = checkSeverity(update.minSeverity);
    if (severity !== undefined) patch.minSeverity = severity;
    if (update.foldWindowMs !== undefined) patch.foldWindowMs = update.foldWindowMs;
    if (update.digestIntervalMs !== undefined) patch.digestIntervalMs = update.digestIntervalMs;
    if (update.enabled !== undefined) patch.enabled = update.enabled;
    const updated = await this.#options.store.transaction(async (tx) => {
      const row = await tx.notifications.updateRule(tenantId, id, patch, this.#now());
      if (row !== null) await tx.audit.append(this.#audit(context, 'notification_rule.update', tenantId, id, { fields: Object.keys(update).sort() }));
      return row;
    });
    if (updated === null) throw notFound('rule', id);
    return ruleView(updated);
  }

  async deleteRule(context: NotificationActionContext, tenantId: string, id: string): Promise<void> {
    const deleted = await this.#options.store.transaction(async (tx) => {
      const gone = await tx.notifications.deleteRule(tenantId, id);
      if (gone) await tx.audit.append(this.#audit(context, 'notification_rule.delete', tenantId, id, {}));
      return gone;
    });
    if (!deleted) throw notFound('rule', id);
  }
}
