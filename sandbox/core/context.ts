import { createSandboxClock, type ResettableClock } from './clock.ts';
import { FaultTable } from './faults.ts';
import { createGroundTruth, type SandboxGroundTruth } from './ground-truth.ts';
import { generatePeople, type SandboxPeople } from './people.ts';
import { createRateLimits, type SandboxRateLimits } from './rate-limits.ts';
import { RequestLog } from './request-log.ts';
import { createRng } from './rng.ts';
import { createTokenService, type SandboxTokenService } from './tokens.ts';
import type { ProviderSimulator, SandboxContext, SandboxOptions } from './types.ts';
import { createWebhookDispatcher, type SandboxWebhookDispatcher } from './webhooks.ts';

export const DEFAULT_OPTIONS: SandboxOptions = {
  seed: 42,
  size: 1000,
  rateLimitScale: 1,
  tokenLifetimes: {},
  baseUrl: 'http://127.0.0.1',
  webhookDelayScale: 1,
};

/** Everything the core owns, with the context simulators see. */
export interface SandboxCore {
  ctx: SandboxContext;
  clock: ResettableClock;
  tokens: SandboxTokenService;
  limits: SandboxRateLimits;
  webhooks: SandboxWebhookDispatcher;
  truth: SandboxGroundTruth;
  requests: RequestLog;
  faults: FaultTable;
  simulators: readonly ProviderSimulator[];
  people(): SandboxPeople;
  /** Seeds every simulator from the current options (used at start). */
  seedAll(): void;
  /** `POST /_sandbox/reset`: new people from (seed, size), fresh tokens, limits, faults, log, truth; every simulator reseeded. */
  reset(input?: { seed?: number; size?: number }): void;
  close(): Promise<void>;
}

export function resolveOptions(input: Partial<SandboxOptions>): SandboxOptions {
  const o: SandboxOptions = { ...DEFAULT_OPTIONS, ...stripUndefined(input), tokenLifetimes: { ...(input.tokenLifetimes ?? {}) } };
  if (!Number.isInteger(o.seed)) throw new RangeError('seed must be an integer');
  if (!Number.isInteger(o.size) || o.size < 0) throw new RangeError('size must be a non-negative integer');
  if (!(o.rateLimitScale > 0)) throw new RangeError('rateLimitScale must be > 0');
  return o;
}

/**
 * Builds the core services and the SandboxContext. `ctx.people` and every service keep
 * their identity across resets (they clear themselves), so simulators may hold them.
 */
export function createSandboxCore(options: SandboxOptions, simulators: readonly ProviderSimulator[]): SandboxCore {
  const clock = createSandboxClock();
  const tokens = createTokenService(clock, options);
  const limits = createRateLimits(clock, () => options.rateLimitScale);
  const webhooks = createWebhookDispatcher(clock, () => options.webhookDelayScale ?? 1);
  const truth = createGroundTruth();
  const requests = new RequestLog();
  const faults = new FaultTable(() => options.seed);
  let current = generatePeople(options.seed, options.size);
  const people: SandboxPeople = {
    all: () => current.all(),
    companies: () => current.companies(),
    byTruthId: (id) => current.byTruthId(id),
    variantsFor: (provider, coverage) => current.variantsFor(provider, coverage),
  };
  const ctx: SandboxContext = {
    options,
    clock,
    rng: (label) => createRng(options.seed, label),
    tokens,
    limits,
    webhooks,
    people,
    truth,
  };
  const seedAll = () => {
    for (const sim of simulators) sim.seed(ctx);
  };
  return {
    ctx,
    clock,
    tokens,
    limits,
    webhooks,
    truth,
    requests,
    faults,
    simulators,
    people: () => people,
    seedAll,
    reset(input = {}) {
      if (input.seed !== undefined) options.seed = input.seed;
      if (input.size !== undefined) options.size = input.size;
      tokens.reset();
      limits.reset();
      webhooks.reset();
      truth.clear();
      requests.clear();
      faults.remove();
      current = generatePeople(options.seed, options.size);
      seedAll();
    },
    close: () => webhooks.close(),
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
