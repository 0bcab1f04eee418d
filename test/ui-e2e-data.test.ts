import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { BrowserContext, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The admin UI's data pages end to end: a real `tributary start` with its demo (the
 * provider sandbox, a tenant connected to every provider, integrations that sync), driven
 * in Debian's headless chromium. A conflict is made the way it happens for real: the
 * host product edits an entity (PATCH /v1/entities/:id) and Salesforce edits the same
 * field (the sandbox's control API) before the next pull. A GitHub connection is made in the
 * browser through the whole OAuth round trip (the sandbox's consent, Tributary's callback).
 * An integration is created in the form, run, and followed until it finished.
 * Screenshots land in test-artifacts/ui/.
 */
const CHROMIUM = '/usr/bin/chromium';
const ROOT = new URL('..', import.meta.url).pathname;
const BIN = join(ROOT, 'bin', 'tributary.js');
const SHOTS = join(ROOT, 'test-artifacts', 'ui');
const hasChromium = existsSync(CHROMIUM);

if (!hasChromium) console.warn(`test/ui-e2e-data.test.ts skipped: ${CHROMIUM} is missing (apt-get install -y chromium; .ci/run installs it).`);

interface Page_<T> {
  items: T[];
  nextCursor: string | null;
}
type Json = Record<string, unknown>;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor<T>(what: string, deadlineMs: number, probe: () => Promise<T | null>): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const found = await probe();
    if (found !== null) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(500);
  }
}

