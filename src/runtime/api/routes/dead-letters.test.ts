import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { TributaryError } from '../../../domain/errors.ts';
import type { Consumer, JobQueue } from '../../../ports/job-queue.ts';
import { DeadLetterAdmin } from '../../../queues/index.ts';
import { startTempPlatform, type TempPlatform } from '../../testing/temp-platform.ts';

const ADMIN_KEY = 'admin-key-for-dead-letter-tests-0123456789';
const admin = { authorization: `Bearer ${ADMIN_KEY}` };
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const SECRET = 'tok_live_do-not-show-0123456789';

interface DeadLetterBody {
  id: string;
  jobId: string;
  queue: string;
  tenantId: string | null;
  subject: Record<string, string>;
  attempts: number;
  errorCode: string;
  errorMessage: string;
  failedAt: string;
}
interface Page {
  items: DeadLetterBody[];
  nextCursor: string | null;
}

let t: TempPlatform;
let queue: JobQueue;
let tenantA: string;
let tenantB: string;
let keyA: string;
let keyB: string;

/** Runs `sync-outbound` jobs: the ones marked `fail` fail permanently (straight to the dead letters), the rest are recorded. */
const ran: string[] = [];
let consumer: Consumer;

async function deadLetterFor(tenantId: string, integrationId: string): Promise<DeadLetterBody> {
  await queue.enqueue('sync-outbound', { tenantId, integrationId, fail: true, accessToken: SECRET });
  let found: DeadLetterBody | undefined;
  await vi.waitFor(async () => {
    const page = (await t.app.inject({ method: 'GET', url: '/v1/dead-letters?queue=sync-outbound', headers: admin })).json<Page>();
    found = page.items.find((d) => d.subject['integrationId'] === integrationId);
    expect(found).toBeDefined();
  }, { timeout: 5000, interval: 20 });
  return found!;
}

beforeAll(async () => {
  t = await startTempPlatform({ adminKey: ADMIN_KEY, logLevel: 'silent' });
  queue = t.platform.services.queue;
  const create = async (name: string) => (await t.app.inject({ method: 'POST', url: '/v1/tenants', headers: admin, payload: { name } })).json<{ id: string }>().id;
  const key = async (tenantId: string) => (await t.app.inject({ method: 'POST', url: `/v1/tenants/${tenantId}/api-keys`, headers: admin, payload: { name: 'ops' } })).json<{ key: string }>().key;
  tenantA = await create('Acme');
  tenantB = await create('Globex');
  keyA = await key(tenantA);
  keyB = await key(tenantB);
  consumer = queue.consume<{ integrationId: string; fail?: boolean }>('sync-outbound', async (job) => {
    if (job.payload.fail && !ran.includes(`fail:${job.payload.integrationId}`)) {
      // Fails once for good; a replay of it then succeeds (the operator fixed the cause).
      ran.push(`fail:${job.payload.integrationId}`);
      throw new TributaryError('VALIDATION_FAILED', 'Field `email` is required by the provider');
    }
    ran.push(job.payload.integrationId);
  }, { concurrency: 1 });
});

afterAll(async () => {
  await consumer.stop();
  await t.close();
});

