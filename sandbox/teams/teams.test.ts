import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox } from '../index.ts';

/** Response bodies are read loosely, as a client reading JSON does. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const card = (text: string) => ({
  type: 'message',
  attachments: [
    {
      contentType: 'application/vnd.microsoft.card.adaptive',
      contentUrl: null,
      content: { $schema: 'http://adaptivecards.io/schemas/adaptive-card.json', type: 'AdaptiveCard', version: '1.4', body: [{ type: 'TextBlock', text }] },
    },
  ],
});

let sandbox: { url: string; close(): Promise<void> };
beforeEach(async () => {
  sandbox = await startSandbox({ port: 0, size: 10 });
});
afterEach(async () => {
  await sandbox.close();
});

async function createWorkflow(): Promise<{ id: string; url: string }> {
  const response = await fetch(`${sandbox.url}/_sandbox/teams/workflows`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"alerts"}' });
  expect(response.status).toBe(201);
  return (await response.json()) as { id: string; url: string };
}

const post = (url: string, body: unknown) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('Teams Workflows simulator', () => {
  it('accepts an Adaptive Card envelope with 202 and an empty body, and shows it through the control API', async () => {
    const flow = await createWorkflow();
    expect(flow.url).toMatch(/\/teams\/workflows\/[0-9a-f]{32}\/triggers\/manual\/paths\/invoke\?api-version=2016-06-01&.*sig=/);
    const answer = await post(flow.url, card('hello'));
    expect(answer.status).toBe(202);
    expect(await answer.text()).toBe('');
    const read = (await (await fetch(`${sandbox.url}/_sandbox/teams/workflows/${flow.id}`)).json()) as Json;
    expect(read.posts).toHaveLength(1);
    expect(read.posts[0].body.attachments[0].content.body[0].text).toBe('hello');
  });

  it('answers 400 to a malformed envelope, 401 to a wrong sig and 404 once the workflow is deleted', async () => {
    const flow = await createWorkflow();
    expect((await post(flow.url, { text: 'legacy connector payload' })).status).toBe(400);
    const noCard = await post(flow.url, { type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: { type: 'AdaptiveCard', body: [] } }] });
    expect(noCard.status).toBe(400);
    expect(((await noCard.json()) as Json).error.code).toBe('InvalidRequestContent');
    expect((await post(flow.url.replace(/sig=[^&]+/, 'sig=forged'), card('x'))).status).toBe(401);
    await fetch(`${sandbox.url}/_sandbox/teams/workflows/${flow.id}`, { method: 'DELETE' });
    expect((await post(flow.url, card('x'))).status).toBe(404);
    const read = (await (await fetch(`${sandbox.url}/_sandbox/teams/workflows/${flow.id}`)).json()) as Json;
    expect(read.posts).toHaveLength(0);
  });

  it('throttles beyond the configured rate with 429 and Retry-After', async () => {
    const flow = await createWorkflow();
    const set = await fetch(`${sandbox.url}/_sandbox/teams/settings`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"ratePerMinute":2}' });
    expect(set.status).toBe(200);
    expect((await post(flow.url, card('1'))).status).toBe(202);
    expect((await post(flow.url, card('2'))).status).toBe(202);
    const third = await post(flow.url, card('3'));
    expect(third.status).toBe(429);
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
    await fetch(`${sandbox.url}/_sandbox/clock/advance`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"ms":61000}' });
    expect((await post(flow.url, card('4'))).status).toBe(202);
  });
});
