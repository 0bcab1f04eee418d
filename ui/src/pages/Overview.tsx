import type { Connection, Page, RateLimitStatus, Readiness } from '../api/types.ts';
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

/** Overview: backend health, connections and their health, queue depth, rate-limit usage per provider. */
export function Overview() {
  const { api, tenantBase } = useSession();
  const base = tenantBase();
  const ready = useLoad(() => api.probe<Readiness>('/ready'), [api]);
  const connections = useLoad(async () => (base === null ? null : api.get<Page<Connection>>(`${base}/connections`, { limit: 200 })), [api, base]);
  const limits = useLoad(() => api.get<RateLimitStatus>('/v1/rate-limits'), [api]);
  const queues = useLoad(async () => parseQueueDepth(await api.text('/metrics')), [api]);

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
