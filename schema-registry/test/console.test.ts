import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Browser, chromium, Page } from 'playwright-core';
import { apiSchemaOf } from '../src';
import { ficus, ScratchFolder } from './cli-harness';
import { contractOperation, coordinatesOf, repoSchema } from './registry-harness';
import { RegistryProcess, startRegistryProcess } from './registry-process';

/** Debian's chromium; CI installs it (.ci/run). CHROMIUM_PATH points elsewhere. */
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Where the views' screenshots go: CONSOLE_SCREENSHOT_DIR=docs/console refreshes the ones the docs show. */
const screenshotDir = process.env.CONSOLE_SCREENSHOT_DIR ? path.resolve(process.env.CONSOLE_SCREENSHOT_DIR) : fs.mkdtempSync(path.join(os.tmpdir(), 'ficus-console-'));

const productV1 = repoSchema('products');
const productHead = 'type Product @key(fields: "id") {\n  id: ID!\n  sku: String!\n';
const productV2 = productV1.replace(productHead, `${productHead}  "Shipping weight, in grams."\n  weightGrams: Int\n`);
const productV2WithoutSku = productV2.replace(productHead, 'type Product @key(fields: "id") {\n  id: ID!\n');

let registry: RegistryProcess;
let browser: Browser;
let page: Page;
const scratch = new ScratchFolder('ficus-console-');
const pageErrors: string[] = [];
let checkId = '';

const cli = (args: string[], stdin = '') => ficus(args, { FICUS_REGISTRY_URL: registry.baseUrl, FICUS_API_KEY: registry.key }, stdin);
const shot = (name: string) => page.screenshot({ path: path.join(screenshotDir, `${name}.png`) });

