/**
 * Test support for the Google simulator's tests: a sandbox on 127.0.0.1:0 with only
 * Google, a JSON client, and a receiver for watch-channel notifications.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSandbox, type CreateSandboxInput, type Sandbox } from '../index.ts';
import { createGoogleSimulator, type GoogleSimulatorOptions } from './index.ts';

export interface JsonResponse {
  status: number;
  headers: Headers;
  json: Record<string, unknown>;
}

export interface GoogleHarness {
  base: string;
  sandbox: Sandbox;
  token: string;
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<JsonResponse>;
  control(method: string, path: string, body?: unknown): Promise<JsonResponse>;
  close(): Promise<void>;
}

async function json(res: Response): Promise<JsonResponse> {
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

export async function startGoogle(input: CreateSandboxInput & { google?: GoogleSimulatorOptions } = {}): Promise<GoogleHarness> {
  const { google, ...rest } = input;
  const sandbox = await createSandbox({ seed: 11, size: 200, rateLimitScale: 100, ...rest, providers: [createGoogleSimulator(google)] });
  const base = await sandbox.listen(0, '127.0.0.1');
  const control = async (method: string, path: string, body?: unknown) =>
    json(await fetch(`${base}/_sandbox${path}`, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) }));
  const token = String((await control('POST', '/tokens', { provider: 'google' })).json.accessToken);
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    json(
      await fetch(`${base}/google${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
    );
  return { base, sandbox, token, call, control, close: () => sandbox.close() };
}

export interface ReceivedRequest {
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Receiver {
  url: string;
  received: ReceivedRequest[];
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}

/** An HTTP endpoint that records requests and answers `statusFor(n)` to the n-th (0-based). */
export async function startReceiver(statusFor: (n: number) => number = () => 200): Promise<Receiver> {
  const received: ReceivedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const n = received.length;
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.statusCode = statusFor(n);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/notify`,
    received,
    async waitFor(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} notifications, got ${received.length}`);
        await new Promise((r) => setTimeout(r, 10));
      }
      return received;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
