import { useEffect, useRef, useState } from 'react';
import type { Connection, Integration, Page, Run } from '../api/types.ts';
import type { ApiError } from '../api/client.ts';
import { ErrorBanner, NeedTenant, Notice, StatusBadge, asApiError, formatTime, useLoad } from '../components.tsx';
import { useSession } from '../session-context.tsx';
import { DataTable } from '../table.tsx';
import type { Column } from '../table.tsx';
import { IntegrationForm } from './IntegrationForm.tsx';
import { MappingEditor } from './MappingEditor.tsx';

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
  /** What the panel under the list shows for the selected integration. */
  const [panel, setPanel] = useState<'runs' | 'settings' | 'mapping' | 'new'>('runs');
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  /** The run "Run now" started (or found under way), followed in the history until it ends. */
  const [awaited, setAwaited] = useState<{ integrationId: string; runId: string } | null>(null);
  /** "Run now" presses: each reads the run history again, so the run just started shows. */
  const [presses, setPresses] = useState(0);

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
      setPanel('runs');
      setAwaited({ integrationId: integration.id, runId: started.runId });
      setPresses((count) => count + 1);
    } catch (caught) {
      setError(asApiError(caught));
    }
  };

  const open = (integration: Integration, what: 'runs' | 'settings' | 'mapping') => {
    setSelected(integration.id);
    setPanel(what);
  };
  const columns: Column<Integration>[] = [
    {
      header: 'Object',
      cell: (integration) => (
        <>
          {integration.object}
          <div className="muted mono">{integration.id}</div>
        </>
      ),
    },
    { header: 'Connection', cell: (integration) => connectionName(integration.connectionId) },
    { header: 'Direction', cell: (integration) => integration.direction },
    { header: 'Schedule', cell: (integration) => describeSchedule(integration.schedule) },
    { header: 'Priority', cell: (integration) => integration.priority },
    { header: 'State', cell: (integration) => (integration.enabled ? 'enabled' : 'paused') },
    { header: 'Synced up to', cell: (integration) => formatTime(integration.cursorUpdatedAt) },
    {
      header: 'Actions',
      hideHeader: true,
      className: 'actions',
      cell: (integration) => (
        <>
          <button type="button" onClick={() => runNow(integration)}>
            Run now <span className="sr-only">{integration.object}</span>
          </button>
          {(['runs', 'mapping', 'settings'] as const).map((what) => (
            <button key={what} type="button" className="secondary" onClick={() => open(integration, what)} aria-pressed={integration.id === selected && panel === what}>
              {what === 'runs' ? 'Runs' : what === 'mapping' ? 'Mapping' : 'Settings'} <span className="sr-only">of {integration.object}</span>
            </button>
          ))}
        </>
      ),
    },
  ];
  const current = list.data?.items.find((integration) => integration.id === selected) ?? null;

  return (
    <section aria-labelledby="integrations-title">
      <h1 id="integrations-title">Integrations</h1>
      {notice ? <Notice>{notice}</Notice> : null}
      <ErrorBanner error={error} />
      <DataTable
        caption="Integrations"
        columns={columns}
        rows={list.data?.items ?? null}
        rowKey={(integration) => integration.id}
        loading={list.loading}
        error={list.error}
        empty="No integrations yet. Create one below once a provider is connected."
        current={selected}
      />
      {panel !== 'new' ? (
        <button
          type="button"
          onClick={() => {
            setSelected(null);
            setPanel('new');
          }}
        >
          New integration
        </button>
      ) : (
        <IntegrationForm
          base={base}
          integration={null}
          connections={connections.data?.items ?? []}
          onCancel={() => setPanel('runs')}
          onSaved={(saved) => {
            setNotice(`Integration ${saved.object} created.`);
            setSelected(saved.id);
            setPanel('mapping');
            list.reload();
          }}
        />
      )}
      {current !== null && panel === 'runs' ? (
        <RunHistory
          key={current.id}
          base={base}
          integrationId={current.id}
          pollMs={pollMs}
          presses={presses}
          awaitedRunId={awaited?.integrationId === current.id ? awaited.runId : null}
          onFinished={() => {
            setAwaited(null);
            list.reload();
          }}
        />
      ) : null}
      {current !== null && panel === 'mapping' ? <MappingEditor key={current.id} base={base} integrationId={current.id} /> : null}
      {current !== null && panel === 'settings' ? (
        <IntegrationForm
          key={current.id}
          base={base}
          integration={current}
          connections={connections.data?.items ?? []}
          onCancel={() => setPanel('runs')}
          onSaved={(saved) => {
            setNotice(`Settings of ${saved.object} saved.`);
            setPanel('runs');
            list.reload();
          }}
        />
      ) : null}
    </section>
  );
}

