import { useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { formField } from '../api/client.ts';
import type { ApiClient, ApiError } from '../api/client.ts';
import type { RateLimitEntry, RateLimitHistoryPage, RateLimitStatus } from '../api/types.ts';
import { Empty, ErrorBanner, Loading, Notice, SelectField, TextField, Usage, asApiError, formatTime, useLoad } from '../components.tsx';
import { UsageChart } from '../chart.tsx';
import type { UsageSample } from '../chart.tsx';
import { useSession } from '../session-context.tsx';

const LEVELS = ['global', 'provider', 'tenant', 'connection', 'operation'] as const;

/** The scope a status row belongs to, as the PUT/reset routes name it. */
export function scopeOf(entry: RateLimitEntry): string {
  if (entry.connectionId !== null && (entry.level === 'connection' || entry.level === 'operation')) return `connection:${entry.connectionId}`;
  if (entry.level === 'tenant' && entry.tenantId !== null) return `tenant:${entry.tenantId}`;
  if (entry.level === 'provider' && entry.provider !== null) return `provider:${entry.provider}`;
  return 'global';
}

/** Live samples kept per budget: 60 polls of 5 s are the last five minutes, and memory stays bounded. */
export const HISTORY_SAMPLES = 60;
export const POLL_MS = 5000;
/** Stored samples drawn per budget: longer ranges are thinned to this many points (each the peak of its stretch). */
export const CHART_POINTS = 240;
/** Pages of 1000 stored samples read at most for one range (busy budgets over 24 h fit). */
export const MAX_HISTORY_PAGES = 30;

const RANGES = [
  { label: 'Last hour', ms: 3_600_000 },
  { label: 'Last 6 hours', ms: 6 * 3_600_000 },
  { label: 'Last 24 hours', ms: 24 * 3_600_000 },
] as const;

export type UsageHistory = Readonly<Record<string, readonly UsageSample[]>>;

export interface StoredHistory {
  readonly samples: UsageHistory;
  readonly intervalMs: number;
  readonly retentionMs: number;
  /** More samples were stored than MAX_HISTORY_PAGES pages hold: the newest are missing. */
  readonly truncated: boolean;
}

/** The server's usage history since `since` (ISO), all pages up to MAX_HISTORY_PAGES, by budget, oldest first. */
export async function loadStoredHistory(api: ApiClient, query: { since: string; level?: string }): Promise<StoredHistory> {
  const samples: Record<string, UsageSample[]> = {};
  let cursor: string | undefined;
  let page: RateLimitHistoryPage;
  let pages = 0;
  do {
    page = await api.get<RateLimitHistoryPage>('/v1/rate-limits/history', { since: query.since, level: query.level, limit: 1000, cursor });
    for (const sample of page.items) (samples[sample.key] ??= []).push({ at: Date.parse(sample.at), used: sample.used, limit: sample.limit });
    cursor = page.nextCursor ?? undefined;
    pages += 1;
  } while (cursor !== undefined && pages < MAX_HISTORY_PAGES);
  return { samples, intervalMs: page.intervalMs, retentionMs: page.retentionMs, truncated: cursor !== undefined };
}

/** At most `points` samples: consecutive runs merged into their busiest one (a peak must not vanish from the chart). */
export function thinned(samples: readonly UsageSample[], points = CHART_POINTS): readonly UsageSample[] {
  if (samples.length <= points) return samples;
  const size = Math.ceil(samples.length / points);
  const out: UsageSample[] = [];
  for (let start = 0; start < samples.length; start += size) {
    const run = samples.slice(start, start + size);
    out.push(run.reduce((peak, sample) => (sample.used > peak.used ? sample : peak)));
  }
  return out;
}

/** One budget's chart: the stored samples from before the page's own first sample, then the page's live ones. */
export function mergedSamples(stored: readonly UsageSample[], live: readonly UsageSample[]): readonly UsageSample[] {
  const firstLive = live[0]?.at ?? Number.POSITIVE_INFINITY;
  return [...thinned(stored.filter((sample) => sample.at < firstLive)), ...live];
}

/** The history with one more sample per budget in `items` (taken at `at`), each kept to the last `keep`. */
export function recordSamples(history: UsageHistory, items: readonly RateLimitEntry[], at: number, keep = HISTORY_SAMPLES): UsageHistory {
  const next: Record<string, readonly UsageSample[]> = { ...history };
  for (const entry of items) next[entry.key] = [...(history[entry.key] ?? []), { at, used: entry.used, limit: entry.limit }].slice(-keep);
  return next;
}

/**
 * Rate limits: every budget by level with usage, usage against budget over time (the
 * server's stored history, then the page's own samples while it is open), extra caps (set
 * and clear), and resets.
 */
export function RateLimits({ pollMs = POLL_MS }: { pollMs?: number } = {}) {
  const { api } = useSession();
  const [level, setLevel] = useState('');
  const [rangeMs, setRangeMs] = useState<number>(RANGES[0].ms);
  const status = useLoad(() => api.get<RateLimitStatus>('/v1/rate-limits', { level: level === '' ? undefined : level }), [api, level]);
  const stored = useLoad(
    () => loadStoredHistory(api, { since: new Date(Date.now() - rangeMs).toISOString(), level: level === '' ? undefined : level }),
    [api, level, rangeMs],
  );
  const [history, setHistory] = useState<UsageHistory>({});
  const { reload } = status;
  // Between stored samples (one a minute) the page samples every pollMs itself, while it is open.
  useEffect(() => {
    const timer = setInterval(reload, pollMs);
    return () => clearInterval(timer);
  }, [reload, pollMs]);
  useEffect(() => {
    if (status.data !== null) setHistory((previous) => recordSamples(previous, status.data?.items ?? [], Date.now()));
  }, [status.data]);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [scope, setScope] = useState('');
  const [limit, setLimit] = useState('');
  const [windowSeconds, setWindowSeconds] = useState('60');
  const [errors, setErrors] = useState<Record<string, string>>({});

  const run = async (what: () => Promise<unknown>, done: string) => {
    setError(null);
    try {
      await what();
      setNotice(done);
      status.reload();
    } catch (caught) {
      const apiError = asApiError(caught);
      const field = formField(apiError.field);
      if (field === 'limit' || field === 'windowMs' || field === 'scope') setErrors({ [field]: apiError.message });
      else setError(apiError);
    }
  };

  const onCap = (event: FormEvent) => {
    event.preventDefault();
    const found: Record<string, string> = {};
    if (!/^(global|(provider|tenant|connection):[\w.-]{1,128})$/.test(scope.trim())) found.scope = 'Use global, provider:<name>, tenant:<id> or connection:<id>.';
    if (!/^\d+$/.test(limit.trim())) found.limit = 'Enter a whole number of calls (0 or more).';
    if (!/^\d+$/.test(windowSeconds.trim()) || Number(windowSeconds) < 1 || Number(windowSeconds) > 86_400) found.windowMs = 'Enter a window between 1 and 86400 seconds.';
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    void run(
      () => api.put(`/v1/rate-limits/${encodeURIComponent(scope.trim())}`, { limit: Number(limit), windowMs: Number(windowSeconds) * 1000 }),
      `Cap set on ${scope.trim()}: ${limit} calls per ${windowSeconds} s.`,
    );
  };

  const items = status.data?.items ?? [];
  const scopes = [...new Set(items.map(scopeOf))];

  return (
    <section aria-labelledby="rl-page-title">
      <h1 id="rl-page-title">Rate limits</h1>
      {notice ? <Notice>{notice}</Notice> : null}
      <ErrorBanner error={error ?? status.error ?? stored.error} />
      <div className="row">
        <SelectField label="Level" value={level} onChange={(event) => setLevel(event.target.value)}>
          <option value="">All levels</option>
          {LEVELS.map((value) => (
            <option key={value} value={value}>
              {value}
            </option>
          ))}
        </SelectField>
      </div>
      {status.loading && status.data === null ? <Loading /> : null}
      {status.data && items.length === 0 ? <Empty>No budget has counted a call yet{level ? ` at the ${level} level` : ''}.</Empty> : null}
      {items.length > 0 ? (
        <div className="table-wrap">
          <table>
            <caption className="sr-only">Budgets</caption>
            <thead>
              <tr>
                <th scope="col">Level</th>
                <th scope="col">Scope</th>
                <th scope="col">Rule</th>
                <th scope="col">Usage</th>
                <th scope="col">Resets</th>
                <th scope="col">Multiplier</th>
                <th scope="col">Waiting</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((entry) => (
                <tr key={entry.key}>
                  <td>{entry.level}</td>
                  <td className="mono">{scopeOf(entry)}</td>
                  <td>
                    {entry.rule} <span className="muted">({entry.kind})</span>
                  </td>
                  <td>
                    <Usage used={entry.used} limit={entry.limit} />
                  </td>
                  <td>{entry.kind === 'window' ? formatTime(entry.resetsAt) : '—'}</td>
                  <td>{entry.multiplier === null ? '—' : entry.multiplier.toFixed(2)}</td>
                  <td>{entry.waiting}</td>
                  <td>
                    <button type="button" className="secondary" onClick={() => run(() => api.post(`/v1/rate-limits/${encodeURIComponent(scopeOf(entry))}/reset`), `Counters reset under ${scopeOf(entry)}.`)}>
                      Reset <span className="sr-only">{scopeOf(entry)}</span>
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}

      <h2>Usage over time</h2>
      <div className="row">
        <SelectField label="Range" value={String(rangeMs)} onChange={(event) => setRangeMs(Number(event.target.value))}>
          {RANGES.map((range) => (
            <option key={range.ms} value={range.ms}>
              {range.label}
            </option>
          ))}
        </SelectField>
      </div>
      <p className="muted">
        {stored.data
          ? `Stored history: one sample per busy budget every ${stored.data.intervalMs / 1000} s, kept ${formatDuration(stored.data.retentionMs)}. `
          : ''}
        While this page is open it also samples every {pollMs / 1000} s (the last {HISTORY_SAMPLES} per budget, not stored).
        {stored.data?.truncated ? ' Too many stored samples for this range: the most recent ones are missing, choose a shorter range.' : ''}
      </p>
      {stored.loading && stored.data === null ? <Loading /> : null}
      {items.length > 0 ? (
        <>
          <div className="table-wrap">
            <table>
              <caption>Latest sample per budget</caption>
              <thead>
                <tr>
                  <th scope="col">Level</th>
                  <th scope="col">Scope</th>
                  <th scope="col">Rule</th>
                  <th scope="col">Samples</th>
                  <th scope="col">Used / budget</th>
                  <th scope="col">Peak used</th>
                </tr>
              </thead>
              <tbody>
                {items.map((entry) => {
                  const samples = mergedSamples(stored.data?.samples[entry.key] ?? [], history[entry.key] ?? []);
                  const last = samples.at(-1);
                  return (
                    <tr key={entry.key}>
                      <td>{entry.level}</td>
                      <td className="mono">{scopeOf(entry)}</td>
                      <td>{entry.rule}</td>
                      <td>{samples.length}</td>
                      <td>{last ? `${last.used} / ${last.limit}` : '—'}</td>
                      <td>{samples.length > 0 ? Math.max(...samples.map((sample) => sample.used)) : '—'}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          {items.map((entry) => (
            <div key={entry.key}>
              <h3>
                {entry.level} <span className="mono">{scopeOf(entry)}</span> {entry.rule}
              </h3>
              <UsageChart title={`${entry.level} ${scopeOf(entry)} ${entry.rule}, used vs budget`} samples={mergedSamples(stored.data?.samples[entry.key] ?? [], history[entry.key] ?? [])} />
            </div>
          ))}
        </>
      ) : null}

      <h2>Extra caps</h2>
      {status.data && status.data.overrides.length === 0 ? <Empty>No extra caps. Provider limits always apply.</Empty> : null}
      {status.data && status.data.overrides.length > 0 ? (
        <ul className="plain">
          {status.data.overrides.map((override) => (
            <li key={override.scope}>
              <span className="mono">{override.scope}</span>: {override.limit} calls per {override.windowMs / 1000} s{' '}
              <button type="button" className="secondary" onClick={() => run(() => api.put(`/v1/rate-limits/${encodeURIComponent(override.scope)}`, { limit: null }), `Cap cleared on ${override.scope}.`)}>
                Clear <span className="sr-only">cap on {override.scope}</span>
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      <form onSubmit={onCap} noValidate className="panel" aria-labelledby="cap-title">
        <h3 id="cap-title">Set a cap</h3>
        <p className="muted">A cap only lowers a budget; it never lifts a provider&apos;s own limit.</p>
        <div className="row">
          <TextField label="Scope" value={scope} onChange={(event) => setScope(event.target.value)} error={errors.scope ?? null} list="rl-scopes" placeholder="connection:con_…" spellCheck={false} />
          <datalist id="rl-scopes">
            {scopes.map((value) => (
              <option key={value} value={value} />
            ))}
          </datalist>
          <TextField label="Calls" value={limit} onChange={(event) => setLimit(event.target.value)} error={errors.limit ?? null} inputMode="numeric" />
          <TextField label="Per (seconds)" value={windowSeconds} onChange={(event) => setWindowSeconds(event.target.value)} error={errors.windowMs ?? null} inputMode="numeric" />
        </div>
        <button type="submit">Set cap</button>
      </form>
    </section>
  );
}

/** `604800000` -> `7 days`; `3600000` -> `60 minutes`. */
function formatDuration(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000} day${ms === 86_400_000 ? '' : 's'}`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  return `${Math.round(ms / 60_000)} minutes`;
}
