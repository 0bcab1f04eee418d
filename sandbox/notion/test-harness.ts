/**
 * Test support for the Notion simulator's tests: a sandbox on 127.0.0.1:0 with only
 * Notion, a JSON client, and a webhook receiver that records what it gets.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSandbox, type CreateSandboxInput, type Sandbox } from '../index.ts';
import { createNotionSimulator, type NotionSimulatorOptions } from './index.ts';

export interface JsonResponse {
  status: number;
  headers: Headers;
  json: Record<string, unknown> & { results?: Record<string, unknown>[] };
}

export interface NotionHarness {
  base: string;
  sandbox: Sandbox;
  token: string;
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<JsonResponse>;
  close(): Promise<void>;
}

export async function startNotion(input: CreateSandboxInput & { notion?: NotionSimulatorOptions } = {}): Promise<NotionHarness> {
  const { notion, ...rest } = input;
  const sandbox = await createSandbox({ seed: 7, size: 300, rateLimitScale: 100, ...rest, providers: [createNotionSimulator(notion)] });
  const base = await sandbox.listen(0, '127.0.0.1');
  const minted = await fetch(`${base}/_sandbox/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ provider: 'notion' }),
  });
  const token = ((await minted.json()) as { accessToken: string }).accessToken;
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<JsonResponse> => {
    const init: RequestInit = {
      method,
      headers: { authorization: `Bearer ${token}`, 'notion-version': '2025-09-03', ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    };
    if (body !== undefined) init.body = JSON.stringify(body);
    const res = await fetch(`${base}${path}`, init);
    const text = await res.text();
    return { status: res.status, headers: res.headers, json: text ? (JSON.parse(text) as JsonResponse['json']) : {} };
  };
  return { base, sandbox, token, call, close: () => sandbox.close() };
}

export interface ReceivedRequest {
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Receiver {
  url: string;
  received: ReceivedRequest[];
  /** Resolves once `count` requests arrived (rejects after `timeoutMs`). */
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
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    async waitFor(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} webhook requests, got ${received.length}`);
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