/**
 * The runs of one integration, newest first: read again on each "Run now" (`presses`) and
 * every `pollMs` while one is live. `onFinished` is called once the awaited run shows ended
 * (however fast it was), or when live runs end while watched: the integration's "synced up
 * to" moved.
 */
function RunHistory(props: { base: string; integrationId: string; pollMs: number; presses: number; awaitedRunId: string | null; onFinished(): void }) {
  const { base, integrationId, pollMs, presses, awaitedRunId, onFinished } = props;
  const { api } = useSession();
  const runs = useLoad(() => api.get<Page<Run>>(`${base}/integrations/${integrationId}/runs`, { limit: 20 }), [api, base, integrationId, presses]);
  const live = (runs.data?.items ?? []).some((run) => LIVE.has(run.status));
  const { reload } = runs;
  useEffect(() => {
    if (!live) return;
    const timer = window.setTimeout(reload, pollMs);
    return () => window.clearTimeout(timer);
  }, [live, runs.data, reload, pollMs]);
  const wasLive = useRef(false);
  const awaitedEnded = runs.data?.items.some((run) => run.id === awaitedRunId && !LIVE.has(run.status)) ?? false;
  useEffect(() => {
    const ended = (wasLive.current && !live) || awaitedEnded;
    wasLive.current = live;
    if (ended) onFinished();
  }, [live, awaitedEnded, onFinished]);

  return (
    <section aria-labelledby="runs-title" aria-live="polite">
      <h2 id="runs-title">Runs</h2>
      <DataTable caption="Runs, newest first" columns={RUN_COLUMNS} rows={runs.data?.items ?? null} rowKey={(run) => run.id} loading={runs.loading} error={runs.error} empty="This integration has not run yet." />
    </section>
  );
}

const RUN_COLUMNS: Column<Run>[] = [
  {
    header: 'Started',
    cell: (run) => (
      <>
        {formatTime(run.startedAt)}
        <div className="muted mono">{run.id}</div>
      </>
    ),
  },
  { header: 'Type', cell: (run) => `${run.type}${run.fullResync ? ' (full)' : ''}` },
  {
    header: 'Status',
    // The run's own word (queued, running, succeeded, ...), coloured by how it went.
    cell: (run) => <StatusBadge status={run.status === 'succeeded' ? 'ok' : LIVE.has(run.status) ? 'pending' : run.status} label={run.status} />,
  },
  {
    header: 'Progress',
    cell: (run) => (
      <>
        {run.totalEstimate !== null && run.totalEstimate > 0 ? (
          <progress max={run.totalEstimate} value={Math.min(run.recordsSoFar, run.totalEstimate)} aria-label={`${run.recordsSoFar} of about ${run.totalEstimate} records`} />
        ) : null}{' '}
        {run.recordsSoFar} records, {run.pages} pages
      </>
    ),
  },
  { header: 'Created / updated / failed', cell: (run) => `${run.counts.created ?? 0} / ${run.counts.updated ?? 0} / ${run.counts.failed ?? 0}` },
  { header: 'Finished', cell: (run) => formatTime(run.finishedAt) },
  { header: 'Error', cell: (run) => (run.error ? `${run.error.code ?? ''} ${run.error.message ?? ''}`.trim() : '—') },
];
