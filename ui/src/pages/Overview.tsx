import { useEffect } from 'react';
import type { ApiClient } from '../api/client.ts';
import type { Connection, Integration, Page, RateLimitStatus, Readiness, Run } from '../api/types.ts';
import { SyncChart, hourlySeries } from '../chart.tsx';
import { Empty, ErrorBanner, Loading, NeedTenant, StatusBadge, Usage, useLoad } from '../components.tsx';
import { Link } from '../router.tsx';
import { useSession } from '../session-context.tsx';

/** Jobs waiting per queue, from the Prometheus text of `/metrics` (`tributary_queue_depth{queue="…"} N`). */
export function parseQueueDepth(metrics: string): { queue: string; depth: number }[] {
  const rows: { queue: string; depth: number }[] = [];
  for (const line of metrics.split('\n')) {
    const match = /^tributary_queue_depth\{[^}]*queue="([^"]+)"[^}]*\}\s+([0-9.eE+-]+)/.exec(line);
    if (match?.[1] !== undefined && match[2] !== undefined) rows.push({ queue: match[1], depth: Number(match[2]) });
  }
  return rows;
}

/** Runs of every integration that started in the last 24 h (the runs route pages newest first). */
async function recentRuns(api: ApiClient, base: string, now: number): Promise<Run[]> {
  const since = now - 24 * 3_600_000;
  const integrations = await api.get<Page<Integration>>(`${base}/integrations`, { limit: 200 });
  const pages = await Promise.all(integrations.items.map((integration) => api.get<Page<Run>>(`${base}/integrations/${integration.id}/runs`, { limit: 200 })));
  return pages.flatMap((page) => page.items).filter((run) => Date.parse(run.startedAt) >= since);
}

/** "12", or "200+" when the list has more pages. */
async function countOpen(api: ApiClient, path: string): Promise<string> {
  const page = await api.get<Page<unknown>>(path, { status: 'open', limit: 200 });
  return page.nextCursor === null ? String(page.items.length) : `${page.items.length}+`;
}

/** How often the overview reads the runs again while one is live. */
const POLL_MS = 5000;
const LIVE = new Set(['queued', 'running', 'retrying']);

