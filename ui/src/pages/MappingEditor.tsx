import { useEffect, useId, useMemo, useState } from 'react';
import type { ApiError } from '../api/client.ts';
import type { FieldMapping, MappingDocument, MappingPreview, TransformCall, TransformInfo } from '../api/types.ts';
import { ErrorBanner, Loading, Notice, asApiError, useLoad } from '../components.tsx';
import { useSession } from '../session-context.tsx';
import { show } from '../table.tsx';

/** Records previewed side by side: enough to see the fields vary, few enough to fit a laptop screen. */
const PREVIEW_RECORDS = 4;

/** How long the editor waits after the last edit before asking for a preview. */
const PREVIEW_DELAY_MS = 500;

/** A copy of `doc` with field `f` of target `t` replaced by `update(field)`; null removes it. */
export function withField(doc: MappingDocument, t: number, f: number, update: (field: FieldMapping) => FieldMapping | null): MappingDocument {
  return {
    ...doc,
    targets: doc.targets.map((target, ti) => {
      if (ti !== t) return target;
      const fields = target.fields.flatMap((field, fi) => {
        if (fi !== f) return [field];
        const next = update(field);
        return next === null ? [] : [next];
      });
      return { ...target, fields };
    }),
  };
}

export function withNewField(doc: MappingDocument, t: number): MappingDocument {
  return { ...doc, targets: doc.targets.map((target, ti) => (ti === t ? { ...target, fields: [...target.fields, { source: '', target: '' }] } : target)) };
}

/**
 * Where the API's error path (`body.mapping/targets/0/fields/2/transforms/0/name`, or
 * `/targets/0/fields/2` from PUT) points: the target and field index, when it names one.
 */
export function fieldAt(path: string | null): { target: number; field: number } | null {
  if (path === null) return null;
  const match = /\/targets\/(\d+)\/fields\/(\d+)/.exec(path);
  return match ? { target: Number(match[1]), field: Number(match[2]) } : null;
}

/**
 * Transform suggestions: the platform's transforms (GET /v1/mapping/transforms) with their
 * description, plus any name the document already uses (kept even if the list did not load).
 */
export function transformNames(doc: MappingDocument, known: readonly TransformInfo[] = []): { name: string; description: string }[] {
  const names = new Map(known.map((transform) => [transform.name, describeTransform(transform)]));
  for (const target of doc.targets) for (const field of target.fields) for (const call of field.transforms ?? []) if (call.name !== '' && !names.has(call.name)) names.set(call.name, '');
  return [...names].map(([name, description]) => ({ name, description })).sort((a, b) => a.name.localeCompare(b.name));
}

function describeTransform(transform: TransformInfo): string {
  const args = transform.args.map((arg) => (arg.required ? arg.name : `${arg.name}?`)).join(', ');
  return `(${args})${transform.invertible ? '' : ' one-way'}: ${transform.description}`;
}

/** The source paths the document reads: suggestions for a new field's source. */
export function sourcePaths(doc: MappingDocument): string[] {
  const paths = new Set<string>();
  for (const target of doc.targets) {
    for (const field of target.fields) {
      if (field.source) paths.add(field.source);
      for (const source of field.sources ?? []) paths.add(source);
    }
  }
  return [...paths].sort();
}

/**
 * The mapping editor: each target's fields as rows (source, transforms, target field), a
 * live preview on a few records fetched from the provider (re-run shortly after each edit),
 * and save (PUT, which validates and bumps the version).
 */
