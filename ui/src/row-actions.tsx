import { useState } from 'react';
import type { ReactNode } from 'react';
import type { ApiError } from './api/client.ts';
import { asApiError } from './components.tsx';

/** What the pages' row buttons share: one way to run an action and say how it went, one shape of button. */

export interface Action {
  notice: string | null;
  setNotice(message: string | null): void;
  error: ApiError | null;
  /** Runs `run`; its answer becomes the notice and `after` runs (a reload), or its failure becomes the error. */
  act(run: () => Promise<string>): Promise<void>;
}

export function useAction(after: () => void = () => {}): Action {
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const act = async (run: () => Promise<string>) => {
    setError(null);
    setNotice(null);
    try {
      setNotice(await run());
      after();
    } catch (caught) {
      setError(asApiError(caught));
    }
  };
  return { notice, setNotice, error, act };
}

/** A button in a table row; `name` tells screen readers which row it acts on ("Delete" -> "Delete rule nightly"). */
export function RowButton({ label, name, kind, expanded, onClick }: { label: ReactNode; name: ReactNode; kind?: 'secondary' | 'danger'; expanded?: boolean; onClick(): void }) {
  return (
    <button type="button" className={kind} aria-expanded={expanded} onClick={onClick}>
      {label} <span className="sr-only">{name}</span>
    </button>
  );
}
