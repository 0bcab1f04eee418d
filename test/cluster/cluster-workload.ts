/**
 * The cluster's workload, shared by the cluster test and the cluster bench:
 * - ingest: `tenants` tenants, each with its own Salesforce connection and a Contact
 *   integration (every tenant pulls the sandbox's Contacts into its own entities, so
 *   pulls of different tenants run in parallel on different workers);
 * - webhooks: one more tenant with a GitHub connection, an `issues` integration and a
 *   webhook registered on one repository; each edit of an issue in the sandbox makes
 *   GitHub (the sandbox) deliver one signed `issues` event to the webhook receiver.
 */
import { apiCall, until, type Cluster, type Json } from './cluster-fixture.ts';

export interface Workload {
  readonly contacts: Json[];
  readonly pulls: { tenantId: string; integrationId: string }[];
  readonly github: { tenantId: string; integrationId: string; repo: string; issues: string[]; hookId: number; token: string };
}

export async function seedWorkload(cluster: Cluster, tenants: number): Promise<Workload> {
  const contacts = await sandboxAll(cluster, '/salesforce/Contact');
  const pulls: Workload['pulls'] = [];
  for (let n = 0; n < tenants; n++) {
    const seeded = await cluster.seedTenant(`Ingest ${n}`, [{ provider: 'salesforce', object: 'Contact' }]);
    pulls.push({ tenantId: seeded.tenantId, integrationId: seeded.integrations[0] as string });
  }
  const seeded = await cluster.seedTenant('Webhooks', [{ provider: 'github', object: 'issues' }]);
  const issues = ((await cluster.control('/github/issues?limit=10000')).records as Json[]).filter((issue) => !issue.pull_request);
  // The repository with the most issues: the edits spread over many of them.
  const byRepo = new Map<string, string[]>();
  for (const issue of issues) {
    const repo = /repos\/([^/]+\/[^/]+)$/.exec(issue.repository_url as string)?.[1] as string;
    byRepo.set(repo, [...(byRepo.get(repo) ?? []), `${repo}#${issue.number}`]);
  }
  const [repo, repoIssues] = [...byRepo.entries()].sort((a, b) => b[1].length - a[1].length)[0] as [string, string[]];
  const integrationId = seeded.integrations[0] as string;
  await cluster.admin.services.webhookRegistrations.register({ tenantId: seeded.tenantId, connectionId: seeded.connections.github as string, integrationId, config: { repo } });
  const token = ((await cluster.control('/tokens', 'POST', { provider: 'github' })) as { accessToken: string }).accessToken;
  const hooks = (await githubGet(cluster, token, `/repos/${repo}/hooks`)) as Json[];
  const hookId = hooks[0]?.id as number;
  return { contacts, pulls, github: { tenantId: seeded.tenantId, integrationId, repo, issues: repoIssues, hookId, token } };
}

/** Starts every tenant's pull through an api process (202 each). */
export async function startPulls(apiUrl: string, workload: Workload): Promise<void> {
  for (const pull of workload.pulls) {
    const answer = await apiCall(apiUrl, 'POST', `/v1/tenants/${pull.tenantId}/integrations/${pull.integrationId}/sync`, {});
    if (answer.status !== 202) throw new Error(`sync answered ${answer.status}: ${JSON.stringify(answer.json)}`);
  }
}

/** Edits issues of the registered repository `count` times, `concurrency` at a time; each edit fires one delivery. */
export async function editIssues(cluster: Cluster, workload: Workload, count: number, concurrency = 8, label = 'edit'): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < count) {
      const n = next++;
      const issue = workload.github.issues[n % workload.github.issues.length] as string;
      await cluster.control(`/github/issues/${encodeURIComponent(issue)}`, 'PATCH', { title: `${label} ${n}` });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
}

/** Person entities per tenant, linked to Contacts, as the store holds them. */
export async function contactEntityCount(cluster: Cluster): Promise<number> {
  const [row] = await cluster.sql<{ n: number }>("SELECT count(*)::int AS n FROM entity_links WHERE object = 'Contact'");
  return row?.n ?? 0;
}

/** Run statuses that end a run (`running` and `retrying` go on, the latter after a backoff). */
const FINISHED = new Set(['succeeded', 'partial', 'failed', 'cancelled']);

/** Waits until every pull's newest run finished; returns their statuses. */
export async function waitForPulls(cluster: Cluster, workload: Workload, timeoutMs: number): Promise<string[]> {
  const ids = workload.pulls.map((pull) => pull.integrationId);
  return until('every pull to finish', async () => {
    const rows = await cluster.sql<{ integration_id: string; status: string; error: unknown }>(
      `SELECT DISTINCT ON (integration_id) integration_id, status, error FROM sync_runs WHERE integration_id = ANY($1) AND type <> 'webhook' ORDER BY integration_id, started_at DESC`,
      [ids],
    );
    return rows.length === ids.length && rows.every((row) => FINISHED.has(row.status)) ? rows.map((row) => (row.error ? `${row.status} ${JSON.stringify(row.error)}` : row.status)) : null;
  }, timeoutMs);
}

/** GitHub's own record of the hook's deliveries (REST: /repos/{repo}/hooks/{id}/deliveries), every page. */
export async function hookDeliveries(cluster: Cluster, workload: Workload): Promise<{ guid: string; status_code: number; event: string }[]> {
  const out: { guid: string; status_code: number; event: string }[] = [];
  for (let page = 1; ; page++) {
    const batch = (await githubGet(cluster, workload.github.token, `/repos/${workload.github.repo}/hooks/${workload.github.hookId}/deliveries?per_page=100&page=${page}`)) as Json[];
    out.push(...batch);
    if (batch.length < 100) return out;
  }
}

async function githubGet(cluster: Cluster, token: string, path: string): Promise<unknown> {
  const response = await fetch(`${cluster.sandboxUrl}/github${path}`, { headers: { authorization: `Bearer ${token}`, accept: 'application/vnd.github+json' } });
  if (!response.ok) throw new Error(`GitHub GET ${path}: ${response.status}`);
  return response.json();
}

async function sandboxAll(cluster: Cluster, path: string): Promise<Json[]> {
  const out: Json[] = [];
  for (let offset = 0; ; offset += 10_000) {
    const page = await cluster.control(`${path}?limit=10000&offset=${offset}`);
    out.push(...(page.records as Json[]));
    if (out.length >= (page.total as number) || (page.records as Json[]).length === 0) return out;
  }
}
