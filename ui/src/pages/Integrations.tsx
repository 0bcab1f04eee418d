import { useEffect, useState } from 'react';
import type { Connection, Integration, Page, Run } from '../api/types.ts';
import type { ApiError } from '../api/client.ts';
import { Empty, ErrorBanner, Loading, NeedTenant, Notice, StatusBadge, asApiError, formatTime, useLoad } from '../components.tsx';
import { useSession } from '../session-context.tsx';

/** How often the run history is read again while a run is queued or running. */
const POLL_MS = 2000;

const LIVE = new Set(['queued', 'running', 'retrying']);

export function describeSchedule(schedule: Integration['schedule']): string {
  if (schedule === null) return 'manual';
  if ('cron' in schedule) return `cron ${schedule.cron}`;
  const seconds = Math.round(schedule.intervalMs / 1000);
  return seconds % 3600 === 0 ? `every ${seconds / 3600} h` : seconds % 60 === 0 ? `every ${seconds / 60} min` : `every ${seconds} s`;
}

/** Integrations: the tenant's syncs, run one now, and its run history with live progress. */
export function Integrations({ pollMs = POLL_MS }: { pollMs?: number } = {}) {
  const { api, tenantBase } = useSession();
  const base = tenantBase();
  const list = useLoad(async () => (base === null ? null : api.get<Page<Integration>>(`${base}/integrations`, { limit: 200 })), [api, base]);
  const connections = useLoad(async () => (base === null ? null : api.get<Page<Connection>>(`${base}/connections`, { limit: 200 })), [api, base]);
  const [selected, setSelected] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);

  if (base === null) {
    return (
      <section>
        <h1>Integrations</h1>
        <NeedTenant />
      </section>
    );
  }

  const connectionName = (id: string) => connections.data?.items.find((connection) => connection.id === id)?.name ?? id;

  const runNow = async (integration: Integration) => {
    setError(null);
    try {
      const started = await api.post<{ runId: string; alreadyRunning: boolean }>(`${base}/integrations/${integration.id}/sync`, {});
      setNotice(started.alreadyRunning ? `A run of ${integration.object} is already under way (${started.runId}).` : `Run ${started.runId} started for ${integration.object}.`);
      setSelected(integration.id);
    } catch (caught) {
      setError(asApiError(caught));
    }
  };

  return (
    <section aria-labelledby="integrations-title">
      <h1 id="integrations-title">Integrations</h1>
      {notice ? <Notice>{notice}</Notice> : null}
      <ErrorBanner error={error ?? list.error} />
      {list.loading && list.data === null ? <Loading /> : null}
      {list.data && list.data.items.length === 0 ? <Empty>No integrations yet. They are created through the API (POST /v1/integrations) for now.</Empty> : null}
      {list.data && list.data.items.length > 0 ? (
        <div className="table-wrap">
          <table>
            <caption className="sr-only">Integrations</caption>
            <thead>
              <tr>
                <th scope="col">Object</th>
                <th scope="col">Connection</th>
                <th scope="col">Direction</th>
                <th scope="col">Schedule</th>
                <th scope="col">Priority</th>
                <th scope="col">State</th>
                <th scope="col">Synced up to</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((integration) => (
                <tr key={integration.id} aria-selected={integration.id === selected}>
                  <td>
                    {integration.object}
                    <div className="muted mono">{integration.id}</div>
                  </td>
                  <td>{connectionName(integration.connectionId)}</td>
                  <td>{integration.direction}</td>
                  <td>{describeSchedule(integration.schedule)}</td>
                  <td>{integration.priority}</td>
                  <td>{integration.enabled ? 'enabled' : 'paused'}</td>
                  <td>{formatTime(integration.cursorUpdatedAt)}</td>
                  <td className="actions">
                    <button type="button" onClick={() => runNow(integration)}>
                      Run now <span className="sr-only">{integration.object}</span>
                    </button>
                    <button type="button" className="secondary" onClick={() => setSelected(integration.id)} aria-pressed={integration.id === selected}>
                      Runs <span className="sr-only">of {integration.object}</span>
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {selected !== null ? <RunHistory base={base} integrationId={selected} pollMs={pollMs} /> : null}
    </section>
  );
}

/** The runs of one integration, newest first, read again every `pollMs` while one is live. */
function RunHistory({ base, integrationId, pollMs }: { base: string; integrationId: string; pollMs: number }) {
  const { api } = useSession();
  const runs = useLoad(() => api.get<Page<Run>>(`${base}/integrations/${integrationId}/runs`, { limit: 20 }), [api, base, integrationId]);
  const live = (runs.data?.items ?? []).some((run) => LIVE.has(run.status));
  const { reload } = runs;
  useEffect(() => {
    if (!live) return;
    const timer = window.setTimeout(reload, pollMs);
    return () => window.clearTimeout(timer);
  }, [live, runs.data, reload, pollMs]);

  return (
    <section aria-labelledby="runs-title" aria-live="polite">
      <h2 id="runs-title">Runs</h2>
      <ErrorBanner error={runs.error} />
      {runs.loading && runs.data === null ? <Loading /> : null}
      {runs.data && runs.data.items.length === 0 ? <Empty>This integration has not run yet.</Empty> : null}
      {runs.data && runs.data.items.length > 0 ? (
        <div className="table-wrap">
          <table>
            <caption className="sr-only">Runs, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Started</th>
                <th scope="col">Type</th>
                <th scope="col">Status</th>
                <th scope="col">Progress</th>
                <th scope="col">Created / updated / failed</th>
                <th scope="col">Finished</th>
                <th scope="col">Error</th>
              </tr>
            </thead>
            <tbody>
              {runs.data.items.map((run) => (
                <tr key={run.id}>
                  <td>{formatTime(run.startedAt)}</td>
                  <td>
                    {run.type}
                    {run.fullResync ? ' (full)' : ''}
                  </td>
                  <td>
                    <StatusBadge status={run.status === 'succeeded' ? 'ok' : LIVE.has(run.status) ? 'pending' : run.status} />
                    <span className="sr-only"> {run.status}</span>
                  </td>
                  <td>
                    {run.totalEstimate !== null && run.totalEstimate > 0 ? (
                      <progress max={run.totalEstimate} value={Math.min(run.recordsSoFar, run.totalEstimate)} aria-label={`${run.recordsSoFar} of about ${run.totalEstimate} records`} />
                    ) : null}{' '}
                    {run.recordsSoFar} records, {run.pages} pages
                  </td>
                  <td>
                    {run.counts.created ?? 0} / {run.counts.updated ?? 0} / {run.counts.failed ?? 0}
                  </td>
                  <td>{formatTime(run.finishedAt)}</td>
                  <td>{run.error ? `${run.error.code ?? ''} ${run.error.message ?? ''}`.trim() : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
