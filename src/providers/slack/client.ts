/**
 * Slack Web API calls. Methods live under the connection's base URL
 * (`https://slack.com/api`, the sandbox's `<host>/slack/api`) as relative paths. Reads are
 * GET with a query; writes POST JSON with `Content-Type: application/json; charset=utf-8`
 * (Slack warns without the charset). The rate-limit bucket is the method name, because
 * Slack counts "per method per workspace per app".
 */
import type { ProviderContext } from '../provider.ts';

type Query = Record<string, string | number | boolean | undefined>;

export async function slackRead<T = Record<string, unknown>>(ctx: ProviderContext, method: string, query: Query = {}): Promise<T> {
  const response = await ctx.http.request({ method: 'GET', path: method, query, operation: 'read', bucket: method });
  return (response.body ?? {}) as T;
}

export async function slackWrite<T = Record<string, unknown>>(ctx: ProviderContext, method: string, body: Record<string, unknown>): Promise<T> {
  const response = await ctx.http.request({
    method: 'POST',
    path: method,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body,
    operation: 'write',
    bucket: method,
  });
  return (response.body ?? {}) as T;
}

/** Slack's `response_metadata.next_cursor`, or null when the listing is over ("" = done). */
export function nextCursorOf(body: { response_metadata?: { next_cursor?: string } }): string | null {
  const next = body.response_metadata?.next_cursor;
  return typeof next === 'string' && next !== '' ? next : null;
}

/** A Slack `ts` ("1700000000.000100") as an ISO time. */
export function tsToIso(ts: string | number | undefined | null): string | null {
  if (ts === undefined || ts === null || ts === '') return null;
  const seconds = Number(ts);
  return Number.isFinite(seconds) ? new Date(Math.floor(seconds * 1000)).toISOString() : null;
}