beforeAll(async () => {
  if (!fs.existsSync(chromiumPath)) throw new Error(`no Chromium at ${chromiumPath}: apt-get install chromium (or set CHROMIUM_PATH)`);
  expect(productV2).not.toBe(productV1);
  registry = await startRegistryProcess('registry_console');

  // Two versions of products (inventory beside it, so the storefront's Catalog operation resolves).
  for (const [name, sdl, url] of [
    ['products', productV1, 'http://products.internal:4002/graphql'],
    ['inventory', repoSchema('inventory'), 'http://inventory.internal:4003/graphql'],
    ['products', productV2, 'http://products.internal:4002/graphql'],
  ] as const) {
    const run = await cli(['subgraph', 'publish', 'shop@current', '--name', name, '--schema', '-', '--routing-url', url], sdl);
    expect(run).toMatchObject({ code: 0 });
  }

  // The storefront's Catalog operation, reported as a gateway reports it: it reads Product.sku.
  const supergraph = await fetch(`${registry.baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${registry.key}` },
    body: JSON.stringify({ query: '{ variant(ref: "shop@current") { supergraph { sdl } } }' }),
  }).then((r) => r.json() as Promise<{ data: { variant: { supergraph: { sdl: string } } } }>);
  const signature = contractOperation('Catalog');
  const now = new Date();
  const usage = await fetch(`${registry.baseUrl}/api/usage`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${registry.key}` },
    body: JSON.stringify({
      graphRef: 'shop@current',
      window: { start: now.toISOString(), end: new Date(now.getTime() + 60_000).toISOString() },
      operations: [
        {
          signature,
          operationName: 'Catalog',
          clientName: 'storefront',
          clientVersion: '1.4.0',
          coordinates: coordinatesOf(signature, apiSchemaOf(supergraph.data.variant.supergraph.sdl)),
          count: 42,
        },
      ],
    }),
  });
  expect(usage.status).toBe(202);

  // Removing Product.sku breaks Catalog: the check fails (exit 1) and is stored.
  const check = await cli(['subgraph', 'check', 'shop@current', '--name', 'products', '--schema', scratch.file('no-sku.graphql', productV2WithoutSku)]);
  expect(check.code).toBe(1);
  checkId = /\(check ([0-9a-f-]{36})\)/.exec(check.stdout)?.[1] ?? '';
  expect(checkId).not.toBe('');

  // A subgraph that also resolves Product.name without @shareable does not compose.
  const clash = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])\ntype Product @key(fields: "id") { id: ID! name: String! rating: Int }\n';
  expect(await cli(['subgraph', 'check', 'shop@current', '--name', 'reviews', '--schema', scratch.file('reviews.graphql', clash)])).toMatchObject({ code: 1 });

  browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox'] });
  page = await browser.newPage({ viewport: { width: 1200, height: 760 } });
  page.on('pageerror', (err) => pageErrors.push(err.message));
  page.on('console', (message) => message.type() === 'error' && pageErrors.push(`${message.text()} (${message.location().url})`));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await registry?.stop();
  scratch.remove();
});

describe('the registry web console in Chromium', () => {
  it('is served by the registry as static files under a content security policy', async () => {
    const response = await fetch(`${registry.baseUrl}/console/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
    const html = await response.text();
    const asset = /src="\.\/(assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(asset).toBeDefined();
    const script = await fetch(`${registry.baseUrl}/console/${asset}`);
    expect(script.headers.get('cache-control')).toContain('immutable');
  });

  it('answers a file it does not have with 404 NOT_FOUND naming the path asked for, not where its files are on disk', async () => {
    for (const asked of ['/console/assets/nope.js', `/console/assets/${'n'.repeat(300)}.js`, '/console/nope.html']) {
      const response = await fetch(`${registry.baseUrl}${asked}`);
      const body = await response.text();

      expect({ asked, status: response.status, body: JSON.parse(body) }).toEqual({
        asked,
        status: 404,
        body: { errors: [{ message: `nothing is served at GET ${asked}`, extensions: { code: 'NOT_FOUND' } }] },
      });
    }
  });

  it('refuses a key the registry does not know, then signs in with a registry key and lists the variant', async () => {
    await page.goto(`${registry.baseUrl}/console/`);
    await page.getByLabel('Registry key').fill('ficus_not-a-key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'UNAUTHENTICATED' }).waitFor();

    await page.getByLabel('Registry key').fill(registry.key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'shop@current' }).waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('ficus.registryKey'))).toBe(registry.key);
    await expect(page.locator('main').textContent()).resolves.toContain('products');
    await shot('variants');
  });

  it('shows the subgraphs with their routing URLs and publishers, and every version of one', async () => {
    await page.getByRole('link', { name: 'shop@current' }).click();
    const row = page.getByRole('row').filter({ hasText: 'products' });
    await row.waitFor();
    expect(await row.textContent()).toContain('http://products.internal:4002/graphql');
    expect(await row.textContent()).toContain('bootstrap (development)');

    await page.getByRole('link', { name: 'products', exact: true }).click();
    await page.getByRole('link', { name: 'Compare the last two versions' }).waitFor();
    await expect(page.getByRole('checkbox').count()).resolves.toBe(2);
    const versions = page.getByRole('row').filter({ hasText: 'products.internal' });
    await expect(versions.allTextContents()).resolves.toEqual([expect.stringMatching(/^v2 \(#3\)/), expect.stringMatching(/^v1 \(#1\)/)]);
    await shot('subgraph-versions');
  });

  it('opens the SDL diff between the two versions, showing the added field', async () => {
    await page.getByRole('link', { name: 'Compare the last two versions' }).click();
    const diff = page.getByLabel('SDL diff');
    await diff.waitFor();
    await expect(diff.locator('.added').allTextContents()).resolves.toEqual(['+   "Shipping weight, in grams."', '+   weightGrams: Int']);
    await expect(diff.locator('.removed').count()).resolves.toBe(0);
    await shot('diff');
  });

  it('shows the supergraph the gateways run', async () => {
    await page.getByRole('link', { name: 'Supergraph' }).click();
    const sdl = page.locator('pre.sdl');
    await sdl.waitFor();
    const text = await sdl.textContent();
    expect(text).toContain('enum join__Graph');
    expect(text).toContain('weightGrams: Int');
  });

  it("opens the failing check's page and sees the breaking change and the client whose operation uses it", async () => {
    await page.getByRole('link', { name: 'Checks' }).click();
    const run = page.getByRole('row').filter({ hasText: 'FAILED' }).filter({ hasText: 'products' });
    await run.waitFor();
    await run.getByRole('link').click();
    await page.waitForURL(new RegExp(`#/variants/shop/current/checks/${checkId}$`));

    const change = page.locator('table.changes tr.blocking');
    await change.waitFor();
    const text = await change.textContent();
    expect(text).toContain('BREAKING');
    expect(text).toContain('FIELD_REMOVED');
    expect(text).toContain('Product.sku');
    expect(text).toContain('Catalog (42 requests): storefront 1.4.0 (42)');
    await expect(page.getByRole('heading', { name: /Check of products/ }).textContent()).resolves.toContain('FAILED');
    await shot('check');
  });

  it("lists the check that did not compose with its composition error, and shows the error on the check's page", async () => {
    await page.getByRole('link', { name: 'Checks' }).click();
    const run = page.getByRole('row').filter({ hasText: 'reviews' });
    await run.waitFor();
    expect(await run.textContent()).toContain('INVALID_FIELD_SHARING');
    await run.getByRole('link').click();
    const errors = page.locator('ul.composition-errors li');
    await errors.first().waitFor();
    expect(await errors.allTextContents()).toEqual([expect.stringMatching(/^INVALID_FIELD_SHARING: Non-shareable field "Product\.name" is resolved from multiple subgraphs/)]);
  });

  it('shows field usage over the window with the operations and clients', async () => {
    await page.getByRole('link', { name: 'Field usage' }).click();
    const sku = page.getByRole('row').filter({ has: page.locator('code', { hasText: /^Product\.sku$/ }) });
    await sku.waitFor();
    expect(await sku.textContent()).toMatch(/Product\.sku\s*42\s*Catalogstorefront 1\.4\.0 \(42\)/);
    await shot('usage');
  });

  it('creates a key that works, shown once, and revokes it so that the registry refuses it and a tab signed in with it is signed out', async () => {
    await page.getByRole('link', { name: 'Keys' }).click();
    await page.getByLabel('Name').fill('release bot');
    await page.getByRole('checkbox', { name: 'check' }).check();
    await page.getByRole('button', { name: 'Create key' }).click();
    const created = page.locator('pre.new-key');
    await created.waitFor();
    const key = (await created.textContent())!.trim();
    expect(key).toMatch(/^ficus_/);
    await page.getByRole('row').filter({ hasText: 'release bot' }).waitFor();
    expect(await page.getByRole('row').filter({ hasText: 'release bot' }).textContent()).toContain('read, check');
    await shot('keys');

    const whoami = (k: string) =>
      fetch(`${registry.baseUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${k}` },
        body: JSON.stringify({ query: '{ viewer { name scopes } }' }),
      }).then((r) => r.json() as Promise<{ data?: { viewer: { name: string } }; errors?: { extensions: { code: string } }[] }>);
    expect((await whoami(key)).data).toEqual({ viewer: { name: 'release bot', scopes: ['read', 'check'] } });

    // Another tab signs in with the new key (sessionStorage is per tab).
    const other = await browser.newPage();
    await other.goto(`${registry.baseUrl}/console/`);
    await other.getByLabel('Registry key').fill(key);
    await other.getByRole('button', { name: 'Sign in' }).click();
    await other.getByText('Signed in as release bot').waitFor();

    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'revoke release bot' }).click();
    await page.getByRole('row').filter({ hasText: 'release bot' }).waitFor({ state: 'detached' });
    expect((await whoami(key)).errors?.[0]?.extensions.code).toBe('UNAUTHENTICATED');

    // The other tab's next request is refused, and it is back at the sign-in form with the key forgotten.
    await other.getByRole('link', { name: 'shop@current' }).click();
    await other.getByLabel('Registry key').waitFor();
    expect(await other.evaluate(() => sessionStorage.getItem('ficus.registryKey'))).toBeNull();
    await other.close();
  });

  it('ran every view without a script error in the page', () => {
    expect(pageErrors).toEqual([]);
  });
});
