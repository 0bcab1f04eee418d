import { createClient } from './api/client.ts';
import type { Fetch } from './api/client.ts';
import { createElement } from 'react';
import type { ReactNode } from 'react';
import { SessionContext } from './session-context.tsx';
import type { Session } from './session-context.tsx';
import { render } from './test-dom.ts';
import type { Rendered } from './test-dom.ts';

/** A fake public API for component tests: the handler answers [status, body] per call; every call is recorded. */

export interface Call {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
}

export type Handler = (call: Call) => [number, unknown] | undefined;

export function fakeSession(handler: Handler, base = '/v1'): { session: Session; calls: Call[] } {
  const calls: Call[] = [];
  const fetch: Fetch = async (input, init) => {
    const url = new URL(input, 'http://ui.test');
    const call: Call = { method: init?.method ?? 'GET', path: url.pathname, query: url.searchParams, body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined };
    calls.push(call);
    const [status, body] = handler(call) ?? [404, { error: { code: 'ROUTE_NOT_FOUND', message: `no route ${call.method} ${call.path}` } }];
    return new Response(status === 204 ? null : JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  };
  const session: Session = {
    api: createClient('trb_test_key', { fetch }),
    me: { actor: { kind: 'tenant', keyId: 'key_1', tenantId: 'ten_1' }, tenant: null },
    tenantBase: () => base,
    signOut: () => undefined,
  };
  return { session, calls };
}

/** Renders a page inside the session its API calls go through (a fakeSession's). */
export function renderWithSession(session: Session, page: ReactNode): Promise<Rendered> {
  return render(createElement(SessionContext.Provider, { value: session }, page));
}