describe.skipIf(!hasChromium)('the admin UI on the demo data', () => {
  let dir: string;
  let child: ChildProcess;
  let exited: Promise<number | null>;
  let url: string;
  let sandbox: string;
  let key: string;
  let profile: string;
  let context: BrowserContext;
  let page: Page;

  const api = async <T = Json>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return (text === '' ? null : JSON.parse(text)) as T;
  };
  const control = async <T = Json>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${sandbox}/_sandbox${path}`, { method, ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }) });
    if (!response.ok) throw new Error(`sandbox ${method} ${path}: ${response.status}`);
    return (await response.json()) as T;
  };

  beforeAll(async () => {
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'build-ui.mjs'), '--if-stale'], { stdio: 'inherit' });
    mkdirSync(SHOTS, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), 'tributary-ui-demo-'));
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.TRIBUTARY_DEMO;
    // The operator's GitHub OAuth app is the sandbox's, so that a connection made in the UI goes through the sandbox's consent.
    env.TRIBUTARY_OAUTH_CLIENTS = JSON.stringify({ github: { clientId: 'sandbox-github-client', clientSecret: 'sandbox-github-secret' } });
    // `--port 0`: the OS picks the port; webhook URLs and OAuth redirects made after start name the real one.
    child = spawn(process.execPath, [BIN, 'start', '--port', '0', '--data', dir, '--log-level', 'warn'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
    url = await waitFor('the banner', 90_000, async () => (/Demo key: {2}trb_/.test(stderr) ? (/running at (http:\/\/\S+)/.exec(stderr)?.[1] ?? null) : null));
    sandbox = /sandbox at (http:\/\/[^,\s]+)/.exec(stderr)?.[1] ?? '';
    key = readFileSync(join(dir, 'demo-api-key'), 'utf8').trim();

    profile = mkdtempSync(join(tmpdir(), 'tributary-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1366, height: 768 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(20_000);
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }
    if (profile !== undefined) rmSync(profile, { recursive: true, force: true });
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  const mainNav = (name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name }).click();

  /** Signed in afresh with the demo tenant's key. */
  const signIn = async () => {
    await page.goto(`${url}/`);
    await page.evaluate('sessionStorage.clear()');
    await page.reload();
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
  };

  it('browses entities, resolves a conflict and a dedup review, undoes the merge, sees webhook deliveries and edits a mapping', async () => {
    const browserErrors: string[] = [];
    page.on('pageerror', (error) => browserErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') browserErrors.push(message.text());
    });

    // The demo's first pulls: Salesforce contacts in, and possible duplicates across providers waiting.
    const integrations = (await api<Page_<{ id: string; object: string; connectionId: string }>>('GET', '/v1/integrations?limit=200')).items;
    const contacts = integrations.find((integration) => integration.object === 'Contact')!;
    await waitFor('a Salesforce person', 120_000, async () => (await api<Page_<{ id: string }>>('GET', '/v1/entities?provider=salesforce&type=person&limit=1')).items[0] ?? null);
    await waitFor('an open dedup review', 120_000, async () => (await api<Page_<Json>>('GET', '/v1/dedup/reviews?status=open&limit=1')).items[0] ?? null);
    // The other demo syncs pause, so that none writes the entity between the two edits below.
    for (const integration of integrations) if (integration.id !== contacts.id) await api('PATCH', `/v1/integrations/${integration.id}`, { enabled: false });
    await waitFor('no run under way', 120_000, async () => {
      for (const integration of integrations) {
        const latest = (await api<Page_<{ status: string }>>('GET', `/v1/integrations/${integration.id}/runs?limit=1`)).items[0];
        if (latest && ['queued', 'running', 'retrying'].includes(latest.status)) return null;
      }
      return true;
    });
    // A person from a Salesforce Contact (with the other syncs paused, nothing else writes it meanwhile).
    const person = (await api<Page_<{ id: string }>>('GET', '/v1/entities?provider=salesforce&type=person&limit=1')).items[0]!;
    const links = (await api<{ links: { object: string; externalId: string; connectionId: string }[] }>('GET', `/v1/entities/${person.id}`)).links;
    const contactId = links.find((link) => link.object === 'Contact' && link.connectionId === contacts.connectionId)!.externalId;

    /** Runs the pull to its end, started after this call (a run already under way may have read the records before). */
    const pullFresh = async (integrationId: string) => {
      for (;;) {
        const started = await api<{ runId: string; alreadyRunning: boolean }>('POST', `/v1/integrations/${integrationId}/sync`, {});
        await waitFor(`run ${started.runId}`, 120_000, async () => (['queued', 'running', 'retrying'].includes((await api<{ status: string }>('GET', `/v1/runs/${started.runId}`)).status) ? null : true));
        if (!started.alreadyRunning) return;
      }
    };

    // A conflict held for a person: manual strategy, then both sides edit the title between two pulls.
    await api('PATCH', `/v1/integrations/${contacts.id}`, { conflictStrategy: { strategy: 'manual' } });
    await pullFresh(contacts.id);
    await api('PATCH', `/v1/entities/${person.id}`, { fields: { title: 'Host Title' } });
    await sleep(20);
    await control('PATCH', `/salesforce/Contact/${contactId}`, { Title: 'SF Title' });
    await pullFresh(contacts.id);
    await waitFor('the open conflict', 30_000, async () => (await api<Page_<Json>>('GET', `/v1/conflicts?status=open&entityId=${person.id}`)).items[0] ?? null);

    await page.goto(`${url}/`);
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.getByRole('link', { name: /[1-9]\d*\+? open conflicts/ }).waitFor();
    await page.getByRole('img', { name: /Last 24 hours: [1-9]\d* records synced/ }).waitFor();
    await shot('overview-data');

    // Entities: filter, then one entity with its links.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Entities' }).click();
    await page.getByLabel('Type').fill('person');
    await page.getByLabel('Provider').fill('salesforce');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('table', { name: 'Entities' }).getByRole('link').first().waitFor();
    await shot('entities');
    await page.goto(`${url}/entities/${person.id}`);
    await page.getByRole('heading', { name: 'External links' }).waitFor();
    await page.getByRole('cell', { name: contactId, exact: true }).waitFor();
    await page.getByRole('cell', { name: 'Host Title', exact: true }).waitFor();
    await shot('entity');

    // The conflict: side by side; keep Salesforce's title.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Conflicts' }).click();
    await page.getByRole('button', { name: `Review conflict on ${contactId}` }).click();
    await page.getByRole('cell', { name: 'SF Title', exact: true }).waitFor();
    await page.getByRole('group', { name: 'Value to keep for title' }).getByLabel('Provider').check();
    await shot('conflicts');
    await page.getByRole('button', { name: 'Resolve conflict' }).click();
    await page.getByText(/Conflict cfl_\w+ resolved\./).waitFor();
    const after = await api<{ fields: Json }>('GET', `/v1/entities/${person.id}`);
    expect(after.fields.title).toBe('SF Title');

    // A dedup review: both candidates side by side; merge them, then undo the merge from the entity.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dedup reviews' }).click();
    await page.getByRole('button', { name: /^Review review rev_/ }).first().click();
    await page.getByRole('heading', { name: /Possible duplicate person · score \d+ %/ }).waitFor();
    await shot('dedup-reviews');
    await page.getByRole('button', { name: 'Merge (same person)' }).click();
    const merged = await page.getByText(/Merged into ent_\w+ \(merge mrg_\w+\)\./).textContent();
    const [, survivor, mergeId] = /Merged into (ent_\w+) \(merge (mrg_\w+)\)/.exec(merged ?? '')!;
    await page.goto(`${url}/entities/${survivor}`);
    await page.getByRole('heading', { name: 'Merge lineage' }).waitFor();
    await page.getByRole('button', { name: `Undo merge ${mergeId}`, exact: true }).click();
    await page.getByText(`Merge ${mergeId} undone`).waitFor();
    await page.getByRole('button', { name: `Undo merge ${mergeId}`, exact: true }).waitFor({ state: 'detached' });
    const lineage = await api<Page_<{ id: string; undoneAt: string | null }>>('GET', `/v1/entities/${survivor}/merges`);
    expect(lineage.items.find((merge) => merge.id === mergeId)?.undoneAt).not.toBeNull();
    await shot('entity-merge-undone');

    // Webhooks: register GitHub's for a repository, verify it (a test delivery), see the deliveries.
    const repo = (await control<{ records: { full_name: string }[] }>('GET', '/github/repos?limit=1')).records[0]!.full_name;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Webhooks' }).click();
    await page.getByText('No webhooks registered').waitFor();
    const github = (await api<Page_<{ name: string; provider: string }>>('GET', '/v1/connections?limit=200')).items.find((connection) => connection.provider === 'github')!;
    await page.getByLabel('Connection').selectOption({ label: `${github.name} (github)` });
    await page.getByLabel('Configuration (JSON)').fill(JSON.stringify({ repo }));
    await page.getByRole('button', { name: 'Register', exact: true }).click();
    await page.getByText(/^Registered: give http/).waitFor();
    await page.getByRole('button', { name: /^Verify whk_/ }).click();
    await page.getByText(/^Verified: /).waitFor();
    await page.getByRole('button', { name: /^Deliveries of github webhook/ }).click();
    await page.getByRole('table', { name: 'Recent deliveries' }).getByText('accepted').first().waitFor();
    await shot('webhooks');

    // The mapping editor previews the saved mapping on live Salesforce records; the settings form shows the strategy set above.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Integrations' }).click();
    await page.getByRole('button', { name: 'Mapping of Contact', exact: true }).click();
    await page.getByLabel('Target field email').waitFor();
    await page.getByRole('columnheader', { name: /^Record 003/ }).first().waitFor();
    await shot('mapping-editor');
    await page.getByRole('button', { name: 'Settings of Contact', exact: true }).click();
    expect(await page.getByLabel('Conflict strategy').inputValue()).toBe('manual');
    await shot('integration-settings');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Notifications' }).click();
    await page.getByText('No channel yet').waitFor();
    await shot('notifications');

    expect(browserErrors.filter((text) => !/status of 40[0-9]/.test(text))).toEqual([]);
  }, 300_000);

  it('connects GitHub through the OAuth round trip: the sandbox consents, the callback lands back on Connections', async () => {
    const name = 'GitHub from the UI';
    const visited: string[] = [];
    // Every hop of the redirect chain (the 302s never commit a page, so navigation requests, not frame navigations).
    const onNavigate = (request: Request) => {
      if (request.isNavigationRequest()) visited.push(request.url());
    };
    page.on('request', onNavigate);

    await signIn();
    await mainNav('Connections');
    const form = page.getByRole('form', { name: 'Connect a provider' });
    await form.waitFor();

    await form.getByLabel('Provider', { exact: true }).selectOption('github');
    await form.getByLabel('Name', { exact: true }).fill(name);
    await form.getByLabel('How to connect').selectOption('oauth2_authorization_code');
    await form.getByLabel('Base URL (optional)').fill(`${sandbox}/github`);
    await form.getByLabel('Authorization server (optional)').fill(`${sandbox}/github`);
    await form.getByRole('button', { name: 'Continue to the provider' }).click();

    // The sandbox's consent approves at once (as github.com does for an app already authorised) and sends the browser to the callback.
    await page.waitForURL((at) => at.origin === url && at.pathname === '/connections' && at.searchParams.get('status') !== null, { timeout: 30_000 });
    const landed = new URL(page.url());
    expect(landed.searchParams.get('status')).toBe('active');
    const connectionId = landed.searchParams.get('connectionId');
    expect(connectionId).toMatch(/^con_/);
    expect(visited.some((at) => at.startsWith(`${sandbox}/github/login/oauth/authorize?`))).toBe(true);
    expect(visited.some((at) => at.startsWith(`${url}/v1/oauth/callback?`))).toBe(true);
    // The code was spent by the server; it stays out of the page's address.
    expect(landed.searchParams.get('code')).toBeNull();

    await page.getByText('The provider authorised the connection.').waitFor();
    const row = page.getByRole('row').filter({ hasText: connectionId! });
    await row.getByRole('cell', { name: `${name} ${connectionId}`, exact: true }).waitFor();
    await row.getByRole('cell', { name: 'github', exact: true }).waitFor();
    await row.getByRole('cell', { name: 'active', exact: true }).waitFor();
    await shot('oauth-connected');

    const connections = await api<Page_<{ id: string; name: string; provider: string; status: string; credential: { type: string; status: string } | null }>>('GET', '/v1/connections?limit=200');
    const made = connections.items.find((connection) => connection.id === connectionId);
    expect(made).toMatchObject({ name, provider: 'github', status: 'active', credential: { type: 'oauth2_authorization_code', status: 'valid' } });
    // GitHub's tokens (gho_/ghu_/ghr_) appear neither in the page nor in the API's answer.
    const token = /\bgh[our]_[A-Za-z0-9]{8,}/;
    expect(await page.content()).not.toMatch(token);
    expect(JSON.stringify(connections)).not.toMatch(token);
    page.off('request', onNavigate);
  }, 120_000);

  it('creates an integration in the form, runs it now and follows its progress until it finished, as the API reports it', async () => {
    const salesforce = (await api<Page_<{ id: string; name: string; provider: string }>>('GET', '/v1/connections?limit=200')).items.find((connection) => connection.provider === 'salesforce')!;
    // The demo syncs Salesforce's Account and Contact; Opportunity is the connection's third object.
    const before = (await api<Page_<{ object: string; connectionId: string }>>('GET', '/v1/integrations?limit=200')).items;
    expect(before.some((integration) => integration.connectionId === salesforce.id && integration.object === 'Opportunity')).toBe(false);

    await signIn();
    await mainNav('Integrations');
    await page.getByRole('table', { name: 'Integrations' }).waitFor();
    await page.getByRole('button', { name: 'New integration' }).click();
    const form = page.getByRole('form', { name: 'New integration' });
    await form.getByLabel('Connection', { exact: true }).selectOption({ label: `${salesforce.name} (salesforce)` });
    await form.getByLabel('Object', { exact: true }).fill('Opportunity');
    await form.getByLabel('Priority', { exact: true }).selectOption('high');
    await form.getByLabel('Schedule', { exact: true }).selectOption('interval');
    await form.getByLabel('Minutes between runs', { exact: true }).fill('30');
    await form.getByLabel('Conflict strategy', { exact: true }).selectOption('source_wins');
    await shot('integration-new');
    await form.getByRole('button', { name: 'Create integration' }).click();
    await page.getByText('Integration Opportunity created.').waitFor();

    const created = (await api<Page_<{ id: string; object: string; connectionId: string; priority: string; schedule: unknown; conflictStrategy: { strategy?: string }; enabled: boolean }>>('GET', '/v1/integrations?limit=200')).items.find(
      (integration) => integration.connectionId === salesforce.id && integration.object === 'Opportunity',
    );
    expect(created).toMatchObject({ priority: 'high', schedule: { intervalMs: 1_800_000 }, conflictStrategy: { strategy: 'source_wins' }, enabled: true });
    const listed = page.getByRole('table', { name: 'Integrations' }).getByRole('row').filter({ hasText: created!.id });
    await listed.getByRole('cell', { name: 'every 30 min', exact: true }).waitFor();
    await listed.getByRole('cell', { name: 'high', exact: true }).waitFor();

    // Run now; the scheduler may have started the first run already, and then that is the one to follow.
    await page.getByRole('button', { name: 'Run now Opportunity', exact: true }).click();
    const notice = await page.getByText(/^(Run run_\w+ started for Opportunity\.|A run of Opportunity is already under way \(run_\w+\)\.)$/).textContent();
    const runId = /run_\w+/.exec(notice ?? '')![0];
    const row = page.getByRole('table', { name: 'Runs, newest first' }).getByRole('row').filter({ hasText: runId });
    await row.waitFor();
    // The history polls while the run is live, until the row shows how it ended.
    const ended = row.getByRole('cell').filter({ hasText: /^(succeeded|partial|failed|cancelled)$/ });
    await ended.waitFor({ timeout: 120_000 });
    const cells = await row.getByRole('cell').allTextContents();
    expect(cells[2], cells.join(' | ')).toBe('succeeded');

    const finished = await api<{ status: string; recordsSoFar: number; pages: number; finishedAt: string | null; counts: Record<string, number> }>('GET', `/v1/runs/${runId}`);
    expect(finished.status).toBe('succeeded');
    expect(finished.finishedAt).not.toBeNull();
    // A new integration is due at once: when the scheduler's first run ended before the click,
    // this one is incremental and may find nothing new. Between them, they read the opportunities.
    const runs = (await api<Page_<{ id: string; status: string; recordsSoFar: number }>>('GET', `/v1/integrations/${created!.id}/runs?limit=10`)).items;
    expect(runs.map((run) => run.id)).toContain(runId);
    expect(runs.every((run) => run.status === 'succeeded')).toBe(true);
    expect(runs.reduce((sum, run) => sum + run.recordsSoFar, 0)).toBeGreaterThan(0);
    const progress = /(\d+) records, (\d+) pages/.exec(cells[3] ?? '');
    expect(progress?.slice(1).map(Number)).toEqual([finished.recordsSoFar, finished.pages]);
    expect(cells[4]).toBe(`${finished.counts.created ?? 0} / ${finished.counts.updated ?? 0} / ${finished.counts.failed ?? 0}`);
    // The list was read again once the run ended: the integration is synced up to some time now.
    await listed.getByRole('cell', { name: '—', exact: true }).waitFor({ state: 'detached' });
    await shot('integration-run-finished');
  }, 180_000);
});
