import type { CounterTake } from '../ports/rate-limit-backend.ts';
import type { PolicyRule, RateCall, RateLimitLevel, RateLimitPolicy, WindowLimit } from './types.ts';

/** What a counter is, for status, alerts and permissions. Stored in the backend's registry. */
export interface CounterMeta {
  readonly key: string;
  readonly level: RateLimitLevel;
  readonly kind: 'window' | 'concurrency';
  /** Rule name: `core`, `tier3`, `in-flight`, or the level's own (`global`, `override`). */
  readonly rule: string;
  readonly provider: string | null;
  readonly tenantId: string | null;
  readonly connectionId: string | null;
  readonly limit: number;
  /** Window length; lease length for a concurrency counter. */
  readonly windowMs: number;
  /** Whether the connection's adaptive multiplier scales it. */
  readonly adaptive: boolean;
}

export interface PlannedCounter {
  readonly take: CounterTake;
  readonly meta: CounterMeta;
  /** The policy rule behind it, for observations (absent for global/provider/tenant/override). */
  readonly rule?: PolicyRule;
}

/** The limits that do not come from a provider policy: configured defaults and overrides. */
export interface LevelLimits {
  readonly global?: WindowLimit;
  readonly provider?: WindowLimit;
  readonly tenant?: WindowLimit;
  readonly connection?: WindowLimit;
}

/** The counter key of a policy rule for a call. */
export function ruleKey(rule: PolicyRule, call: RateCall): string {
  const account = call.account ?? `connection/${call.connectionId}`;
  const endpoint = call.endpoint ?? call.operation;
  const id =
    rule.per === 'connection'
      ? call.connectionId
      : rule.per === 'account'
        ? account
        : rule.per === 'connection-endpoint'
          ? `${call.connectionId}|${endpoint}`
          : `${account}|${endpoint}`;
  return `${rule.level}:${call.provider}:${rule.name}:${id}`;
}

/**
 * Every counter a call must pass, outermost first (global, provider, tenant, connection,
 * operation, then concurrency). `multiplier` scales the connection's own budgets.
 */
export function planCall(call: RateCall, policy: RateLimitPolicy | undefined, levels: LevelLimits, multiplier: number): PlannedCounter[] {
  const planned: PlannedCounter[] = [];
  const window = (level: RateLimitLevel, key: string, rule: string, limit: WindowLimit, adaptive: boolean, cost = 1, observed = false, source?: PolicyRule): void => {
    const scoped = level !== 'global' && level !== 'provider';
    planned.push({
      take: { kind: 'window', key, limit: limit.limit, scale: adaptive ? multiplier : 1, windowMs: limit.windowMs, cost, observed },
      meta: {
        key, level, kind: 'window', rule, provider: level === 'global' ? null : call.provider,
        tenantId: scoped ? call.tenantId : null, connectionId: level === 'connection' || level === 'operation' ? call.connectionId : null,
        limit: limit.limit, windowMs: limit.windowMs, adaptive,
      },
      ...(source === undefined ? {} : { rule: source }),
    });
  };
  if (levels.global) window('global', 'global:*', 'global', levels.global, false);
  if (levels.provider) window('provider', `provider:${call.provider}`, 'provider', levels.provider, false);
  if (levels.tenant) window('tenant', `tenant:${call.tenantId}`, 'tenant', levels.tenant, false);
  if (levels.connection) window('connection', `connection:override:${call.connectionId}`, 'override', levels.connection, true);
  if (policy !== undefined) {
    const rules = policy.rules.filter((rule) => rule.appliesTo?.(call) ?? true);
    for (const level of ['connection', 'operation'] as const) {
      for (const rule of rules.filter((r) => r.level === level)) {
        const observed = (rule.observes?.length ?? 0) > 0;
        window(level, ruleKey(rule, call), rule.name, rule, true, rule.cost?.(call) ?? 1, observed, rule);
      }
    }
    for (const rule of policy.concurrency) {
      const id = rule.per === 'connection' ? call.connectionId : (call.account ?? `connection/${call.connectionId}`);
      const key = `connection:${call.provider}:${rule.name}:${id}`;
      planned.push({
        take: { kind: 'concurrency', key, limit: rule.limit, leaseMs: rule.leaseMs },
        meta: {
          key, level: 'connection', kind: 'concurrency', rule: rule.name, provider: call.provider, tenantId: call.tenantId,
          connectionId: call.connectionId, limit: rule.limit, windowMs: rule.leaseMs, adaptive: false,
        },
      });
    }
  }
  return planned;
}