describe('dead letters API', () => {
  it('lists a job that failed for good with its error, and shows no payload secret', async () => {
    const dead = await deadLetterFor(tenantA, 'int_list');
    expect(dead).toMatchObject({ queue: 'sync-outbound', tenantId: tenantA, attempts: 1, errorCode: 'VALIDATION_FAILED', errorMessage: 'Field `email` is required by the provider' });
    expect(dead.subject).toEqual({ integrationId: 'int_list' });
    expect(Date.parse(dead.failedAt)).not.toBeNaN();
    const body = (await t.app.inject({ method: 'GET', url: '/v1/dead-letters', headers: admin })).body;
    expect(body).not.toContain(SECRET);
    expect(body).not.toContain('accessToken');
  });

  it('replay puts the job back on its queue and it runs; the dead letter is gone and the action audited', async () => {
    const dead = await deadLetterFor(tenantA, 'int_replay');
    const response = await t.app.inject({ method: 'POST', url: `/v1/dead-letters/${dead.id}/replay`, headers: bearer(keyA) });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json<{ jobId: string }>().jobId).not.toBe(dead.jobId);
    await vi.waitFor(() => expect(ran).toContain('int_replay'), { timeout: 5000, interval: 20 });
    const page = (await t.app.inject({ method: 'GET', url: '/v1/dead-letters', headers: admin })).json<Page>();
    expect(page.items.map((d) => d.id)).not.toContain(dead.id);
    const audit = (await t.app.inject({ method: 'GET', url: `/v1/audit?action=dead_letter.replay&target=${dead.id}`, headers: admin })).json<{ items: { tenantId: string; details: Record<string, unknown> }[] }>();
    expect(audit.items).toHaveLength(1);
    expect(audit.items[0]).toMatchObject({ tenantId: tenantA, details: { queue: 'sync-outbound', integrationId: 'int_replay' } });
  });

  it('discard removes the dead letter for good and is audited', async () => {
    const dead = await deadLetterFor(tenantA, 'int_discard');
    const response = await t.app.inject({ method: 'DELETE', url: `/v1/dead-letters/${dead.id}`, headers: admin });
    expect(response.statusCode, response.body).toBe(204);
    expect((await t.app.inject({ method: 'DELETE', url: `/v1/dead-letters/${dead.id}`, headers: admin })).statusCode).toBe(404);
    expect(ran).not.toContain('int_discard');
    const audit = (await t.app.inject({ method: 'GET', url: `/v1/audit?action=dead_letter.discard&target=${dead.id}`, headers: bearer(keyA) })).json<{ items: unknown[] }>();
    expect(audit.items).toHaveLength(1);
  });

  it("keeps tenants apart: B neither sees, replays nor discards A's dead letter", async () => {
    const dead = await deadLetterFor(tenantA, 'int_isolated');
    const mine = await deadLetterFor(tenantB, 'int_b_own');
    const seenByB = (await t.app.inject({ method: 'GET', url: '/v1/dead-letters', headers: bearer(keyB) })).json<Page>();
    expect(seenByB.items.map((d) => d.id)).toEqual([mine.id]);
    const seenByA = (await t.app.inject({ method: 'GET', url: '/v1/dead-letters', headers: bearer(keyA) })).json<Page>();
    expect(seenByA.items.map((d) => d.id)).toContain(dead.id);
    expect(seenByA.items.every((d) => d.tenantId === tenantA)).toBe(true);
    for (const request of [{ method: 'POST' as const, url: `/v1/dead-letters/${dead.id}/replay` }, { method: 'DELETE' as const, url: `/v1/dead-letters/${dead.id}` }]) {
      const response = await t.app.inject({ ...request, headers: bearer(keyB) });
      expect(response.statusCode).toBe(404);
      expect(response.json<{ error: { field: string } }>().error.field).toBe('params.id');
    }
    const still = (await t.app.inject({ method: 'GET', url: '/v1/dead-letters', headers: bearer(keyA) })).json<Page>();
    expect(still.items.map((d) => d.id)).toContain(dead.id);
  });

  it('answers 404 naming the field for an unknown id, and 400 for an unknown queue', async () => {
    for (const request of [{ method: 'POST' as const, url: '/v1/dead-letters/dlq_nope/replay' }, { method: 'DELETE' as const, url: '/v1/dead-letters/dlq_nope' }]) {
      const response = await t.app.inject({ ...request, headers: admin });
      expect(response.statusCode).toBe(404);
      expect(response.json<{ error: { code: string; field: string } }>().error).toMatchObject({ code: 'NOT_FOUND', field: 'params.id' });
    }
    const bad = await t.app.inject({ method: 'GET', url: '/v1/dead-letters?queue=nope', headers: admin });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ error: { field: string } }>().error.field).toContain('queue');
  });

  it('pages with limit and cursor without repeating or skipping', async () => {
    const made = [await deadLetterFor(tenantB, 'int_page_1'), await deadLetterFor(tenantB, 'int_page_2'), await deadLetterFor(tenantB, 'int_page_3')];
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/v1/dead-letters?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page: Page = (await t.app.inject({ method: 'GET', url, headers: bearer(keyB) })).json<Page>();
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((d) => d.id));
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(new Set(seen).size).toBe(seen.length);
    for (const d of made) expect(seen).toContain(d.id);
    const bad = await t.app.inject({ method: 'GET', url: '/v1/dead-letters?cursor=garbage', headers: admin });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ error: { field: string } }>().error.field).toBe('querystring.cursor');
  });

  it("a tenant's view reads a bounded number of dead letters per page and continues by cursor", async () => {
    await deadLetterFor(tenantA, 'int_scan_a');
    const { store, clock } = t.platform.services;
    const everything = (await new DeadLetterAdmin({ queue, store, clock }).list({ tenantId: tenantB }, { limit: 200 })).items.map((d) => d.id);
    expect(everything.length).toBeGreaterThan(2);
    const reads: number[] = [];
    // The real queue, counting what each page reads from it.
    const counting: JobQueue = Object.assign(Object.create(queue) as JobQueue, {
      listDeadLetters: async (...args: Parameters<JobQueue['listDeadLetters']>) => {
        const batch = await queue.listDeadLetters(...args);
        reads.push(batch.length);
        return batch;
      },
    });
    const bounded = new DeadLetterAdmin({ queue: counting, store, clock, scanLimit: 2 });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      reads.length = 0;
      const page = await bounded.list({ tenantId: tenantB }, { limit: 50, cursor });
      expect(reads.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((d) => d.id));
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(seen).toEqual(everything);
  });
});
