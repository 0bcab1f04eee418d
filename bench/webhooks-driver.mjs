// Load driver for bench/webhooks.bench.ts, run as a SECOND process so that the client's
// CPU is not the server's event loop. Sends signed GitHub `issues` deliveries, each
// with a unique X-GitHub-Delivery and its own X-Hub-Signature-256, with autocannon.
// Prints one JSON line: {sent, ok, non2xx, errors, durationS, p50Ms, p99Ms, meanMs}.
//
//   node bench/webhooks-driver.mjs --url URL --secret S --duration 10 --connections 64 [--rate 1000] [--prepare N]
import { createHmac, randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    secret: { type: 'string' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '64' },
    rate: { type: 'string' },
    prepare: { type: 'string', default: '0' },
  },
});

const issue = {
  action: 'edited',
  issue: {
    url: 'https://api.github.com/repos/acme/web/issues/1347',
    number: 1347,
    title: 'Found a bug',
    user: { login: 'octocat', id: 1, type: 'User', site_admin: false },
    labels: [{ id: 208045946, name: 'bug', color: 'f29513', default: true }],
    state: 'open',
    locked: false,
    comments: 3,
    created_at: '2026-04-10T20:09:31Z',
    updated_at: '2026-11-26T07:00:00Z',
    body: 'I am having a problem with this. '.repeat(20),
  },
  changes: { title: { from: 'Found a bug?' } },
  repository: { id: 1296269, name: 'web', full_name: 'acme/web', private: false, owner: { login: 'acme', id: 2 } },
  sender: { login: 'octocat', id: 1 },
};

const secret = values.secret;
let counter = 0;
function signed() {
  counter += 1;
  issue.issue.comments = counter;
  const body = JSON.stringify(issue);
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'user-agent': 'GitHub-Hookshot/bench',
      'x-github-event': 'issues',
      'x-github-delivery': randomUUID(),
      'x-hub-signature-256': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`,
    },
  };
}
// Signed ahead of time (the driver shares the 2 cores with the server): at most
// --prepare deliveries, then signed on the fly.
const prepared = Array.from({ length: Number(values.prepare) }, signed);
let next = 0;
const requests = [{ method: 'POST', setupRequest: (req) => ({ ...req, ...(next < prepared.length ? prepared[next++] : signed()) }) }];

const result = await autocannon({
  url: values.url,
  connections: Number(values.connections),
  duration: Number(values.duration),
  requests,
  ...(values.rate ? { overallRate: Number(values.rate) } : {}),
});

process.stdout.write(
  `${JSON.stringify({
    sent: result.requests.sent,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    durationS: result.duration,
    bodyBytes: JSON.stringify(issue).length,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    meanMs: result.latency.average,
  })}\n`,
);
