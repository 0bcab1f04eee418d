import { useState } from 'react';
import type { FormEvent } from 'react';
import { createClient } from '../api/client.ts';
import type { Fetch } from '../api/client.ts';
import type { Me } from '../api/types.ts';
import { ErrorBanner, TextField, asApiError } from '../components.tsx';
import type { ApiError } from '../api/client.ts';

export interface SignInProps {
  /** Called with the key and who it stands for once `GET /v1/me` accepted it. */
  onSignedIn(key: string, me: Me): void;
  fetch?: Fetch;
  baseUrl?: string;
}

/** Sign in with a tenant API key or the admin key; the key is checked with `GET /v1/me`. */
export function SignIn({ onSignedIn, fetch, baseUrl }: SignInProps) {
  const [key, setKey] = useState('');
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    const trimmed = key.trim();
    if (trimmed === '') {
      setFieldError('Enter an API key.');
      return;
    }
    setFieldError(null);
    setBusy(true);
    try {
      const me = await createClient(trimmed, { ...(fetch ? { fetch } : {}), ...(baseUrl ? { baseUrl } : {}) }).get<Me>('/v1/me');
      onSignedIn(trimmed, me);
    } catch (caught) {
      const apiError = asApiError(caught);
      if (apiError.status === 401) setFieldError('This key was not accepted: it is unknown, revoked or mistyped.');
      else setError(apiError);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="signin" id="main">
      <h1>Tributary</h1>
      <p className="muted">Sign in with a tenant API key, or the operator&apos;s admin key.</p>
      <form onSubmit={submit} noValidate aria-label="Sign in">
        <ErrorBanner error={error} />
        <TextField
          label="API key"
          name="apiKey"
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={key}
          onChange={(event) => setKey(event.target.value)}
          error={fieldError}
          hint="Held in this tab only, and forgotten when you sign out or close it."
          autoFocus
        />
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
