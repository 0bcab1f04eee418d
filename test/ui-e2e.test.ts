import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTempPlatform } from '../src/runtime/testing/temp-platform.ts';
import type { TempPlatform } from '../src/runtime/testing/temp-platform.ts';

/**
 * The admin UI end to end: Debian's chromium, headless, driven by playwright-core against a
 * real platform listening on 127.0.0.1. Screenshots of each page land in test-artifacts/ui/.
 */
const CHROMIUM = '/usr/bin/chromium';
const ADMIN_KEY = 'ui-e2e-admin-key-abcdefghijklmnop';
const ROOT = new URL('..', import.meta.url).pathname;
const SHOTS = join(ROOT, 'test-artifacts', 'ui');
const hasChromium = existsSync(CHROMIUM);

if (!hasChromium) console.warn(`test/ui-e2e.test.ts skipped: ${CHROMIUM} is missing (apt-get install -y chromium; .ci/run installs it).`);

describe.skipIf(!hasChromium)('the admin UI in a browser', () => {
  let t: TempPlatform;
  let base: string;
  let profile: string;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    // Rebuild only when ui/src changed since the last build (npm ci built it through `prepare`).
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'build-ui.mjs'), '--if-stale'], { stdio: 'inherit' });
    mkdirSync(SHOTS, { recursive: true });
    t = await startTempPlatform({ adminKey: ADMIN_KEY });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const address = t.app.server.address();
    if (address === null || typeof address === 'string') throw new Error('not listening on TCP');
    base = `http://127.0.0.1:${address.port}`;
    profile = mkdtempSync(join(tmpdir(), 'tributary-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1366, height: 768 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(15_000);
  });

  afterAll(async () => {
    await context?.close();
    await t?.close();
    if (profile !== undefined) rmSync(profile, { recursive: true, force: true });
  });

  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

  async function signIn(key: string): Promise<void> {
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
  }

  it('lets the operator create a tenant and a key, and the tenant see its overview and rate limits', async () => {
    const browserErrors: string[] = [];
    page.on('pageerror', (error) => browserErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') browserErrors.push(message.text());
    });

    await page.goto(`${base}/`);
    await expect(page.getByRole('heading', { name: 'Tributary' }).isVisible()).resolves.toBe(true);
    await shot('sign-in');

    await page.getByLabel('API key').fill('trb_wrong_0123456789abcdef0123456789abcdef');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('This key was not accepted').waitFor();

    await signIn(ADMIN_KEY);
    expect(await page.evaluate("sessionStorage.getItem('tributary.apiKey')")).toBe(ADMIN_KEY);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.getByText('store: ok').waitFor();
    await shot('overview-admin');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Tenants' }).click();
    await page.getByText('No tenants yet').waitFor();
    await page.getByLabel('Tenant name').fill('Acme Corp');
    await page.getByRole('button', { name: 'Create tenant' }).click();
    await page.getByText('Tenant “Acme Corp” created').waitFor();
    await page.getByRole('cell', { name: 'Acme Corp', exact: true }).waitFor();
    await shot('tenants');

    await page.getByRole('button', { name: 'Manage keys of Acme Corp' }).click();
    await page.getByRole('heading', { name: 'API keys' }).waitFor();
    await page.getByLabel('Key name').fill('crm sync');
    await page.getByRole('button', { name: 'Create key' }).click();
    const tenantKey = await page.getByTestId('new-key').inputValue();
    expect(tenantKey).toMatch(/^trb_/);
    await page.getByRole('cell', { name: 'crm sync', exact: true }).waitFor();
    await shot('api-keys');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('cell', { name: 'api_key.create', exact: true }).waitFor();
    await page.getByLabel('Action').fill('tenant.create');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByRole('cell', { name: 'tenant.create', exact: true }).waitFor();
    expect(await page.getByRole('cell', { name: 'api_key.create', exact: true }).count()).toBe(0);
    await shot('audit');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Rate limits' }).click();
    await page.getByLabel('Scope').fill('provider:github');
    await page.getByLabel('Calls').fill('100');
    await page.getByRole('button', { name: 'Set cap' }).click();
    await page.getByText('Cap set on provider:github: 100 calls per 60 s.').waitFor();
    await page.getByRole('button', { name: 'Clear cap on provider:github' }).click();
    await page.getByText('Cap cleared on provider:github.').waitFor();
    await page.getByText('No extra caps').waitFor();

    await page.getByRole('button', { name: 'Sign out' }).click();
    expect(await page.evaluate("sessionStorage.getItem('tributary.apiKey')")).toBeNull();

    await signIn(tenantKey);
    await page.getByText('Tenant: Acme Corp').waitFor();
    await page.getByText('No connections yet.').waitFor();
    expect(await page.getByRole('link', { name: 'Tenants' }).count()).toBe(0);
    await shot('overview-tenant');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Integrations' }).click();
    await page.getByText('No integrations yet.').waitFor();
    await shot('integrations');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Rate limits' }).click();
    await page.getByRole('heading', { name: 'Rate limits' }).waitFor();
    await page.getByText('No extra caps').waitFor();
    await page.getByLabel('Scope').fill('global');
    await page.getByLabel('Calls').fill('10');
    await page.getByRole('button', { name: 'Set cap' }).click();
    // A tenant key may not cap the whole platform: the API's refusal is shown, nothing is set.
    await page.getByRole('alert').waitFor();
    await shot('rate-limits');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'API keys' }).click();
    await page.getByLabel('Key name').fill('old key');
    await page.getByRole('button', { name: 'Create key' }).click();
    await page.getByRole('cell', { name: 'old key', exact: true }).waitFor();
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Revoke old key' }).click();
    await page.getByRole('cell', { name: /^revoked / }).waitFor();

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Connections' }).click();
    await page.getByLabel('How to connect').selectOption('api_key');
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await page.getByText('Give the connection a name.').waitFor();
    await page.getByText('Enter the API key.').waitFor();
    await shot('connections');

    // A page path loads the app directly (the server answers index.html), and the key survives a reload.
    await page.goto(`${base}/rate-limits`);
    await page.getByRole('heading', { name: 'Rate limits' }).waitFor();

    expect(browserErrors.filter((text) => !/status of 40[0-9]/.test(text))).toEqual([]);
  });
});
