import { describe, expect, it } from 'vitest';
import { planCall } from './plan.ts';
import { DEFAULT_POLICIES } from './policies/index.ts';
import type { RateCall } from './types.ts';

const base = { tenantId: 'ten_a', connectionId: 'con_1' } as const;
const plan = (call: RateCall, multiplier = 1) => planCall(call, DEFAULT_POLICIES[call.provider], {}, multiplier).map((p) => ({ ...p.take, key: p.meta.key }));

describe('the counters a call must pass', () => {
  it('GitHub read: core (reported by headers), 1 point on its endpoint, one in-flight slot', () => {
    expect(plan({ ...base, provider: 'github', operation: 'read', endpoint: 'GET /repos/{o}/{r}/issues' })).toMatchObject([
      { key: 'connection:github:core:con_1', limit: 5_000, windowMs: 3_600_000, observed: true, cost: 1 },
      { key: 'operation:github:points:con_1|GET /repos/{o}/{r}/issues', limit: 900, cost: 1 },
      { key: 'connection:github:in-flight:con_1', kind: 'concurrency', limit: 100 },
    ]);
  });

  it('GitHub write: 5 points and the content-creation caps; search: the search budget, not core', () => {
    const write = plan({ ...base, provider: 'github', operation: 'write', endpoint: 'POST /repos/{o}/{r}/issues' });
    expect(write.map((t) => t.key.split(':')[2])).toEqual(['core', 'points', 'content-minute', 'content-hour', 'in-flight']);
    expect(write[1]).toMatchObject({ cost: 5 });
    const search = plan({ ...base, provider: 'github', operation: 'search', endpoint: 'GET /search/issues' });
    expect(search.map((t) => t.key.split(':')[2])).toEqual(['search', 'points', 'in-flight']);
  });

  it('Slack: one counter per method tier per workspace, shared by every connection to it', () => {
    const a = plan({ ...base, provider: 'slack', operation: 'read', account: 'T123', endpoint: 'conversations.history' });
    const b = plan({ ...base, connectionId: 'con_2', provider: 'slack', operation: 'write', account: 'T123', endpoint: 'chat.postMessage' });
    expect(a).toMatchObject([{ key: 'operation:slack:tier3:T123|conversations.history', limit: 50, windowMs: 60_000 }]);
    expect(b).toMatchObject([{ key: 'operation:slack:post:T123|chat.postMessage', limit: 60 }]);
  });

  it('Notion: the connection and its workspace; Google: the user and the project; Salesforce: the org', () => {
    expect(plan({ ...base, provider: 'notion', operation: 'read', account: 'ws_1' }).map((t) => t.key)).toEqual([
      'connection:notion:connection:con_1', 'connection:notion:workspace:ws_1',
    ]);
    expect(plan({ ...base, provider: 'google', operation: 'write', account: 'proj_1' }).map((t) => t.key)).toEqual([
      'connection:google:user-write:con_1', 'connection:google:project:proj_1',
    ]);
    expect(plan({ ...base, provider: 'salesforce', operation: 'read', account: '00D1' }).map((t) => t.key)).toEqual([
      'connection:salesforce:daily:00D1', 'connection:salesforce:long-running:00D1',
    ]);
  });

  it("scales the connection's budgets by its multiplier, not the global, provider or tenant levels", () => {
    const planned = planCall({ ...base, provider: 'notion', operation: 'read' }, DEFAULT_POLICIES.notion, { global: { limit: 100, windowMs: 1_000 }, tenant: { limit: 10, windowMs: 1_000 } }, 0.5);
    expect(planned.map((p) => [p.meta.level, p.take.kind === 'window' ? p.take.scale : null])).toEqual([
      ['global', 1], ['tenant', 1], ['connection', 0.5], ['connection', 0.5],
    ]);
  });
});
