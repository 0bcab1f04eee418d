import type { SandboxContext, TokenGrant } from '../core/types.ts';
import { GoogleApiError } from './errors.ts';

/**
 * Per-user per-minute quotas (Google Cloud console defaults; the exact defaults change and
 * are per project, so these are the simulator's figures): People 90 reads and 60 writes,
 * Calendar 600 queries, Drive 12,000 queries per minute per user.
 */
export const GOOGLE_QUOTAS = {
  peopleRead: { limit: 90, windowMs: 60_000 },
  peopleWrite: { limit: 60, windowMs: 60_000 },
  calendar: { limit: 600, windowMs: 60_000 },
  drive: { limit: 12_000, windowMs: 60_000 },
} as const;

/** People: 429 RESOURCE_EXHAUSTED with an ErrorInfo naming the quota. */
export function takePeopleQuota(ctx: SandboxContext, grant: TokenGrant, write: boolean): void {
  const quota = write ? GOOGLE_QUOTAS.peopleWrite : GOOGLE_QUOTAS.peopleRead;
  const metric = write ? 'Write requests' : 'Read requests';
  const decision = ctx.limits.take({ key: `google:people:${write ? 'write' : 'read'}:${grant.account}`, ...quota });
  if (decision.allowed) return;
  ctx.limits.recordRejection('google');
  throw new GoogleApiError(
    429,
    `Quota exceeded for quota metric '${metric}' and limit '${metric} per minute per user' of service 'people.googleapis.com' for consumer 'project_number:000000000000'.`,
    {
      status: 'RESOURCE_EXHAUSTED',
      details: [
        {
          '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
          reason: 'RATE_LIMIT_EXCEEDED',
          domain: 'googleapis.com',
          metadata: { quota_metric: `people.googleapis.com/${write ? 'write' : 'read'}_requests`, quota_limit: `${write ? 'Write' : 'Read'}RequestsPerMinutePerUser`, service: 'people.googleapis.com', consumer: 'projects/000000000000', quota_limit_value: String(decision.limit) },
        },
      ],
    },
  );
}

/** Calendar/Drive: 403 `userRateLimitExceeded` in the classic shape. */
export function takeClassicQuota(ctx: SandboxContext, grant: TokenGrant, api: 'calendar' | 'drive'): void {
  const decision = ctx.limits.take({ key: `google:${api}:${grant.account}`, ...GOOGLE_QUOTAS[api] });
  if (decision.allowed) return;
  ctx.limits.recordRejection('google');
  throw new GoogleApiError(403, 'User Rate Limit Exceeded', { domain: 'usageLimits', reason: 'userRateLimitExceeded' });
}
