/**
 * Cluster mode end to end on PostgreSQL and Redis: two api processes, one
 * webhook-receiver and three worker processes (the real CLI, one `--roles` each).
 * Every tenant's Salesforce Contacts are pulled and GitHub issue edits arrive as
 * webhooks while one worker and one api process are killed with SIGKILL; afterwards
 * every tenant's entities match the sandbox exactly, every delivery GitHub saw
 * acknowledged (2xx) was stored once and processed, and nothing is duplicated.
 *
 * Size: the normal run pulls 4 tenants x the sandbox's Contacts (about 4,300 records)
 * and 300 webhooks (a minute or two on 2 cores). TRIBUTARY_CLUSTER_FULL=1 runs the
 * issue's size: 5 tenants x 10,000 Contacts = 50,000 records and 5,000 webhooks
 * (several minutes on 2 cores).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startCluster, until, type Cluster } from './cluster-fixture.ts';
import { contactEntityCount, editIssues, hookDeliveries, seedWorkload, startPulls, waitForPulls } from './cluster-workload.ts';

const FULL = process.env.TRIBUTARY_CLUSTER_FULL === '1';
const SIZE = FULL ? { people: 11_150, tenants: 5, webhooks: 5_000, timeoutMs: 1_500_000 } : { people: 1_200, tenants: 4, webhooks: 300, timeoutMs: 240_000 };

let cluster: Cluster | null = null;
afterEach(async (context) => {
  if (context.task.result?.state === 'fail' && cluster) console.error(await cluster.diagnose());
  await cluster?.close();
  cluster = null;
});

describe('cluster mode (PostgreSQL + Redis, one process per role)', () => {
  it('syncs every record and processes every acknowledged webhook once while a worker and an api process are SIGKILLed', { timeout: SIZE.timeoutMs }, async () => {
    cluster = await startCluster({ sandboxSize: SIZE.people });
    const c = cluster;
    const workload = await seedWorkload(c, SIZE.tenants);
    const expectedRecords = workload.contacts.length * SIZE.tenants;
    if (FULL) expect(expectedRecords).toBeGreaterThanOrEqual(50_000);

    const [api1, api2, receiver, worker1] = await Promise.all([
      c.spawn('api'),
      c.spawn('api'),
      c.spawn('webhook-receiver', { port: Number(new URL(c.receiverUrl).port) }),
      c.spawn('inbound-worker,outbound-worker'),
      c.spawn('inbound-worker,outbound-worker'),
      c.spawn('inbound-worker,outbound-worker'),
    ]);
    // The receiver serves the intake and nothing of the tenant API.
    expect((await fetch(`${receiver!.url}/v1/tenants`)).status).toBe(404);

    await startPulls(api1!.url!, workload);
    const edits = editIssues(c, workload, SIZE.webhooks);

    // Mid-ingest: a worker holding pulls and an api process die without a word.
    await until('a third of the records', async () => (await contactEntityCount(c)) >= expectedRecords / 3, SIZE.timeoutMs / 2);
    worker1!.child.kill('SIGKILL');
    api1!.child.kill('SIGKILL');
    await Promise.all([worker1!.exited, api1!.exited]);

    // The surviving api process serves the same tenants.
    const surviving = await fetch(`${api2!.url}/v1/tenants/${workload.pulls[0]!.tenantId}/integrations/${workload.pulls[0]!.integrationId}`, { headers: { authorization: 'Bearer cluster-test-admin-key-0123456789' } });
    expect(surviving.status).toBe(200);

    await edits;
    const statuses = await waitForPulls(c, workload, SIZE.timeoutMs / 2);
    expect(statuses.every((status) => status === 'succeeded'), statuses.join(', ')).toBe(true);

    // Every tenant holds exactly the sandbox's Contacts: each once, with the sandbox's values.
    const byContact = new Map(workload.contacts.map((contact) => [contact.Id as string, contact]));
    for (const pull of workload.pulls) {
      const rows = await c.sql<{ external_id: string; family_name: string | null; links: number }>(
        `SELECT l.external_id, e.fields->>'familyName' AS family_name, count(*) OVER (PARTITION BY l.entity_id)::int AS links
         FROM entity_links l JOIN entities e ON e.id = l.entity_id JOIN integrations i ON i.connection_id = l.connection_id
         WHERE i.id = $1 AND l.object = 'Contact' AND l.tombstoned_at IS NULL`,
        [pull.integrationId],
      );
      expect(rows.map((row) => row.external_id).sort()).toEqual([...byContact.keys()].sort());
      for (const row of rows) expect(row.family_name).toBe(byContact.get(row.external_id)?.LastName ?? null);
      expect(rows.every((row) => row.links === 1)).toBe(true);
      const [entities] = await c.sql<{ n: number }>("SELECT count(*)::int AS n FROM entities WHERE tenant_id = $1 AND type = 'person'", [pull.tenantId]);
      expect(entities!.n).toBe(byContact.size);
    }

    // Webhooks: every delivery GitHub saw acknowledged is stored once and processed.
    const deliveries = (await hookDeliveries(c, workload)).filter((delivery) => delivery.event === 'issues');
    expect(deliveries).toHaveLength(SIZE.webhooks);
    const acknowledged = deliveries.filter((delivery) => delivery.status_code >= 200 && delivery.status_code < 300).map((delivery) => delivery.guid);
    expect(acknowledged.length).toBeGreaterThan(0);
    await until('every acknowledged webhook processed', async () => {
      const [row] = await c.sql<{ n: number }>("SELECT count(*)::int AS n FROM webhook_events WHERE tenant_id = $1 AND status <> 'processed'", [workload.github.tenantId]);
      return row!.n === 0;
    }, SIZE.timeoutMs / 4);
    const events = await c.sql<{ delivery_id: string; status: string }>(
      'SELECT delivery_id, status FROM webhook_events WHERE tenant_id = $1 AND delivery_id = ANY($2)',
      [workload.github.tenantId, deliveries.map((delivery) => delivery.guid)],
    );
    const stored = events.map((event) => event.delivery_id);
    // Durable before the 2xx: every acknowledged delivery is there, once.
    expect(stored.filter((id) => acknowledged.includes(id)).sort()).toEqual([...acknowledged].sort());
    expect(new Set(stored).size).toBe(stored.length);
    expect(events.every((event) => event.status === 'processed')).toBe(true);
    // One entity per issue, never two.
    const [issueLinks] = await c.sql<{ links: number; issues: number }>(
      'SELECT count(*)::int AS links, count(DISTINCT (object, external_id))::int AS issues FROM entity_links WHERE tenant_id = $1',
      [workload.github.tenantId],
    );
    expect(issueLinks!.issues).toBeGreaterThan(0);
    expect(issueLinks!.links).toBe(issueLinks!.issues);
    // The database password the processes were given appears in none of their output.
    for (const p of c.processes) expect(p.stdout() + p.stderr()).not.toContain(c.databasePassword);
  });
});
