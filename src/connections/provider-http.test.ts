import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TributaryError } from '../domain/errors.ts';
import type { HttpResponse, Provider } from '../providers/provider.ts';
import { assertEgressAllowed, isNonPublicAddress } from './egress.ts';
import { createProviderHttp, type TokenSource } from './provider-http.ts';

/** A provider that classifies like a typical REST API: 401 auth, 429 with Retry-After, 5xx transient. */
const testProvider: Provider = {
  id: 'github',
  label: 'Test API',
  defaultBaseUrl: 'https://api.example.com',
  defaultAuthBaseUrl: 'https://example.com',
  auth: { credentialTypes: ['bearer_token'] },
  objects: [],
  validate: () => Promise.reject(new Error('unused')),
  discover: () => Promise.resolve([]),
  health: () => Promise.resolve({ ok: true }),
  classifyError(response: HttpResponse) {
    if (response.status === 401) return new TributaryError('PROVIDER_AUTH_FAILED', 'Bad credentials');
    if (response.status === 429) {
      return new TributaryError('PROVIDER_RATE_LIMITED', 'Slow down', { retryAfterMs: Number(response.headers['retry-after']) * 1000 });
    }
    if (response.status >= 500) return new TributaryError('PROVIDER_UNAVAILABLE', `HTTP ${response.status}`);
    if (response.status >= 400) return new TributaryError('PROVIDER_REJECTED', `HTTP ${response.status}`);
    return null;
  },
};

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

let server: Server;
let baseUrl: string;
let handler: Handler;
const received: { method: string; url: string; authorization: string | undefined; body: string }[] = [];

beforeEach(async () => {
  received.length = 0;
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization, body });
      handler(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
});

