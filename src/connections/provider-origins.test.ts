/**
 * A provider whose APIs live on several hosts (Google: People on people.googleapis.com,
 * Calendar and Drive on www.googleapis.com). Two local servers stand in for the two hosts:
 * with the provider's default base URL a request naming an `api` goes to that API's host
 * and the others to the default one; with any other base URL (sandbox, custom) everything
 * goes to the connection's base. Links to a third origin stay refused, and the egress
 * policy is checked on the API host's own origin.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TributaryError, isTributaryError } from '../domain/errors.ts';
import { PROVIDERS } from '../providers/index.ts';
import type { HttpResponse, Provider } from '../providers/provider.ts';
import type { EgressPolicy } from './egress.ts';
import { createProviderHttp } from './provider-http.ts';

interface Host {
  server: Server;
  url: string;
  received: string[];
}

async function startHost(address: string, name: string): Promise<Host> {
  const received: string[] = [];
  const server = createServer((req, res) => {
    received.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ host: name, url: req.url }));
  });
  await new Promise<void>((resolve) => server.listen(0, address, resolve));
  return { server, url: `http://${address}:${(server.address() as AddressInfo).port}`, received };
}

let a: Host;
let b: Host;

beforeEach(async () => {
  // Two loopback addresses: two origins, and two hosts an egress allow-list can tell apart.
  a = await startHost('127.0.0.1', 'A');
  b = await startHost('127.0.0.2', 'B');
});

afterEach(async () => {
  for (const host of [a, b]) await new Promise<void>((resolve) => host.server.close(() => resolve()));
});

function providerOn(defaultBaseUrl: string, apiBases: Record<string, string>): Provider {
  return {
    id: 'google',
    label: 'Two-host API',
    defaultBaseUrl,
    defaultAuthBaseUrl: 'https://accounts.example.com',
    apiBases,
    auth: { credentialTypes: ['bearer_token'] },
    objects: [],
    validate: () => Promise.reject(new Error('unused')),
    discover: () => Promise.resolve([]),
    health: () => Promise.resolve({ ok: true }),
    classifyError: (response: HttpResponse) => (response.status >= 400 ? new TributaryError('PROVIDER_REJECTED', `HTTP ${response.status}`) : null),
  };
}

function client(provider: Provider, baseUrl: string, egress: EgressPolicy = { allowPrivate: true }) {
  return createProviderHttp({ provider, connection: { id: 'con_1', tenantId: 'ten_1', baseUrl, settings: {} }, tokens: null, egress, maxAttempts: 1 });
}

const codeOf = (promise: Promise<unknown>) => promise.then(() => 'ok', (error: unknown) => (isTributaryError(error) ? error.code : String(error)));

describe('provider APIs on several hosts', () => {
  it('with the default base URL, requests naming an api go to its host and the others to the default host', async () => {
    const provider = providerOn(`${a.url}/base`, { people: `${b.url}/people-root/` });
    const http = client(provider, `${a.url}/base/`); // a trailing slash is still the default base URL
    const people = await http.request({ method: 'GET', api: 'people', path: 'v1/people/me', query: { personFields: 'names' }, operation: 'read' });
    const calendar = await http.request({ method: 'GET', path: 'calendar/v3/events', operation: 'read' });
    const unknown = await http.request({ method: 'GET', api: 'unlisted', path: 'drive/v3/files', operation: 'read' });
    expect(people.body).toEqual({ host: 'B', url: '/people-root/v1/people/me?personFields=names' });
    expect(calendar.body).toEqual({ host: 'A', url: '/base/calendar/v3/events' });
    expect(unknown.body).toEqual({ host: 'A', url: '/base/drive/v3/files' });
    expect(b.received).toEqual(['/people-root/v1/people/me?personFields=names']);
    expect(a.received).toEqual(['/base/calendar/v3/events', '/base/drive/v3/files']);
  });

  it("with another base URL (sandbox, custom) every request goes to the connection's base", async () => {
    const provider = providerOn(`${a.url}/base`, { people: `${b.url}/people-root/` });
    const http = client(provider, `${a.url}/sandbox/google`);
    await http.request({ method: 'GET', api: 'people', path: 'v1/people/me', operation: 'read' });
    await http.request({ method: 'GET', path: 'calendar/v3/events', operation: 'read' });
    expect(a.received).toEqual(['/sandbox/google/v1/people/me', '/sandbox/google/calendar/v3/events']);
    expect(b.received).toEqual([]);
  });

  it("follows an API's own absolute links, and refuses links to any other origin", async () => {
    const provider = providerOn(`${a.url}/base`, { people: `${b.url}/people-root/` });
    const http = client(provider, `${a.url}/base`);
    const next = await http.request({ method: 'GET', api: 'people', path: `${b.url}/people-root/v1/next?page=2`, operation: 'read' });
    expect(next.body).toEqual({ host: 'B', url: '/people-root/v1/next?page=2' });
    // A third origin, with or without an api; and the People host from a non-People call.
    expect(await codeOf(http.request({ method: 'GET', api: 'people', path: 'http://127.0.0.3:9/steal', operation: 'read' }))).toBe('PROVIDER_REJECTED');
    expect(await codeOf(http.request({ method: 'GET', path: 'http://127.0.0.3:9/steal', operation: 'read' }))).toBe('PROVIDER_REJECTED');
    expect(await codeOf(http.request({ method: 'GET', path: `${b.url}/people-root/v1/x`, operation: 'read' }))).toBe('PROVIDER_REJECTED');
    expect(b.received).toEqual(['/people-root/v1/next?page=2']);
    expect(a.received).toEqual([]);
  });

  it("checks the egress policy on the API host's origin", async () => {
    const provider = providerOn(`${a.url}/base`, { people: `${b.url}/people-root/` });
    const http = client(provider, `${a.url}/base`, { allowPrivate: false, allowHosts: ['127.0.0.1'] });
    expect((await http.request({ method: 'GET', path: 'calendar/v3/events', operation: 'read' })).body).toMatchObject({ host: 'A' });
    expect(await codeOf(http.request({ method: 'GET', api: 'people', path: 'v1/people/me', operation: 'read' }))).toBe('VALIDATION_FAILED');
    expect(b.received).toEqual([]);
  });

  it('the Google provider sends People calls to people.googleapis.com with its default base URL', async () => {
    expect(PROVIDERS.google.apiBases).toEqual({ people: 'https://people.googleapis.com/' });
    const urls: string[] = [];
    // The real hosts are never contacted: this fetch answers in their place.
    const fakeFetch: typeof fetch = (input) => {
      urls.push(input instanceof URL ? input.href : String(input));
      return Promise.resolve(new Response(JSON.stringify({ resourceName: 'people/c1', emailAddresses: [{ value: 'me@example.com', metadata: { primary: true } }] }), { headers: { 'content-type': 'application/json' } }));
    };
    const egress = { allowPrivate: false, allowHosts: ['www.googleapis.com', 'people.googleapis.com'] };
    const http = createProviderHttp({ provider: PROVIDERS.google, connection: { id: 'con_g', tenantId: 'ten_1', baseUrl: PROVIDERS.google.defaultBaseUrl, settings: {} }, tokens: null, egress, fetch: fakeFetch });
    const account = await PROVIDERS.google.validate({ http, connection: { id: 'con_g', tenantId: 'ten_1', baseUrl: PROVIDERS.google.defaultBaseUrl, settings: {} } });
    expect(account.accountId).toBe('me@example.com');
    await http.request({ method: 'GET', path: 'calendar/v3/users/me/calendarList', operation: 'read' });
    expect(urls).toEqual(['https://people.googleapis.com/v1/people/me?personFields=names%2CemailAddresses', 'https://www.googleapis.com/calendar/v3/users/me/calendarList']);
  });
});
