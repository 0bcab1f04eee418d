import { useCallback, useEffect, useMemo, useState } from 'react';
import { createClient } from './api/client.ts';
import type { Fetch } from './api/client.ts';
import type { Me, Page, Tenant } from './api/types.ts';
import { useLoad } from './components.tsx';
import { Link, navigate, usePath } from './router.tsx';
import { SessionContext, isAdmin } from './session-context.tsx';
import type { Session } from './session-context.tsx';
import type { KeyStore } from './session.ts';
import { SignIn } from './pages/SignIn.tsx';
import { Overview } from './pages/Overview.tsx';
import { Connections } from './pages/Connections.tsx';
import { Integrations } from './pages/Integrations.tsx';
import { RateLimits } from './pages/RateLimits.tsx';
import { AuditLog } from './pages/AuditLog.tsx';
import { ApiKeys } from './pages/ApiKeys.tsx';
import { Tenants } from './pages/Tenants.tsx';
import { Entities } from './pages/Entities.tsx';
import { Conflicts } from './pages/Conflicts.tsx';
import { DedupReviews } from './pages/DedupReviews.tsx';
import { Webhooks } from './pages/Webhooks.tsx';
import { Notifications } from './pages/Notifications.tsx';

interface Route {
  path: string;
  label: string;
  adminOnly?: boolean;
}

/** The pages, in the order of the navigation. */
const ROUTES: Route[] = [
  { path: '/', label: 'Overview' },
  { path: '/connections', label: 'Connections' },
  { path: '/integrations', label: 'Integrations' },
  { path: '/entities', label: 'Entities' },
  { path: '/conflicts', label: 'Conflicts' },
  { path: '/dedup', label: 'Dedup reviews' },
  { path: '/webhooks', label: 'Webhooks' },
  { path: '/notifications', label: 'Notifications' },
  { path: '/rate-limits', label: 'Rate limits' },
  { path: '/audit', label: 'Audit log' },
  { path: '/api-keys', label: 'API keys' },
  { path: '/tenants', label: 'Tenants', adminOnly: true },
];

export interface AppProps {
  keys: KeyStore;
  /** Who the stored key stands for, when known at start (tests). */
  initialMe?: Me | null;
  fetch?: Fetch;
}

/** The admin UI: sign-in until a key is accepted, then the layout with its pages. */
export function App({ keys, initialMe = null, fetch }: AppProps) {
  const [key, setKey] = useState<string | null>(() => keys.read());
  const [me, setMe] = useState<Me | null>(initialMe);

  const signOut = useCallback(() => {
    keys.clear();
    setKey(null);
    setMe(null);
    navigate('/');
  }, [keys]);

  if (key === null) {
    return (
      <SignIn
        {...(fetch ? { fetch } : {})}
        onSignedIn={(accepted, who) => {
          keys.write(accepted);
          setMe(who);
          setKey(accepted);
        }}
      />
    );
  }
  return <Restore signingKey={key} me={me} setMe={setMe} signOut={signOut} {...(fetch ? { fetch } : {})} />;
}

/** A key from sessionStorage (after a reload): ask who it is before showing anything. */
function Restore({ signingKey, me, setMe, signOut, fetch }: { signingKey: string; me: Me | null; setMe(me: Me): void; signOut(): void; fetch?: Fetch }) {
  const api = useMemo(() => createClient(signingKey, fetch ? { fetch } : {}), [signingKey, fetch]);
  const who = useLoad(async () => me ?? (await api.get<Me>('/v1/me')), [api]);
  const expired = who.error !== null && who.error.status === 401;
  useEffect(() => {
    if (me === null && who.data !== null) setMe(who.data);
    if (expired) signOut();
  }, [me, who.data, expired, setMe, signOut]);
  if (who.error !== null && me === null) {
    if (expired) return null;
    return (
      <main className="signin" id="main">
        <div className="banner banner-error" role="alert">
          {who.error.message}
        </div>
        <button type="button" onClick={who.reload}>
          Try again
        </button>{' '}
        <button type="button" className="secondary" onClick={signOut}>
          Sign out
        </button>
      </main>
    );
  }
  const current = me ?? who.data;
  if (current === null) return null;
  return <Shell api={api} me={current} signOut={signOut} />;
}

function Shell({ api, me, signOut }: { api: Session['api']; me: Me; signOut(): void }) {
  const path = usePath();
  const admin = isAdmin(me);
  const [tenantId, setTenantId] = useState<string | null>(null);
  const tenants = useLoad(async () => (admin ? api.get<Page<Tenant>>('/v1/tenants', { limit: 200 }) : null), [api, admin]);

  const session: Session = useMemo(
    () => ({
      api,
      me,
      signOut,
      tenantBase: (explicit) => {
        if (!admin) return '/v1';
        const chosen = explicit ?? tenantId;
        return chosen === null ? null : `/v1/tenants/${chosen}`;
      },
    }),
    [api, me, signOut, admin, tenantId],
  );

  const routes = ROUTES.filter((route) => admin || !route.adminOnly);
  // A page owns its sub-paths (`/entities/ent_…`).
  const current = routes.find((route) => route.path === path || (route.path !== '/' && path.startsWith(`${route.path}/`)));

  let page;
  switch (current?.path) {
    case '/':
      page = <Overview />;
      break;
    case '/connections':
      page = <Connections />;
      break;
    case '/integrations':
      page = <Integrations />;
      break;
    case '/entities':
      page = <Entities path={path} />;
      break;
    case '/conflicts':
      page = <Conflicts />;
      break;
    case '/dedup':
      page = <DedupReviews />;
      break;
    case '/webhooks':
      page = <Webhooks />;
      break;
    case '/notifications':
      page = <Notifications />;
      break;
    case '/rate-limits':
      page = <RateLimits />;
      break;
    case '/audit':
      page = <AuditLog />;
      break;
    case '/api-keys':
      page = <ApiKeys />;
      break;
    case '/tenants':
      page = <Tenants onChanged={tenants.reload} onChoose={(id) => { setTenantId(id); navigate('/api-keys'); }} />;
      break;
    default:
      page = (
        <section>
          <h1>Page not found</h1>
          <p>
            There is no page at <code>{path}</code>. <Link to="/">Go to the overview</Link>.
          </p>
        </section>
      );
  }

  return (
    <SessionContext.Provider value={session}>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">Tributary</span>
        <span className="who">
          {admin ? 'Operator (admin key)' : `Tenant: ${me.tenant?.name ?? me.actor.tenantId}`}
        </span>
        {admin ? (
          <label className="tenant-picker">
            <span>Acting on tenant</span>
            <select value={tenantId ?? ''} onChange={(event) => setTenantId(event.target.value === '' ? null : event.target.value)}>
              <option value="">None chosen</option>
              {(tenants.data?.items ?? []).map((tenant) => (
                <option key={tenant.id} value={tenant.id}>
                  {tenant.name}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        <button type="button" className="secondary" onClick={signOut}>
          Sign out
        </button>
      </header>
      <div className="layout">
        <nav aria-label="Main">
          <ul>
            {routes.map((route) => (
              <li key={route.path}>
                <Link to={route.path} aria-current={route.path === current?.path ? 'page' : undefined}>
                  {route.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <main id="main" tabIndex={-1}>
          {page}
        </main>
      </div>
    </SessionContext.Provider>
  );
}