afterEach(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function client(tokens: TokenSource | null = null, extra: { allowPrivate?: boolean } = {}) {
  const sleeps: number[] = [];
  const http = createProviderHttp({
    provider: testProvider,
    connection: { id: 'con_1', tenantId: 'ten_1', baseUrl, settings: {} },
    tokens,
    egress: { allowPrivate: extra.allowPrivate ?? true },
    random: () => 0.5,
    sleep: (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
  });
  return { http, sleeps };
}

describe('provider HTTP client', () => {
  it('sends JSON with the bearer token under the base path and parses the answer', async () => {
    handler = (_req, res) => json(res, 200, { ok: true });
    const { http } = client({ accessToken: () => Promise.resolve('tok-1'), refreshAfterUnauthorized: () => Promise.resolve(null) });
    const response = await http.request({ method: 'POST', path: 'things', query: { a: 1, skip: undefined }, body: { x: 1 }, operation: 'write' });
    expect(response.body).toEqual({ ok: true });
    expect(received[0]).toMatchObject({ method: 'POST', url: '/api/things?a=1', authorization: 'Bearer tok-1', body: '{"x":1}' });
  });

  it('refreshes once after a 401 and retries with the new token', async () => {
    handler = (req, res) => (req.headers.authorization === 'Bearer fresh' ? json(res, 200, { ok: 1 }) : json(res, 401, { message: 'Bad credentials' }));
    const rejected: string[] = [];
    const { http } = client({
      accessToken: () => Promise.resolve('stale'),
      refreshAfterUnauthorized: (token) => {
        rejected.push(token);
        return Promise.resolve('fresh');
      },
    });
    await expect(http.request({ method: 'GET', path: 'me', operation: 'read' })).resolves.toMatchObject({ status: 200 });
    expect(rejected).toEqual(['stale']);
    expect(received.map((r) => r.authorization)).toEqual(['Bearer stale', 'Bearer fresh']);
  });

  it('gives up with an auth error when the refreshed token is refused too, without a retry storm', async () => {
    handler = (_req, res) => json(res, 401, { message: 'Bad credentials' });
    const { http } = client({ accessToken: () => Promise.resolve('a'), refreshAfterUnauthorized: () => Promise.resolve('b') });
    await expect(http.request({ method: 'GET', path: 'me', operation: 'read' })).rejects.toMatchObject({ code: 'PROVIDER_AUTH_FAILED' });
    expect(received).toHaveLength(2);
  });

  it('retries transient failures with backoff and honours Retry-After', async () => {
    const answers = [
      (res: ServerResponse) => json(res, 503, {}),
      (res: ServerResponse) => json(res, 429, {}, { 'retry-after': '2' }),
      (res: ServerResponse) => json(res, 200, { done: true }),
    ];
    handler = (_req, res) => answers.shift()!(res);
    const { http, sleeps } = client();
    await expect(http.request({ method: 'GET', path: 'x', operation: 'read' })).resolves.toMatchObject({ body: { done: true } });
    expect(sleeps).toHaveLength(2);
    expect(sleeps[0]).toBeLessThan(250);
    expect(sleeps[1]).toBeGreaterThanOrEqual(2000);
  });

  it('does not retry permanent errors', async () => {
    handler = (_req, res) => json(res, 404, {});
    const { http, sleeps } = client();
    await expect(http.request({ method: 'GET', path: 'x', operation: 'read' })).rejects.toMatchObject({ code: 'PROVIDER_REJECTED' });
    expect(sleeps).toEqual([]);
  });

  it('turns a dropped connection into a transient provider error after its attempts', async () => {
    handler = (req) => req.socket.destroy();
    const { http, sleeps } = client();
    await expect(http.request({ method: 'GET', path: 'x', operation: 'read' })).rejects.toMatchObject({
      code: 'PROVIDER_UNAVAILABLE',
      category: 'transient',
    });
    expect(sleeps).toHaveLength(2);
  });

  it('refuses links to another origin', async () => {
    const { http } = client();
    await expect(http.request({ method: 'GET', path: 'http://169.254.169.254/latest/meta-data', operation: 'read' })).rejects.toMatchObject({
      code: 'PROVIDER_REJECTED',
    });
    expect(received).toHaveLength(0);
  });

  it('refuses a loopback base URL unless the operator allows private egress', async () => {
    handler = (_req, res) => json(res, 200, {});
    const { http } = client(null, { allowPrivate: false });
    await expect(http.request({ method: 'GET', path: 'x', operation: 'read' })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      field: 'connection.baseUrl',
    });
    expect(received).toHaveLength(0);
  });
});

describe('egress policy', () => {
  it('classifies addresses', () => {
    for (const address of ['127.0.0.1', '10.1.2.3', '172.20.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '::1', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '0.0.0.0']) {
      expect(isNonPublicAddress(address), address).toBe(true);
    }
    for (const address of ['8.8.8.8', '140.82.112.3', '2606:4700::1111']) expect(isNonPublicAddress(address), address).toBe(false);
  });

  it('refuses a public-looking name that resolves to a private address, and names the field', async () => {
    const resolve = (host: string) => Promise.resolve(host === 'evil.example' ? ['10.0.0.5'] : ['93.184.216.34']);
    await expect(assertEgressAllowed('https://evil.example/x', { allowPrivate: false }, 'body.baseUrl', resolve)).rejects.toMatchObject({
      field: 'body.baseUrl',
    });
    await expect(assertEgressAllowed('https://good.example/x', { allowPrivate: false }, 'body.baseUrl', resolve)).resolves.toBeInstanceOf(URL);
    await expect(assertEgressAllowed('http://[::ffff:127.0.0.1]:3000/', { allowPrivate: false }, 'body.baseUrl', resolve)).rejects.toThrow(/private/);
    const demo = { allowPrivate: false, allowOrigins: ['http://127.0.0.1:4010'] };
    await expect(assertEgressAllowed('http://127.0.0.1:4010/salesforce', demo, 'body.baseUrl', resolve)).resolves.toBeInstanceOf(URL);
    await expect(assertEgressAllowed('http://127.0.0.1:6379/', demo, 'body.baseUrl', resolve)).rejects.toThrow(/private/);
    await expect(assertEgressAllowed('ftp://good.example/x', { allowPrivate: false }, 'body.baseUrl', resolve)).rejects.toThrow(/http or https/);
    await expect(assertEgressAllowed('https://u:p@good.example/', { allowPrivate: false }, 'body.baseUrl', resolve)).rejects.toThrow(/credentials/);
  });
});
