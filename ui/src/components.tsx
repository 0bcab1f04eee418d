import { useCallback, useEffect, useId, useRef, useState } from 'react';
import type { InputHTMLAttributes, ReactNode, SelectHTMLAttributes } from 'react';
import { ApiError } from './api/client.ts';

/** Shared building blocks: loading state, error banner, labelled fields with their error. */

export interface Loaded<T> {
  data: T | null;
  error: ApiError | null;
  loading: boolean;
  reload: () => void;
}

/** Runs `load` on mount and whenever `deps` change; `reload()` runs it again. */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data: T | null; error: ApiError | null; loading: boolean }>({ data: null, error: null, loading: true });
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    let live = true;
    setState((previous) => ({ ...previous, loading: true }));
    loadRef.current().then(
      (data) => live && setState({ data, error: null, loading: false }),
      (error: unknown) => live && setState({ data: null, error: asApiError(error), loading: false }),
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { ...state, reload };
}

export function asApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  return new ApiError(0, 'UNEXPECTED', error instanceof Error ? error.message : String(error));
}

export function ErrorBanner({ error }: { error: ApiError | null }) {
  if (error === null) return null;
  return (
    <div className="banner banner-error" role="alert">
      <strong>{error.code}</strong>: {error.message}
    </div>
  );
}

export function Notice({ children }: { children: ReactNode }) {
  return (
    <div className="banner banner-ok" role="status">
      {children}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}

export function Loading() {
  return (
    <p className="muted" role="status" aria-live="polite">
      Loading…
    </p>
  );
}

interface FieldProps {
  label: string;
  error?: string | null;
  hint?: string;
}

export function TextField({ label, error, hint, ...input }: FieldProps & InputHTMLAttributes<HTMLInputElement>) {
  const id = useId();
  const describedBy = [error ? `${id}-error` : null, hint ? `${id}-hint` : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} aria-invalid={error ? true : undefined} aria-describedby={describedBy} {...input} />
      {hint ? (
        <small id={`${id}-hint`} className="hint">
          {hint}
        </small>
      ) : null}
      {error ? (
        <small id={`${id}-error`} className="field-error">
          {error}
        </small>
      ) : null}
    </div>
  );
}

export function SelectField({ label, error, hint, children, ...select }: FieldProps & SelectHTMLAttributes<HTMLSelectElement>) {
  const id = useId();
  const describedBy = [error ? `${id}-error` : null, hint ? `${id}-hint` : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} aria-invalid={error ? true : undefined} aria-describedby={describedBy} {...select}>
        {children}
      </select>
      {hint ? (
        <small id={`${id}-hint`} className="hint">
          {hint}
        </small>
      ) : null}
      {error ? (
        <small id={`${id}-error`} className="field-error">
          {error}
        </small>
      ) : null}
    </div>
  );
}

export function formatTime(iso: string | null | undefined): string {
  if (iso === null || iso === undefined) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

/** `status` picks the colour (and is the text unless `label` gives another). */
export function StatusBadge({ status, label }: { status: string; label?: string }) {
  const tone = status === 'active' || status === 'valid' || status === 'ready' || status === 'ok' ? 'good' : status === 'pending' ? 'neutral' : 'bad';
  return <span className={`badge badge-${tone}`}>{(label ?? status).replace(/_/g, ' ')}</span>;
}

/** A usage bar with its numbers as text (the bar alone is not the information). */
export function Usage({ used, limit }: { used: number; limit: number }) {
  const ratio = limit <= 0 ? 1 : Math.min(1, used / limit);
  const tone = ratio >= 0.9 ? 'bad' : ratio >= 0.7 ? 'warn' : 'good';
  return (
    <span className="usage">
      <meter min={0} max={Math.max(limit, 1)} value={Math.min(used, Math.max(limit, 1))} className={`meter-${tone}`} aria-label={`${used} of ${limit} used`} />
      <span>
        {used} / {limit}
      </span>
    </span>
  );
}

/** For an admin on a page that acts on one tenant, when none is chosen. */
export function NeedTenant() {
  return <p className="empty">Choose a tenant in &ldquo;Acting on tenant&rdquo; at the top of the page to see its data here.</p>;
}

/** A heading that takes focus (and scrolls into view) when it appears: a detail panel opened from a long list. */
export function FocusHeading({ id, children }: { id: string; children: ReactNode }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    ref.current?.scrollIntoView?.({ block: 'start' });
    ref.current?.focus({ preventScroll: true });
  }, []);
  return (
    <h2 id={id} ref={ref} tabIndex={-1}>
      {children}
    </h2>
  );
}
