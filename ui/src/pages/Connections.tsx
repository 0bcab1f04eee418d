import { useState } from 'react';
import type { Connection, ConnectResult, Page } from '../api/types.ts';
import type { ApiError } from '../api/client.ts';
import { Empty, ErrorBanner, Loading, NeedTenant, Notice, StatusBadge, asApiError, formatTime, useLoad } from '../components.tsx';
import { useSession } from '../session-context.tsx';
import { ConnectForm } from './ConnectForm.tsx';

/** What the OAuth callback appended to our return URL (`connectionId`, `status`), if anything. */
function oauthOutcome(): string | null {
  const params = new URLSearchParams(window.location.search);
  const status = params.get('status');
  if (status === null) return null;
  return status === 'active' ? 'The provider authorised the connection.' : `The authorisation finished with status “${status}”.`;
}

/** Connections: list with status and credential expiry (never a secret), connect, check again, disconnect. */
export function Connections() {
  const { api, tenantBase } = useSession();
  const base = tenantBase();
  const list = useLoad(async () => (base === null ? null : api.get<Page<Connection>>(`${base}/connections`, { limit: 200 })), [api, base]);
  const [notice, setNotice] = useState<string | null>(oauthOutcome);
  const [error, setError] = useState<ApiError | null>(null);

  if (base === null) {
    return (
      <section>
        <h1>Connections</h1>
        <NeedTenant />
      </section>
    );
  }

  const act = async (what: () => Promise<unknown>, done: string) => {
    setError(null);
    try {
      await what();
      setNotice(done);
      list.reload();
    } catch (caught) {
      setError(asApiError(caught));
    }
  };

  const onDone = (result: ConnectResult) => {
    if (result.authorizeUrl !== null) {
      window.location.assign(result.authorizeUrl);
      return;
    }
    setNotice(`Connected “${result.connection.name}” (${result.connection.status}).`);
    list.reload();
  };

  return (
    <section aria-labelledby="connections-title">
      <h1 id="connections-title">Connections</h1>
      {notice ? <Notice>{notice}</Notice> : null}
      <ErrorBanner error={error ?? list.error} />
      {list.loading && list.data === null ? <Loading /> : null}
      {list.data && list.data.items.length === 0 ? <Empty>No connections yet: connect a provider below.</Empty> : null}
      {list.data && list.data.items.length > 0 ? (
        <div className="table-wrap">
          <table>
            <caption className="sr-only">Connections</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Provider</th>
                <th scope="col">Status</th>
                <th scope="col">Account</th>
                <th scope="col">Credential</th>
                <th scope="col">Expires</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((connection) => (
                <tr key={connection.id}>
                  <td>
                    {connection.name}
                    <div className="muted mono">{connection.id}</div>
                  </td>
                  <td>{connection.provider}</td>
                  <td>
                    <StatusBadge status={connection.status} />
                  </td>
                  <td>{connection.account?.name ?? '—'}</td>
                  <td>{connection.credential ? `${connection.credential.type.replace(/_/g, ' ')} · ${connection.credential.status}` : '—'}</td>
                  <td>{formatTime(connection.credential?.expiresAt ?? null)}</td>
                  <td className="actions">
                    <button type="button" className="secondary" onClick={() => act(() => api.post(`${base}/connections/${connection.id}/validate`), `Checked “${connection.name}”.`)}>
                      Check <span className="sr-only">{connection.name}</span>
                    </button>
                    <button
                      type="button"
                      className="danger"
                      onClick={() => {
                        if (window.confirm(`Disconnect “${connection.name}”? Its credential is revoked and destroyed.`)) {
                          void act(() => api.del(`${base}/connections/${connection.id}`), `Disconnected “${connection.name}”.`);
                        }
                      }}
                    >
                      Disconnect <span className="sr-only">{connection.name}</span>
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <ConnectForm
        submit={(request) => api.post<ConnectResult>(`${base}/connections`, request)}
        returnUrl={`${window.location.origin}/connections`}
        onDone={onDone}
      />
    </section>
  );
}
