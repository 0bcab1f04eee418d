import { useState } from 'react';
import type { FormEvent } from 'react';
import { formField } from '../api/client.ts';
import type { ApiError } from '../api/client.ts';
import type { Connection, Integration } from '../api/types.ts';
import { ErrorBanner, SelectField, TextField, asApiError } from '../components.tsx';
import { useSession } from '../session-context.tsx';
// Plain constants of the domain (no imports, no I/O): one list of strategies and owners. No API route lists them.
import { CONFLICT_STRATEGIES, FIELD_OWNERS } from '../../../src/domain/conflict.ts';

type ScheduleKind = 'manual' | 'interval' | 'cron';
interface Pair {
  field: string;
  value: string;
}
const DEDUP_TYPES = ['person', 'organization'] as const;

/** The form's state from an integration (or the defaults for a new one). */
export function formState(integration: Integration | null) {
  const schedule = integration?.schedule ?? null;
  const strategy = integration?.conflictStrategy ?? {};
  const overrides = (strategy.fields ?? {}) as Record<string, unknown>;
  return {
    direction: integration?.direction ?? 'pull',
    priority: integration?.priority ?? 'normal',
    enabled: integration?.enabled ?? true,
    scheduleKind: (schedule === null ? 'manual' : 'cron' in schedule ? 'cron' : 'interval') as ScheduleKind,
    intervalMinutes: schedule !== null && 'intervalMs' in schedule ? String(schedule.intervalMs / 60000) : '15',
    cron: schedule !== null && 'cron' in schedule ? schedule.cron : '',
    strategy: typeof strategy.strategy === 'string' ? strategy.strategy : 'last_write_wins',
    // Per-field rules written as a strategy name; object rules (a priority list) stay as they are.
    overrides: Object.entries(overrides).flatMap(([field, rule]) => (typeof rule === 'string' ? [{ field, value: rule }] : [])),
    ownership: Object.entries(integration?.fieldOwnership ?? {}).map(([field, owner]) => ({ field, value: String(owner) })),
    dedupRules: JSON.stringify(integration?.dedupRules ?? {}, null, 2),
  };
}
export type FormState = ReturnType<typeof formState>;

/** The settings PATCH (or POST) body from the form. Throws with `field` set when the dedup JSON does not parse. */
export function settingsBody(state: FormState, original: Integration | null): Record<string, unknown> {
  let dedupRules: unknown;
  try {
    dedupRules = JSON.parse(state.dedupRules === '' ? '{}' : state.dedupRules);
  } catch {
    throw Object.assign(new Error('Dedup rules must be a JSON object.'), { field: 'dedupRules' });
  }
  if (dedupRules === null || typeof dedupRules !== 'object' || Array.isArray(dedupRules)) throw Object.assign(new Error('Dedup rules must be a JSON object.'), { field: 'dedupRules' });
  const kept = { ...(original?.conflictStrategy ?? {}) };
  const objectRules = Object.fromEntries(Object.entries((kept.fields ?? {}) as Record<string, unknown>).filter(([, rule]) => typeof rule !== 'string'));
  const fields = { ...objectRules, ...Object.fromEntries(state.overrides.filter((pair) => pair.field.trim() !== '').map((pair) => [pair.field.trim(), pair.value])) };
  delete kept.fields;
  return {
    direction: state.direction,
    priority: state.priority,
    enabled: state.enabled,
    schedule: state.scheduleKind === 'manual' ? null : state.scheduleKind === 'cron' ? { cron: state.cron } : { intervalMs: Math.round(Number(state.intervalMinutes) * 60000) },
    conflictStrategy: { ...kept, strategy: state.strategy, ...(Object.keys(fields).length > 0 ? { fields } : {}) },
    fieldOwnership: Object.fromEntries(state.ownership.filter((pair) => pair.field.trim() !== '').map((pair) => [pair.field.trim(), pair.value])),
    dedupRules,
  };
}

/** The thresholds of a custom rule set in the dedup JSON, or null when the type uses the built-in rules. */
function thresholdsOf(json: string, type: string): { match: number; review: number } | null {
  try {
    const rules = (JSON.parse(json) as Record<string, { fields?: unknown; thresholds?: { match?: number; review?: number } }>)[type];
    if (!rules || !Array.isArray(rules.fields)) return null;
    return { match: rules.thresholds?.match ?? 0.9, review: rules.thresholds?.review ?? 0.5 };
  } catch {
    return null;
  }
}

