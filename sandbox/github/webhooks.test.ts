import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSandbox } from '../index.ts';
import type { Sandbox } from '../index.ts';
import { createGithubSimulator } from './index.ts';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

const SECRET = 'It’s a Secret to Everybody';

let sandbox: Sandbox;
let base: string;
let auth: Record<string, string>;
let repo: string;
let receiver: Server;
let receiverUrl: string;
let received: Received[] = [];
let answerStatus = 200;

/** GitHub's documented algorithm, written here independently of the sandbox. */
function expectSigned(delivery: Received, secret: string): void {
  const sha256 = `sha256=${createHmac('sha256', secret).update(delivery.body, 'utf8').digest('hex')}`;
  const sha1 = `sha1=${createHmac('sha1', secret).update(delivery.body, 'utf8').digest('hex')}`;
  const header256 = String(delivery.headers['x-hub-signature-256']);
  expect(header256.length).toBe(sha256.length);
  expect(timingSafeEqual(Buffer.from(header256), Buffer.from(sha256))).toBe(true);
  expect(delivery.headers['x-hub-signature']).toBe(sha1);
}

async function control(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${base}/_sandbox${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? null : JSON.stringify(body),
  });
  expect(response.status).toBeLessThan(300);
  return (await response.json()) as Record<string, unknown>;
}

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${base}/github${path}`, {
    method,
    headers: { ...auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? null : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

async function createHook(events: string[], extra: Record<string, unknown> = {}, path = `/repos/${repo}/hooks`): Promise<number> {
  const created = await api('POST', path, { name: 'web', active: true, events, config: { url: receiverUrl, content_type: 'json', secret: SECRET, ...extra } });
  expect(created.status).toBe(201);
  return Number(created.body.id);
}

async function settled(): Promise<void> {
  await sandbox.ctx.webhooks.idle();
}

beforeAll(async () => {
  receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      response.statusCode = answerStatus;
      response.end('ok');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/github-events`;
  sandbox = await createSandbox({ providers: [createGithubSimulator()], seed: 5, size: 60 });
  base = await sandbox.listen(0);
});

beforeEach(async () => {
  await control('POST', '/reset', {});
  received = [];
  answerStatus = 200;
  const tokens = await control('POST', '/tokens', { provider: 'github' });
  auth = { authorization: `Bearer ${String(tokens.accessToken)}` };
  const repos = (await control('GET', '/github/repos')).records as { full_name: string; owner: { type: string } }[];
  repo = repos.find((candidate) => candidate.owner.type === 'Organization')?.full_name ?? '';
});

afterAll(async () => {
  await sandbox?.close();
  await new Promise((resolve) => receiver?.close(resolve));
});