/** Overview: backend health, connections and their health, queue depth, rate-limit usage per provider. */
export function Overview() {
  const { api, tenantBase } = useSession();
  const base = tenantBase();
  const ready = useLoad(() => api.probe<Readiness>('/ready'), [api]);
  const connections = useLoad(async () => (base === null ? null : api.get<Page<Connection>>(`${base}/connections`, { limit: 200 })), [api, base]);
  const limits = useLoad(() => api.get<RateLimitStatus>('/v1/rate-limits'), [api]);
  const queues = useLoad(async () => parseQueueDepth(await api.text('/metrics')), [api]);
  const runs = useLoad(async () => (base === null ? null : recentRuns(api, base, Date.now())), [api, base]);
  const waiting = useLoad(
    async () => (base === null ? null : { conflicts: await countOpen(api, `${base}/conflicts`), reviews: await countOpen(api, `${base}/dedup/reviews`) }),
    [api, base],
  );
  // Live while a run is: read the runs again until none is queued or running.
  const live = (runs.data ?? []).some((run) => LIVE.has(run.status));
  const reloadRuns = runs.reload;
  useEffect(() => {
    if (!live) return;
    const timer = window.setTimeout(reloadRuns, POLL_MS);
    return () => window.clearTimeout(timer);
  }, [live, runs.data, reloadRuns]);

  const perProvider = new Map<string, { used: number; limit: number }>();
  for (const entry of limits.data?.items ?? []) {
    if (entry.provider === null || entry.kind !== 'window') continue;
    const sum = perProvider.get(entry.provider) ?? { used: 0, limit: 0 };
    sum.used += entry.used;
    sum.limit += entry.limit;
    perProvider.set(entry.provider, sum);
  }

  return (
    <section aria-labelledby="overview-title">
      <h1 id="overview-title">Overview</h1>
      <div className="cards">
        <article className="card" aria-labelledby="health-title">
          <h2 id="health-title">Platform health</h2>
          {ready.loading && ready.data === null ? <Loading /> : null}
          <ErrorBanner error={ready.error} />
          {ready.data ? (
            <>
              <p>
                <StatusBadge status={ready.data.status} />
              </p>
              <ul className="plain">
                {Object.entries(ready.data.backends).map(([name, state]) => (
                  <li key={name}>
                    {name}: <StatusBadge status={state === 'ok' ? 'ok' : state} />
                  </li>
                ))}
              </ul>
            </>
          ) : null}
        </article>

        <article className="card" aria-labelledby="conn-title">
          <h2 id="conn-title">Connections</h2>
          {base === null ? <NeedTenant /> : null}
          {connections.loading && connections.data === null && base !== null ? <Loading /> : null}
          <ErrorBanner error={connections.error} />
          {connections.data && connections.data.items.length === 0 ? (
            <Empty>
              No connections yet. <Link to="/connections">Connect a provider</Link>.
            </Empty>
          ) : null}
          {connections.data && connections.data.items.length > 0 ? (
            <ul className="plain">
              {connections.data.items.map((connection) => (
                <li key={connection.id}>
                  <strong>{connection.name}</strong> ({connection.provider}) <StatusBadge status={connection.status} />
                </li>
              ))}
            </ul>
          ) : null}
        </article>

        <article className="card wide" aria-labelledby="runs-title">
          <h2 id="runs-title">Syncs in the last 24 hours</h2>
          {base === null ? <NeedTenant /> : null}
          {runs.loading && runs.data === null && base !== null ? <Loading /> : null}
          <ErrorBanner error={runs.error} />
          {runs.data ? (
            <>
              <SyncChart buckets={hourlySeries(runs.data, Date.now())} />
              <p className="muted">
                {runs.data.length} runs{live ? ', one or more under way (updating)' : ''}. <Link to="/integrations">Integrations and their runs</Link>
              </p>
            </>
          ) : null}
        </article>

        <article className="card" aria-labelledby="waiting-title">
          <h2 id="waiting-title">Waiting for a decision</h2>
          {base === null ? <NeedTenant /> : null}
          <ErrorBanner error={waiting.error} />
          {waiting.data ? (
            <ul className="plain counts">
              <li>
                <Link to="/conflicts">
                  <strong>{waiting.data.conflicts}</strong> open conflicts
                </Link>
              </li>
              <li>
                <Link to="/dedup">
                  <strong>{waiting.data.reviews}</strong> dedup reviews
                </Link>
              </li>
            </ul>
          ) : null}
        </article>

        <article className="card" aria-labelledby="queue-title">
          <h2 id="queue-title">Queue depth</h2>
          {queues.loading && queues.data === null ? <Loading /> : null}
          {queues.error ? (
            <p className="muted">{queues.error.status === 403 || queues.error.status === 401 ? 'Queue metrics need the admin key on this deployment.' : queues.error.message}</p>
          ) : null}
          {queues.data && queues.data.length === 0 ? <Empty>No queue has reported yet.</Empty> : null}
          {queues.data && queues.data.length > 0 ? (
            <table>
              <caption className="sr-only">Jobs waiting per queue</caption>
              <thead>
                <tr>
                  <th scope="col">Queue</th>
                  <th scope="col">Waiting jobs</th>
                </tr>
              </thead>
              <tbody>
                {queues.data.map((row) => (
                  <tr key={row.queue}>
                    <td>{row.queue}</td>
                    <td>{row.depth}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
        </article>

        <article className="card" aria-labelledby="rl-title">
          <h2 id="rl-title">Rate-limit usage per provider</h2>
          {limits.loading && limits.data === null ? <Loading /> : null}
          <ErrorBanner error={limits.error} />
          {limits.data && perProvider.size === 0 ? <Empty>No provider calls counted in the current windows.</Empty> : null}
          {perProvider.size > 0 ? (
            <ul className="plain">
              {[...perProvider].map(([provider, sum]) => (
                <li key={provider}>
                  {provider}: <Usage used={sum.used} limit={sum.limit} />
                </li>
              ))}
            </ul>
          ) : null}
          <p>
            <Link to="/rate-limits">All budgets</Link>
          </p>
        </article>
      </div>
    </section>
  );
}
