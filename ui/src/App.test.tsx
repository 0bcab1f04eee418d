// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Fetch } from './api/client.ts';
import { App } from './App.tsx';
import { sessionKeyStore } from './session.ts';
import { button, byLabel, click, errorOf, render, settle, type } from './test-dom.ts';
import type { Rendered } from './test-dom.ts';

const TENANT_KEY = 'trb_1a2b3c4d_0123456789abcdef0123456789abcdef';

/** A stand-in for the server's network answers: only TENANT_KEY is accepted. */
function fakeServer(calls: string[]): Fetch {
  return async (input, init) => {
    const headers = (init?.headers ?? {}) as Record<string, string>;
    calls.push(`${init?.method ?? 'GET'} ${input} ${headers.authorization ?? ''}`);
    const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
    if (input === '/ready') return json(200, { status: 'ready', backends: { store: 'ok' } });
    if (headers.authorization !== `Bearer ${TENANT_KEY}`) return json(401, { error: { code: 'UNAUTHENTICATED', message: 'unknown key', requestId: 'r1' } });
    if (input === '/v1/me') {
      return json(200, { actor: { kind: 'tenant', keyId: 'key_1', tenantId: 'ten_1' }, tenant: { id: 'ten_1', name: 'Acme', metadata: {}, createdAt: '2026-01-01T00:00:00Z' } });
    }
    if (input.startsWith('/v1/connections')) return json(200, { items: [], nextCursor: null });
    if (input === '/metrics') return new Response('tributary_queue_depth{queue="sync"} 3\n', { status: 200 });
    if (input.startsWith('/v1/rate-limits')) return json(200, { backend: 'memory', items: [], overrides: [] });
    return json(404, { error: { code: 'ROUTE_NOT_FOUND', message: 'no route', requestId: 'r2' } });
  };
}

let view: Rendered | undefined;
beforeEach(() => {
  window.sessionStorage.clear();
  window.history.replaceState(null, '', '/');
});
afterEach(() => {
  view?.unmount();
  view = undefined;
});

describe('signing in', () => {
  it('refuses an empty or unknown key beside the field and keeps nothing', async () => {
    const calls: string[] = [];
    view = await render(<App keys={sessionKeyStore(window.sessionStorage)} fetch={fakeServer(calls)} />);
    const { container } = view;
    await click(button(container, 'Sign in'));
    expect(errorOf(container, byLabel(container, 'API key'))).toBe('Enter an API key.');
    expect(calls).toEqual([]);

    await type(byLabel(container, 'API key'), 'trb_wrong_key');
    await click(button(container, 'Sign in'));
    await settle();
    expect(errorOf(container, byLabel(container, 'API key'))).toMatch(/not accepted/);
    expect(calls).toEqual(['GET /v1/me Bearer trb_wrong_key']);
    expect(window.sessionStorage.length).toBe(0);
  });

  it('keeps an accepted key in sessionStorage only, shows the overview, and forgets the key on sign-out', async () => {
    const calls: string[] = [];
    view = await render(<App keys={sessionKeyStore(window.sessionStorage)} fetch={fakeServer(calls)} />);
    const { container } = view;
    await type(byLabel(container, 'API key'), `  ${TENANT_KEY} `);
    await click(button(container, 'Sign in'));
    await settle();

    expect(window.sessionStorage.getItem('tributary.apiKey')).toBe(TENANT_KEY);
    expect(window.localStorage.length).toBe(0);
    expect(container.querySelector('h1')?.textContent).toBe('Overview');
    expect(container.textContent).toContain('Tenant: Acme');
    expect(container.textContent).toContain('No connections yet.');
    expect(container.textContent).toContain('store: ok');
    expect(container.querySelector('table')?.textContent).toContain('sync3');
    const nav = [...container.querySelectorAll('nav a')].map((link) => link.textContent);
    expect(nav).toEqual(['Overview', 'Connections', 'Integrations', 'Entities', 'Conflicts', 'Dedup reviews', 'Webhooks', 'Notifications', 'Rate limits', 'Audit log', 'API keys']);

    await click(button(container, 'Sign out'));
    expect(window.sessionStorage.getItem('tributary.apiKey')).toBeNull();
    expect(byLabel(container, 'API key').value).toBe('');
  });

  it('restores a session from the stored key after a reload, and drops a key the server no longer accepts', async () => {
    window.sessionStorage.setItem('tributary.apiKey', TENANT_KEY);
    const calls: string[] = [];
    view = await render(<App keys={sessionKeyStore(window.sessionStorage)} fetch={fakeServer(calls)} />);
    await settle();
    expect(view.container.querySelector('h1')?.textContent).toBe('Overview');
    view.unmount();

    window.sessionStorage.setItem('tributary.apiKey', 'trb_revoked');
    view = await render(<App keys={sessionKeyStore(window.sessionStorage)} fetch={fakeServer(calls)} />);
    await settle();
    expect(window.sessionStorage.getItem('tributary.apiKey')).toBeNull();
    expect(byLabel(view.container, 'API key')).toBeDefined();
  });
});