function withThreshold(json: string, type: string, name: 'match' | 'review', value: number): string {
  const all = JSON.parse(json) as Record<string, Record<string, unknown>>;
  const rules = all[type] ?? {};
  all[type] = { ...rules, thresholds: { ...(rules.thresholds as object | undefined), [name]: value } };
  return JSON.stringify(all, null, 2);
}

/** Whether matching is on in the dedup JSON (on unless `enabled: false`; unreadable JSON counts as on). */
function dedupEnabled(json: string): boolean {
  try {
    return (JSON.parse(json) as { enabled?: unknown }).enabled !== false;
  } catch {
    return true;
  }
}

function withEnabled(json: string, enabled: boolean): string {
  let all: Record<string, unknown> = {};
  try {
    all = JSON.parse(json) as Record<string, unknown>;
  } catch {
    // Unreadable JSON is replaced: the checkbox is the intent.
  }
  const { enabled: _old, ...rest } = all;
  return JSON.stringify(enabled ? rest : { ...rest, enabled: false }, null, 2);
}

/** Create an integration, or edit one's settings: schedule, priority, conflict strategy and field ownership, dedup. */
export function IntegrationForm({ base, integration, connections, onSaved, onCancel }: { base: string; integration: Integration | null; connections: Connection[]; onSaved(saved: Integration): void; onCancel(): void }) {
  const { api } = useSession();
  const [state, setState] = useState(() => formState(integration));
  const [connectionId, setConnectionId] = useState('');
  const [object, setObject] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [dedupError, setDedupError] = useState<string | null>(null);
  const set = <K extends keyof FormState>(key: K, value: FormState[K]) => setState((previous) => ({ ...previous, [key]: value }));
  const fieldError = (name: string) => (error && formField(error.field)?.startsWith(name) ? error.message : null);
  const objects = connections.find((connection) => connection.id === connectionId)?.objects ?? [];

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setDedupError(null);
    let body: Record<string, unknown>;
    try {
      body = settingsBody(state, integration);
    } catch (caught) {
      setDedupError((caught as Error).message);
      return;
    }
    try {
      const saved = integration
        ? await api.patch<Integration>(`${base}/integrations/${integration.id}`, body)
        : await api.post<Integration>(`${base}/integrations`, { connectionId, object, ...body });
      onSaved(saved);
    } catch (caught) {
      setError(asApiError(caught));
    }
  };

  const pairs = (key: 'overrides' | 'ownership', label: string, options: readonly string[]) => (
    <fieldset className="pairs">
      <legend>{label}</legend>
      {state[key].map((pair, index) => (
        <div className="row" key={index}>
          <TextField label={`${label}: field ${index + 1}`} value={pair.field} onChange={(event) => set(key, state[key].map((old, i) => (i === index ? { ...old, field: event.target.value } : old)))} />
          <SelectField label={`${label}: rule ${index + 1}`} value={pair.value} onChange={(event) => set(key, state[key].map((old, i) => (i === index ? { ...old, value: event.target.value } : old)))}>
            {options.map((option) => (
              <option key={option} value={option}>
                {option}
              </option>
            ))}
          </SelectField>
          <button type="button" className="danger small" onClick={() => set(key, state[key].filter((_, i) => i !== index))}>
            Remove <span className="sr-only">{label} {index + 1}</span>
          </button>
        </div>
      ))}
      <button type="button" className="secondary small" onClick={() => set(key, [...state[key], { field: '', value: options[0] ?? '' } satisfies Pair])}>
        Add {label.toLowerCase()}
      </button>
      {fieldError(key === 'overrides' ? 'conflictStrategy.fields' : 'fieldOwnership') ? <p className="field-error">{fieldError(key === 'overrides' ? 'conflictStrategy.fields' : 'fieldOwnership')}</p> : null}
    </fieldset>
  );

  return (
    <form className="panel" onSubmit={submit} aria-labelledby="integration-form-title">
      <h2 id="integration-form-title">{integration ? `Settings of ${integration.object}` : 'New integration'}</h2>
      <ErrorBanner error={error} />
      {integration === null ? (
        <div className="row">
          <SelectField label="Connection" required value={connectionId} error={fieldError('connectionId')} onChange={(event) => setConnectionId(event.target.value)}>
            <option value="">Choose…</option>
            {connections.map((connection) => (
              <option key={connection.id} value={connection.id}>
                {connection.name} ({connection.provider})
              </option>
            ))}
          </SelectField>
          <TextField label="Object" required list="integration-objects" value={object} error={fieldError('object')} onChange={(event) => setObject(event.target.value)} placeholder="contacts" />
          <datalist id="integration-objects">
            {objects.map((name) => (
              <option key={name} value={name} />
            ))}
          </datalist>
        </div>
      ) : null}
      <div className="row">
        <SelectField label="Direction" value={state.direction} onChange={(event) => set('direction', event.target.value as FormState['direction'])}>
          <option value="pull">pull (provider to Tributary)</option>
          <option value="push">push (Tributary to provider)</option>
          <option value="bidirectional">both ways</option>
        </SelectField>
        <SelectField label="Priority" value={state.priority} onChange={(event) => set('priority', event.target.value as FormState['priority'])}>
          <option value="high">high</option>
          <option value="normal">normal</option>
          <option value="low">low</option>
        </SelectField>
        <SelectField label="Schedule" value={state.scheduleKind} onChange={(event) => set('scheduleKind', event.target.value as ScheduleKind)}>
          <option value="manual">manual only</option>
          <option value="interval">every N minutes</option>
          <option value="cron">cron expression (UTC)</option>
        </SelectField>
        {state.scheduleKind === 'interval' ? <TextField label="Minutes between runs" type="number" min={1} step="any" value={state.intervalMinutes} error={fieldError('schedule')} onChange={(event) => set('intervalMinutes', event.target.value)} /> : null}
        {state.scheduleKind === 'cron' ? <TextField label="Cron" value={state.cron} error={fieldError('schedule')} placeholder="0 * * * *" onChange={(event) => set('cron', event.target.value)} /> : null}
      </div>
      <label className="inline">
        <input type="checkbox" checked={state.enabled} onChange={(event) => set('enabled', event.target.checked)} /> Enabled (scheduled runs happen)
      </label>
      <h3>Conflicts</h3>
      <SelectField label="Conflict strategy" value={state.strategy} error={fieldError('conflictStrategy.strategy')} hint="When a field changed on both sides since they last agreed." onChange={(event) => set('strategy', event.target.value)}>
        {CONFLICT_STRATEGIES.map((strategy) => (
          <option key={strategy} value={strategy}>
            {strategy}
          </option>
        ))}
      </SelectField>
      {pairs('overrides', 'Per-field strategy', CONFLICT_STRATEGIES)}
      {pairs('ownership', 'Field owner', FIELD_OWNERS)}
      <h3>Deduplication</h3>
      <label className="inline">
        <input type="checkbox" checked={dedupEnabled(state.dedupRules)} onChange={(event) => set('dedupRules', withEnabled(state.dedupRules, event.target.checked))} /> Match new people and organizations with
        other providers&rsquo; records
      </label>
      <div className="row">
        {DEDUP_TYPES.map((type) => {
          const thresholds = thresholdsOf(state.dedupRules, type);
          return (['match', 'review'] as const).map((name) => (
            <TextField
              key={`${type}-${name}`}
              label={`${type} ${name === 'match' ? 'link at' : 'review from'}`}
              type="number"
              min={0}
              max={1}
              step="any"
              disabled={thresholds === null}
              placeholder={name === 'match' ? '0.9' : '0.5'}
              hint={thresholds === null && name === 'match' ? `Built-in ${type} rules: give rules for ${type} in the JSON below to change.` : undefined}
              value={thresholds === null ? '' : String(thresholds[name])}
              onChange={(event) => set('dedupRules', withThreshold(state.dedupRules, type, name, Number(event.target.value)))}
            />
          ));
        })}
      </div>
      <div className="field">
        <label htmlFor="dedup-rules">Dedup rules (JSON)</label>
        <textarea
          id="dedup-rules"
          rows={6}
          className="mono"
          value={state.dedupRules}
          aria-invalid={dedupError ? true : undefined}
          aria-describedby="dedup-rules-hint"
          onChange={(event) => set('dedupRules', event.target.value)}
        />
        <small id="dedup-rules-hint" className={dedupError ? 'field-error' : 'hint'}>
          {dedupError ?? '{"enabled": false} turns matching off; {"person": {"entityType": "person", "fields": [...], "thresholds": {"match": 0.9, "review": 0.5}}} replaces the built-in person rules.'}
        </small>
      </div>
      <div className="actions">
        <button type="submit">{integration ? 'Save settings' : 'Create integration'}</button>
        <button type="button" className="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
