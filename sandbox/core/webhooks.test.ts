import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createSandboxClock } from './clock.ts';
import { createWebhookDispatcher } from './webhooks.ts';

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

/** A real receiver on 127.0.0.1 that answers each delivery with the next planned status. */
async function receiver(plan: (number | 'hang')[]): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      const next = plan.shift() ?? 200;
      if (next === 'hang') return;
      res.writeHead(next, { 'content-type': 'text/plain' }).end(next === 200 ? 'ok' : 'nope');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received, server };
}

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
});

describe('webhook dispatcher', () => {
  it('retries failed deliveries on the scaled schedule with per-retry headers until one succeeds', async () => {
    const r = await receiver([500, 'hang', 200]);
    servers.push(r.server);
    const dispatcher = createWebhookDispatcher(createSandboxClock(), () => 0.01);
    const record = dispatcher.deliver({
      provider: 'slack',
      url: r.url,
      headers: { 'x-test': 'yes' },
      body: '{"type":"event_callback"}',
      retryDelaysMs: [1000, 1000, 1000],
      retryHeaders: (n, reason) => ({ 'x-slack-retry-num': String(n), 'x-slack-retry-reason': reason }),
      timeoutMs: 1000,
    });
    await dispatcher.idle();
    expect(record.delivered).toBe(true);
    expect(record.attempts.map((a) => a.status)).toEqual([500, null, 200]);
    expect(record.attempts[1]?.error).toBe('timeout');
    expect(r.received.map((x) => x.body)).toEqual(Array(3).fill('{"type":"event_callback"}'));
    expect(r.received[0]?.headers['x-slack-retry-num']).toBeUndefined();
    expect(r.received[1]?.headers).toMatchObject({ 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_error', 'x-test': 'yes' });
    expect(r.received[2]?.headers).toMatchObject({ 'x-slack-retry-num': '2', 'x-slack-retry-reason': 'http_timeout' });
    expect(dispatcher.deliveries('slack')).toEqual([record]);
    await dispatcher.close();
  });

  it('gives up after the schedule, and when classify says so', async () => {
    const r = await receiver([503, 503, 503, 200]);
    servers.push(r.server);
    const dispatcher = createWebhookDispatcher(createSandboxClock(), () => 0.001);
    const exhausted = dispatcher.deliver({ provider: 'github', url: r.url, headers: {}, body: '{}', retryDelaysMs: [10] });
    await dispatcher.idle();
    expect(exhausted.delivered).toBe(false);
    expect(exhausted.attempts).toHaveLength(2);
    const stopped = dispatcher.deliver({
      provider: 'slack',
      url: r.url,
      headers: {},
      body: '{}',
      retryDelaysMs: [10, 10],
      classify: ({ status }) => (status === 503 ? 'give_up' : 'delivered'),
    });
    await dispatcher.idle();
    expect(stopped.attempts).toHaveLength(1);
    await dispatcher.close();
  });

  it('records refused connections and stops retrying when closed', async () => {
    const dispatcher = createWebhookDispatcher(createSandboxClock(), () => 1);
    const record = dispatcher.deliver({ provider: 'notion', url: 'http://127.0.0.1:9/none', headers: {}, body: '{}', retryDelaysMs: [60_000] });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(record.attempts[0]?.status).toBeNull();
    expect(record.attempts[0]?.error).toBeTruthy();
    await dispatcher.close();
    expect(record.attempts).toHaveLength(1);
  });
});