export function MappingEditor({ base, integrationId, previewDelayMs = PREVIEW_DELAY_MS }: { base: string; integrationId: string; previewDelayMs?: number }) {
  const { api } = useSession();
  const saved = useLoad(() => api.get<{ mapping: MappingDocument; version: number }>(`${base}/integrations/${integrationId}/mapping`), [api, base, integrationId]);
  // The same for every tenant (so not under `base`); only suggestions, so a failure is not shown.
  const transforms = useLoad(() => api.get<{ items: TransformInfo[] }>('/v1/mapping/transforms'), [api]);
  const [doc, setDoc] = useState<MappingDocument | null>(null);
  const [version, setVersion] = useState<number | null>(null);
  const [preview, setPreview] = useState<MappingPreview | null>(null);
  const [previewError, setPreviewError] = useState<ApiError | null>(null);
  const [previewing, setPreviewing] = useState(false);
  const [saveError, setSaveError] = useState<ApiError | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [dirty, setDirty] = useState(false);

  useEffect(() => {
    if (saved.data) {
      setDoc(saved.data.mapping);
      setVersion(saved.data.version);
      setDirty(false);
    }
  }, [saved.data]);

  // Live preview: the document as edited, a short while after the last change.
  useEffect(() => {
    if (doc === null) return;
    let live = true;
    const timer = window.setTimeout(() => {
      setPreviewing(true);
      api.post<MappingPreview>(`${base}/integrations/${integrationId}/mapping/preview`, { mapping: doc, limit: PREVIEW_RECORDS }).then(
        (answer) => {
          if (!live) return;
          setPreview(answer);
          setPreviewError(null);
          setPreviewing(false);
        },
        (caught: unknown) => {
          if (!live) return;
          setPreviewError(asApiError(caught));
          setPreviewing(false);
        },
      );
    }, previewDelayMs);
    return () => {
      live = false;
      window.clearTimeout(timer);
    };
  }, [api, base, integrationId, doc, previewDelayMs]);

  const edit = (next: MappingDocument) => {
    setDoc(next);
    setDirty(true);
    setNotice(null);
    setSaveError(null);
  };
  const save = async () => {
    if (doc === null) return;
    setSaveError(null);
    try {
      const answer = await api.put<{ mapping: MappingDocument; version: number }>(`${base}/integrations/${integrationId}/mapping`, { mapping: doc });
      setDoc(answer.mapping);
      setVersion(answer.version);
      setDirty(false);
      setNotice(`Mapping saved as version ${answer.version}.`);
    } catch (caught) {
      setSaveError(asApiError(caught));
    }
  };

  const names = useMemo(() => (doc ? transformNames(doc, transforms.data?.items) : []), [doc, transforms.data]);
  const sources = useMemo(() => (doc ? sourcePaths(doc) : []), [doc]);
  const listId = useId();
  const fault = saveError ?? previewError;
  const faultAt = fieldAt(fault?.field ?? null);

  if (saved.loading && doc === null) return <Loading />;
  if (doc === null) return <ErrorBanner error={saved.error} />;

  return (
    <section className="panel mapping" aria-labelledby="mapping-title">
      <h2 id="mapping-title">
        Mapping: {doc.source.provider} {doc.source.object} <span className="muted">(version {version ?? '—'}{dirty ? ', edited' : ''})</span>
      </h2>
      {notice ? <Notice>{notice}</Notice> : null}
      {fault && faultAt === null ? <ErrorBanner error={fault} /> : null}
      <datalist id={`${listId}-transforms`}>
        {names.map(({ name, description }) => (
          <option key={name} value={name} label={description || undefined} />
        ))}
      </datalist>
      <datalist id={`${listId}-sources`}>
        {sources.map((path) => (
          <option key={path} value={path} />
        ))}
      </datalist>
      {doc.targets.map((target, t) => (
        <fieldset key={`${target.name ?? target.entityType}-${t}`} className="target">
          <legend>
            {target.name ?? target.entityType} <span className="muted">(entity type {target.entityType})</span>
          </legend>
          <div className="table-wrap">
            <table>
              <caption className="sr-only">Fields of {target.name ?? target.entityType}</caption>
              <thead>
                <tr>
                  <th scope="col">Source field</th>
                  <th scope="col">Transforms</th>
                  <th scope="col">Target field</th>
                  <th scope="col">Required</th>
                  <th scope="col">
                    <span className="sr-only">Remove</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {target.fields.map((field, f) => (
                  <FieldRow
                    key={f}
                    field={field}
                    sourceList={`${listId}-sources`}
                    transformList={`${listId}-transforms`}
                    error={faultAt?.target === t && faultAt.field === f ? (fault?.message ?? null) : null}
                    onChange={(update) => edit(withField(doc, t, f, update))}
                  />
                ))}
              </tbody>
            </table>
          </div>
          <button type="button" className="secondary" onClick={() => edit(withNewField(doc, t))}>
            Add field to {target.name ?? target.entityType}
          </button>
        </fieldset>
      ))}
      <div className="actions">
        <button type="button" onClick={save} disabled={!dirty}>
          Save mapping
        </button>
        <button
          type="button"
          className="secondary"
          disabled={!dirty}
          onClick={() => {
            if (saved.data) setDoc(saved.data.mapping);
            setDirty(false);
            setSaveError(null);
          }}
        >
          Discard changes
        </button>
      </div>
      <Preview preview={preview} previewing={previewing} failed={previewError !== null} />
    </section>
  );
}

