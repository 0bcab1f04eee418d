import { useState } from 'react';
import type { FormEvent } from 'react';
import { formField } from '../api/client.ts';
import type { ApiError } from '../api/client.ts';
import type { ConnectResult } from '../api/types.ts';
import { ErrorBanner, SelectField, TextField, asApiError } from '../components.tsx';

export const PROVIDERS = ['salesforce', 'notion', 'slack', 'github', 'google'] as const;

export type CredentialKind = 'oauth2_authorization_code' | 'api_key' | 'bearer_token' | 'basic';

const KINDS: { value: CredentialKind; label: string }[] = [
  { value: 'oauth2_authorization_code', label: 'Sign in with the provider (OAuth)' },
  { value: 'api_key', label: 'API key' },
  { value: 'bearer_token', label: 'Access token' },
  { value: 'basic', label: 'Username and password' },
];

/** The body of `POST …/connections`, built from the form. */
export interface ConnectRequest {
  provider: string;
  name: string;
  credential: Record<string, string>;
  baseUrl?: string;
  authBaseUrl?: string;
  returnUrl?: string;
}

export interface ConnectFormProps {
  /** Sends the request (the page passes the API call); a rejected ApiError with a `field` is shown next to that field. */
  submit(request: ConnectRequest): Promise<ConnectResult>;
  /** Where OAuth sends the browser back to (this UI's connections page). */
  returnUrl: string;
  /** Called once connected (key forms) or with the authorize URL to go to (OAuth). */
  onDone(result: ConnectResult): void;
}

type Errors = Record<string, string>;

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

/** Checks the form before sending: required fields, http(s) base URLs. */
export function validateConnect(values: { name: string; kind: CredentialKind; secrets: Record<string, string>; baseUrl: string; authBaseUrl?: string }): Errors {
  const errors: Errors = {};
  if (values.name.trim() === '') errors.name = 'Give the connection a name.';
  if (values.kind === 'api_key' && (values.secrets.apiKey ?? '') === '') errors['credential.apiKey'] = 'Enter the API key.';
  if (values.kind === 'bearer_token' && (values.secrets.token ?? '') === '') errors['credential.token'] = 'Enter the access token.';
  if (values.kind === 'basic') {
    if ((values.secrets.username ?? '') === '') errors['credential.username'] = 'Enter the username.';
    if ((values.secrets.password ?? '') === '') errors['credential.password'] = 'Enter the password.';
  }
  if (values.baseUrl.trim() !== '' && !isHttpUrl(values.baseUrl.trim())) errors.baseUrl = 'Enter a full http(s) URL, such as https://example.my.salesforce.com.';
  const authBaseUrl = values.authBaseUrl?.trim() ?? '';
  if (values.kind === 'oauth2_authorization_code' && authBaseUrl !== '' && !isHttpUrl(authBaseUrl)) {
    errors.authBaseUrl = 'Enter a full http(s) URL, such as https://test.salesforce.com.';
  }
  return errors;
}

/** Connect a provider: OAuth (redirect to the provider) or a key form, with each field's error beside it. */
export function ConnectForm({ submit, returnUrl, onDone }: ConnectFormProps) {
  const [provider, setProvider] = useState<string>(PROVIDERS[0]);
  const [name, setName] = useState('');
  const [kind, setKind] = useState<CredentialKind>('oauth2_authorization_code');
  const [secrets, setSecrets] = useState<Record<string, string>>({});
  const [baseUrl, setBaseUrl] = useState('');
  const [authBaseUrl, setAuthBaseUrl] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  const secret = (field: string) => ({
    value: secrets[field] ?? '',
    onChange: (event: { target: { value: string } }) => setSecrets((previous) => ({ ...previous, [field]: event.target.value })),
    error: errors[`credential.${field}`] ?? null,
    autoComplete: 'off',
    spellCheck: false,
  });

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    const found = validateConnect({ name, kind, secrets, baseUrl, authBaseUrl });
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    const credential: Record<string, string> = { type: kind };
    for (const field of kind === 'api_key' ? ['apiKey'] : kind === 'bearer_token' ? ['token'] : kind === 'basic' ? ['username', 'password'] : []) {
      credential[field] = secrets[field] ?? '';
    }
    const request: ConnectRequest = { provider, name: name.trim(), credential };
    if (baseUrl.trim() !== '') request.baseUrl = baseUrl.trim();
    if (kind === 'oauth2_authorization_code') {
      request.returnUrl = returnUrl;
      if (authBaseUrl.trim() !== '') request.authBaseUrl = authBaseUrl.trim();
    }
    setBusy(true);
    try {
      const result = await submit(request);
      setSecrets({});
      onDone(result);
    } catch (caught) {
      const apiError = asApiError(caught);
      const field = formField(apiError.field);
      const known = field !== null && ['name', 'provider', 'baseUrl', 'authBaseUrl', 'credential.apiKey', 'credential.token', 'credential.username', 'credential.password'].includes(field);
      if (known && field !== null) setErrors({ [field]: apiError.message });
      else setError(apiError);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={onSubmit} noValidate aria-labelledby="connect-title" className="panel">
      <h2 id="connect-title">Connect a provider</h2>
      <ErrorBanner error={error} />
      <div className="row">
        <SelectField label="Provider" value={provider} onChange={(event) => setProvider(event.target.value)} error={errors.provider ?? null}>
          {PROVIDERS.map((id) => (
            <option key={id} value={id}>
              {id}
            </option>
          ))}
        </SelectField>
        <TextField label="Name" value={name} onChange={(event) => setName(event.target.value)} error={errors.name ?? null} placeholder="Sales org" />
        <SelectField label="How to connect" value={kind} onChange={(event) => setKind(event.target.value as CredentialKind)}>
          {KINDS.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </SelectField>
      </div>
      <div className="row">
        {kind === 'api_key' ? <TextField label="API key" type="password" {...secret('apiKey')} /> : null}
        {kind === 'bearer_token' ? <TextField label="Access token" type="password" {...secret('token')} /> : null}
        {kind === 'basic' ? (
          <>
            <TextField label="Username" {...secret('username')} />
            <TextField label="Password" type="password" {...secret('password')} />
          </>
        ) : null}
        <TextField
          label="Base URL (optional)"
          value={baseUrl}
          onChange={(event) => setBaseUrl(event.target.value)}
          error={errors.baseUrl ?? null}
          hint="Only for a Salesforce instance or GitHub Enterprise."
          inputMode="url"
        />
        {kind === 'oauth2_authorization_code' ? (
          <TextField
            label="Authorization server (optional)"
            value={authBaseUrl}
            onChange={(event) => setAuthBaseUrl(event.target.value)}
            error={errors.authBaseUrl ?? null}
            hint="Only where the provider's sign-in lives elsewhere: a Salesforce sandbox org, GitHub Enterprise."
            inputMode="url"
          />
        ) : null}
      </div>
      <button type="submit" disabled={busy}>
        {busy ? 'Connecting…' : kind === 'oauth2_authorization_code' ? 'Continue to the provider' : 'Connect'}
      </button>
    </form>
  );
}
