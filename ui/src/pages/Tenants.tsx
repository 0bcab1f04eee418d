import { useState } from 'react';
import type { FormEvent } from 'react';
import type { Page, Tenant } from '../api/types.ts';
import { formField } from '../api/client.ts';
import type { ApiError } from '../api/client.ts';
import { Empty, ErrorBanner, Loading, Notice, TextField, asApiError, formatTime, useLoad } from '../components.tsx';
import { useSession } from '../session-context.tsx';

/** Operator view: every tenant, create one, and open one's keys. */
export function Tenants({ onChanged, onChoose }: { onChanged(): void; onChoose(tenantId: string): void }) {
  const { api } = useSession();
  const list = useLoad(() => api.get<Page<Tenant>>('/v1/tenants', { limit: 200 }), [api]);
  const [name, setName] = useState('');
  const [nameError, setNameError] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const create = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    if (name.trim() === '') {
      setNameError('Enter the tenant’s name.');
      return;
    }
    setNameError(null);
    try {
      const tenant = await api.post<Tenant>('/v1/tenants', { name: name.trim() });
      setNotice(`Tenant “${tenant.name}” created (${tenant.id}).`);
      setName('');
      list.reload();
      onChanged();
    } catch (caught) {
      const apiError = asApiError(caught);
      if (formField(apiError.field) === 'name') setNameError(apiError.message);
      else setError(apiError);
    }
  };

  return (
    <section aria-labelledby="tenants-title">
      <h1 id="tenants-title">Tenants</h1>
      {notice ? <Notice>{notice}</Notice> : null}
      <ErrorBanner error={error ?? list.error} />
      <form onSubmit={create} noValidate className="panel" aria-labelledby="new-tenant-title">
        <h2 id="new-tenant-title">Create a tenant</h2>
        <div className="row">
          <TextField label="Tenant name" value={name} onChange={(event) => setName(event.target.value)} error={nameError} />
        </div>
        <button type="submit">Create tenant</button>
      </form>
      {list.loading && list.data === null ? <Loading /> : null}
      {list.data && list.data.items.length === 0 ? <Empty>No tenants yet: create the first one above.</Empty> : null}
      {list.data && list.data.items.length > 0 ? (
        <div className="table-wrap">
          <table>
            <caption className="sr-only">Tenants</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Id</th>
                <th scope="col">Created</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((tenant) => (
                <tr key={tenant.id}>
                  <td>{tenant.name}</td>
                  <td className="mono">{tenant.id}</td>
                  <td>{formatTime(tenant.createdAt)}</td>
                  <td>
                    <button type="button" className="secondary" onClick={() => onChoose(tenant.id)}>
                      Manage keys <span className="sr-only">of {tenant.name}</span>
                    </button>
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
