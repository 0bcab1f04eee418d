import { useState } from 'react';
import type { FormEvent } from 'react';
import type { ApiKeyInfo, CreatedApiKey } from '../api/types.ts';
import { formField } from '../api/client.ts';
import type { ApiError } from '../api/client.ts';
import { Empty, ErrorBanner, Loading, NeedTenant, TextField, asApiError, formatTime, useLoad } from '../components.tsx';
import { useSession } from '../session-context.tsx';

/** A tenant's API keys: create (the key is shown once), list, revoke. */
export function ApiKeys() {
  const { api, me, tenantBase } = useSession();
  const ownTenant = me.actor.tenantId;
  const base = ownTenant !== null ? `/v1/tenants/${ownTenant}` : tenantBase();
  const keys = useLoad(async () => (base === null ? null : api.get<{ items: ApiKeyInfo[] }>(`${base}/api-keys`)), [api, base]);
  const [name, setName] = useState('');
  const [nameError, setNameError] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [created, setCreated] = useState<CreatedApiKey | null>(null);

  if (base === null) {
    return (
      <section>
        <h1>API keys</h1>
        <NeedTenant />
      </section>
    );
  }

  const create = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    if (name.trim() === '') {
      setNameError('Give the key a name, such as the system that will use it.');
      return;
    }
    setNameError(null);
    try {
      setCreated(await api.post<CreatedApiKey>(`${base}/api-keys`, { name: name.trim() }));
      setName('');
      keys.reload();
    } catch (caught) {
      const apiError = asApiError(caught);
      if (formField(apiError.field) === 'name') setNameError(apiError.message);
      else setError(apiError);
    }
  };

  const revoke = async (key: ApiKeyInfo) => {
    if (!window.confirm(`Revoke “${key.name}”? It stops working at once.`)) return;
    setError(null);
    try {
      await api.del(`${base}/api-keys/${key.id}`);
      keys.reload();
    } catch (caught) {
      setError(asApiError(caught));
    }
  };

  return (
    <section aria-labelledby="keys-title">
      <h1 id="keys-title">API keys</h1>
      <ErrorBanner error={error ?? keys.error} />
      {created ? (
        <div className="banner banner-ok" role="status">
          <p>
            Key <strong>{created.apiKey.name}</strong> created. Copy it now: it is not shown again.
          </p>
          <label className="field">
            <span>New key</span>
            <input readOnly value={created.key} className="mono" onFocus={(event) => event.target.select()} data-testid="new-key" />
          </label>
          <button type="button" className="secondary" onClick={() => setCreated(null)}>
            Done, hide it
          </button>
        </div>
      ) : null}
      <form onSubmit={create} noValidate className="panel" aria-labelledby="new-key-title">
        <h2 id="new-key-title">Create a key</h2>
        <div className="row">
          <TextField label="Key name" value={name} onChange={(event) => setName(event.target.value)} error={nameError} />
        </div>
        <button type="submit">Create key</button>
      </form>
      {keys.loading && keys.data === null ? <Loading /> : null}
      {keys.data && keys.data.items.length === 0 ? <Empty>No keys yet.</Empty> : null}
      {keys.data && keys.data.items.length > 0 ? (
        <div className="table-wrap">
          <table>
            <caption className="sr-only">API keys</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Prefix</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">State</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {keys.data.items.map((key) => (
                <tr key={key.id}>
                  <td>{key.name}</td>
                  <td className="mono">{key.prefix}…</td>
                  <td>{formatTime(key.createdAt)}</td>
                  <td>{formatTime(key.lastUsedAt)}</td>
                  <td>{key.revokedAt ? `revoked ${formatTime(key.revokedAt)}` : 'active'}</td>
                  <td>
                    {key.revokedAt ? null : (
                      <button type="button" className="danger" onClick={() => revoke(key)}>
                        Revoke <span className="sr-only">{key.name}</span>
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