function FieldRow({ field, sourceList, transformList, error, onChange }: { field: FieldMapping; sourceList: string; transformList: string; error: string | null; onChange(update: (field: FieldMapping) => FieldMapping | null): void }) {
  const label = field.target || 'new field';
  const errorId = useId();
  const sourceText = field.sources ? field.sources.join(', ') : (field.source ?? '');
  const transforms = field.transforms ?? [];
  const setTransforms = (next: TransformCall[]) =>
    onChange((current) => {
      const { transforms: _old, ...rest } = current;
      return next.length > 0 ? { ...rest, transforms: next } : rest;
    });
  return (
    <tr className={error ? 'row-error' : undefined}>
      <td>
        <input
          type="text"
          aria-label={`Source of ${label}`}
          list={sourceList}
          value={sourceText}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? errorId : undefined}
          onChange={(event) => {
            const text = event.target.value;
            onChange((current) => {
              const { source: _source, sources: _sources, ...rest } = current;
              // Several comma-separated paths are `sources` (handed to the first transform as an array).
              const parts = text.split(',').map((part) => part.trim());
              return parts.length > 1 ? { ...rest, sources: parts } : { ...rest, source: text };
            });
          }}
        />
        {error ? (
          <small id={errorId} className="field-error" role="alert">
            {error}
          </small>
        ) : null}
      </td>
      <td>
        <ol className="transforms">
          {transforms.map((call, index) => (
            <TransformStep
              key={index}
              call={call}
              label={`${label} step ${index + 1}`}
              list={transformList}
              onChange={(next) => setTransforms(next === null ? transforms.filter((_, i) => i !== index) : transforms.map((old, i) => (i === index ? next : old)))}
            />
          ))}
        </ol>
        <button type="button" className="secondary small" onClick={() => setTransforms([...transforms, { name: '' }])}>
          Add transform <span className="sr-only">to {label}</span>
        </button>
      </td>
      <td>
        <input type="text" aria-label={`Target field ${label}`} value={field.target} onChange={(event) => onChange((current) => ({ ...current, target: event.target.value }))} />
      </td>
      <td>
        <input type="checkbox" aria-label={`${label} is required`} checked={field.required === true} onChange={(event) => onChange((current) => ({ ...current, required: event.target.checked }))} />
      </td>
      <td>
        <button type="button" className="danger small" onClick={() => onChange(() => null)}>
          Remove <span className="sr-only">{label}</span>
        </button>
      </td>
    </tr>
  );
}

