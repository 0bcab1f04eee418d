import type { PlannedCounter } from './plan.ts';
import type { RateLimitObservation } from './types.ts';

/**
 * Which of a call's counters an observation speaks about. `figures`: the budgets whose
 * numbers the provider reported (a rule `observes` the observation's resource). `blocks`:
 * the budgets a refusal closes: the reported one, the rules whose `blockScopes` name the
 * refusal's scope or resource, else the call's connection-level policy budgets. Pure.
 */
export function targetRules(planned: readonly PlannedCounter[], observation: RateLimitObservation): { figures: PlannedCounter[]; blocks: PlannedCounter[] } {
  const policyCounters = planned.filter((p) => p.rule !== undefined && p.take.kind === 'window');
  const resource = observation.resource;
  const hasFigures = observation.limit !== undefined && (observation.remaining !== undefined || observation.used !== undefined);
  const reported = resource === undefined ? [] : policyCounters.filter((p) => p.rule?.observes?.includes(resource) === true);
  const figures = hasFigures ? reported : [];
  if (!observation.limited) return { figures, blocks: [] };
  const named = policyCounters.filter((p) => {
    const scopes = p.rule?.blockScopes ?? [];
    return (observation.scope !== undefined && scopes.includes(observation.scope)) || (resource !== undefined && scopes.includes(resource));
  });
  let blocks = [...new Set([...reported, ...named])];
  if (blocks.length === 0) blocks = policyCounters.filter((p) => p.meta.level === 'connection');
  if (blocks.length === 0) blocks = policyCounters;
  return { figures, blocks };
}