describe('GitHub webhooks', () => {
  it('registers a hook through the REST API, hides its secret, and sends a signed ping', async () => {
    const hookId = await createHook(['issues']);
    const shown = await api('GET', `/repos/${repo}/hooks/${hookId}`);
    expect(shown.body).toMatchObject({ id: hookId, events: ['issues'], config: { url: receiverUrl, content_type: 'json', secret: '********' } });
    await settled();
    expect(received).toHaveLength(1);
    const ping = received[0] as Received;
    expect(ping.headers['x-github-event']).toBe('ping');
    expect(ping.headers['x-github-hook-id']).toBe(String(hookId));
    expect(ping.headers['x-github-delivery']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(String(ping.headers['user-agent'])).toMatch(/^GitHub-Hookshot\//);
    expect(ping.headers['content-type']).toBe('application/json');
    expect(JSON.parse(ping.body)).toMatchObject({ hook_id: hookId, zen: expect.any(String), hook: { id: hookId } });
    expectSigned(ping, SECRET);
  });

  it('delivers signed issues and issue_comment events for edits made by people, and only the subscribed ones', async () => {
    await createHook(['issues', 'issue_comment']);
    await settled();
    received = [];
    const issue = await control('POST', '/github/issues', { repo, title: 'Webhook me' });
    await control('PATCH', `/github/issues/${String(issue.id)}`, { title: 'Webhook me, edited' });
    await control('POST', '/github/comments', { repo, issue_number: issue.number, body: 'A comment' });
    await control('PATCH', `/github/issues/${String(issue.id)}`, { state: 'closed' });
    await control('DELETE', `/github/issues/${String(issue.id)}`);
    await control('PATCH', `/github/repos/${encodeURIComponent(repo)}`, { description: 'repository events are not subscribed' });
    await settled();

    const events = received.map((delivery) => `${String(delivery.headers['x-github-event'])}.${(JSON.parse(delivery.body) as { action: string }).action}`);
    expect(events.sort()).toEqual(['issue_comment.created', 'issues.closed', 'issues.deleted', 'issues.edited', 'issues.opened'].sort());
    for (const delivery of received) expectSigned(delivery, SECRET);
    const edited = received.find((delivery) => delivery.body.includes('"action":"edited"'));
    expect(JSON.parse(edited?.body ?? '{}')).toMatchObject({ changes: { title: { from: 'Webhook me' } }, issue: { title: 'Webhook me, edited' }, repository: { full_name: repo } });
    expect(new Set(received.map((delivery) => delivery.headers['x-github-delivery'])).size).toBe(received.length);
  });

  it('does not retry a failed delivery, and redelivers it on request with the same GUID and body', async () => {
    const hookId = await createHook(['issues']);
    await settled();
    received = [];
    answerStatus = 500;
    await control('POST', '/github/issues', { repo, title: 'Receiver is down' });
    await settled();
    expect(received).toHaveLength(1);
    const failed = received[0] as Received;

    const list = await api('GET', `/repos/${repo}/hooks/${hookId}/deliveries`);
    const deliveries = list.body as unknown as { id: number; guid: string; event: string; status_code: number; redelivery: boolean }[];
    const failedDelivery = deliveries.find((delivery) => delivery.event === 'issues');
    expect(failedDelivery).toMatchObject({ guid: failed.headers['x-github-delivery'], status_code: 500, redelivery: false });

    answerStatus = 200;
    const attempt = await api('POST', `/repos/${repo}/hooks/${hookId}/deliveries/${failedDelivery?.id}/attempts`);
    expect(attempt.status).toBe(202);
    await settled();
    expect(received).toHaveLength(2);
    const again = received[1] as Received;
    expect(again.headers['x-github-delivery']).toBe(failed.headers['x-github-delivery']);
    expect(again.body).toBe(failed.body);
    expectSigned(again, SECRET);
    const relisted = (await api('GET', `/repos/${repo}/hooks/${hookId}/deliveries`)).body as unknown as { redelivery: boolean; status_code: number }[];
    expect(relisted.filter((delivery) => delivery.redelivery)).toMatchObject([{ status_code: 200 }]);
  });

  it('signs form-encoded deliveries over the form body, and org hooks see every repository', async () => {
    const org = repo.split('/')[0] ?? '';
    await createHook(['issues'], { content_type: 'form' }, `/orgs/${org}/hooks`);
    await settled();
    received = [];
    await control('POST', '/github/issues', { repo, title: 'Form please' });
    await settled();
    expect(received).toHaveLength(1);
    const delivery = received[0] as Received;
    expect(delivery.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(delivery.headers['x-github-hook-installation-target-type']).toBe('organization');
    expectSigned(delivery, SECRET);
    const payload = JSON.parse(new URLSearchParams(delivery.body).get('payload') ?? '{}') as { action: string; organization: { login: string } };
    expect(payload).toMatchObject({ action: 'opened', organization: { login: org } });
  });

  it('rejects a hook without a URL with 422 Validation Failed', async () => {
    const created = await api('POST', `/repos/${repo}/hooks`, { config: { content_type: 'json' }, events: ['issues'] });
    expect(created.status).toBe(422);
    expect(created.body).toMatchObject({ message: 'Validation Failed', errors: [{ resource: 'Hook', code: 'custom' }] });
  });
});