/** One transform: its name and its arguments as a JSON array (`["US"]`), committed when the JSON parses. */
function TransformStep({ call, label, list, onChange }: { call: TransformCall; label: string; list: string; onChange(next: TransformCall | null): void }) {
  const [argsText, setArgsText] = useState(call.args && call.args.length > 0 ? JSON.stringify(call.args) : '');
  const [argsError, setArgsError] = useState<string | null>(null);
  const errorId = useId();
  // Rows are keyed by position: when a step above is removed, this one shows another call; follow it.
  const argsJson = call.args && call.args.length > 0 ? JSON.stringify(call.args) : '';
  useEffect(() => {
    setArgsText((text) => {
      try {
        return text.trim() !== '' && JSON.stringify(JSON.parse(text)) === argsJson ? text : argsJson;
      } catch {
        return text;
      }
    });
  }, [argsJson]);
  return (
    <li>
      <input type="text" aria-label={`Transform ${label}`} list={list} value={call.name} onChange={(event) => onChange({ ...call, name: event.target.value })} />
      <input
        type="text"
        aria-label={`Arguments of ${label}`}
        placeholder='["arg"]'
        value={argsText}
        aria-invalid={argsError ? true : undefined}
        aria-describedby={argsError ? errorId : undefined}
        onChange={(event) => {
          const text = event.target.value;
          setArgsText(text);
          if (text.trim() === '') {
            setArgsError(null);
            const { args: _args, ...rest } = call;
            onChange(rest);
            return;
          }
          try {
            const parsed: unknown = JSON.parse(text);
            if (!Array.isArray(parsed)) throw new Error('not an array');
            setArgsError(null);
            onChange({ ...call, args: parsed });
          } catch {
            setArgsError('Arguments are a JSON array, such as ["US"].');
          }
        }}
      />
      <button type="button" className="danger small" onClick={() => onChange(null)}>
        Remove <span className="sr-only">transform {label}</span>
      </button>
      {argsError ? (
        <small id={errorId} className="field-error">
          {argsError}
        </small>
      ) : null}
    </li>
  );
}

function Preview({ preview, previewing, failed }: { preview: MappingPreview | null; previewing: boolean; failed: boolean }) {
  return (
    <section aria-labelledby="preview-title" aria-live="polite" aria-busy={previewing}>
      <h3 id="preview-title">Preview on live records {previewing ? <span className="muted">(updating…)</span> : null}</h3>
      {failed ? <p className="muted">The preview shows the last mapping that worked; fix the error above to update it.</p> : null}
      {preview === null ? (
        previewing || !failed ? <Loading /> : null
      ) : preview.records.length === 0 ? (
        <p className="empty">The provider returned no records to preview.</p>
      ) : (
        <PreviewTable preview={preview} />
      )}
    </section>
  );
}

/** The preview with the records side by side: one row per target field, one column per record. */
function PreviewTable({ preview }: { preview: MappingPreview }) {
  const fields = [...new Set(preview.records.flatMap((record) => record.fields.map((field) => field.field)))];
  const cell = (record: MappingPreview['records'][number], name: string) => {
    const found = record.fields.filter((field) => field.field === name);
    if (found.length === 0) return <td key={record.externalId}>—</td>;
    const failed = found.find((field) => field.error !== undefined);
    return (
      <td key={record.externalId} className={failed ? 'field-error' : 'mono'}>
        {failed ? `Error: ${failed.error}` : found.map((field) => show(field.value)).join(' · ')}
      </td>
    );
  };
  const issues = preview.records.flatMap((record) => record.errors.map((issue) => ({ record: record.externalId, ...issue })));
  return (
    <>
      <div className="table-wrap">
        <table className="preview">
          <caption className="sr-only">Target fields of each previewed record</caption>
          <thead>
            <tr>
              <th scope="col">Target field</th>
              {preview.records.map((record) => (
                <th scope="col" key={record.externalId} className="mono">
                  Record {record.externalId}
                  {record.failed ? ' (fails to map)' : ''}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {fields.map((name) => (
              <tr key={name}>
                <th scope="row">{name}</th>
                {preview.records.map((record) => cell(record, name))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {issues.length > 0 ? (
        <ul className="plain">
          {issues.map((issue, index) => (
            <li key={index} className="field-error">
              Record {issue.record}, {issue.field}: {issue.reason}
            </li>
          ))}
        </ul>
      ) : null}
      {preview.missing.length > 0 ? <p className="muted">Not found at the provider: {preview.missing.join(', ')}</p> : null}
    </>
  );
}
