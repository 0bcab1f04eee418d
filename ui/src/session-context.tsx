import { createContext, useContext } from 'react';
import type { ApiClient } from './api/client.ts';
import type { Me } from './api/types.ts';

/** Who is signed in and the client speaking for them. */
export interface Session {
  api: ApiClient;
  me: Me;
  /** `/v1` for a tenant key; `/v1/tenants/<id>` for an admin key acting on a tenant. */
  tenantBase(tenantId?: string | null): string | null;
  signOut(): void;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (session === null) throw new Error('useSession outside a signed-in session');
  return session;
}

export function isAdmin(me: Me): boolean {
  return me.actor.kind === 'admin';
}
