import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BrowserContext, chromium, Locator, Page } from 'playwright-core';
import { DemoDataService } from '../../src/demo/demo-data.service';
import { ADMIN_TOKEN, createTestApp, TestApp } from '../support/test-app';

/** Debian's chromium (`apt-get install chromium`; .ci/run installs it). playwright-core never downloads a browser. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Without the background-networking flags chromium keeps calling out, which this machine's closed network refuses. */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const ARTIFACTS = resolve(__dirname, '../../test-artifacts');
const DEMO_API_KEY = 'demo-browser-key-0123456789';

/** The operation's block in Swagger UI, by operationId (its element id is `operations-<tag>-<operationId>`). */
function operation(page: Page, operationId: string): Locator {
  return page.locator(`[id$="-${operationId}"].opblock`);
}

async function authorize(page: Page, scheme: string, value: string): Promise<void> {
  await page.locator('.auth-wrapper button.authorize').click();
  const form = page.locator('.auth-container', { has: page.locator('h4 code', { hasText: new RegExp(`^${scheme}$`) }) });
  await form.locator('input').fill(value);
  await form.locator('button.authorize').click();
  await form.locator('button.btn-done').click();
}

/** Opens the operation, "Try it out" with its example, "Execute"; gives the server response's row once an answer is in. */
async function tryItOut(page: Page, tag: string, operationId: string): Promise<Locator> {
  const block = operation(page, operationId);
  if (!(await block.isVisible())) await page.locator('.opblock-tag', { hasText: tag }).first().click();
  await block.locator('.opblock-summary').click();
  await block.locator('.try-out__btn').click();
  await block.locator('button.execute').click();
  const response = block.locator('.live-responses-table tr.response');
  await response.waitFor();
  return response;
}

describe('Swagger UI in headless chromium', () => {
  let t: TestApp;
  let base: string;
  let context: BrowserContext;
  let page: Page;
  let profile: string;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `Debian chromium not found at ${CHROMIUM}: install it with \`apt-get install chromium\` (.ci/run does), or set CHROMIUM_PATH. ` +
          'This test drives the real browser and is not skipped.',
      );
    }
    t = await createTestApp({ DEMO_API_KEY });
    await t.app.get(DemoDataService).loadIfEmpty();
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${((t.http as Server).address() as AddressInfo).port}`;
    profile = mkdtempSync(join(tmpdir(), 'chromium-profile-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1400, height: 1100 },
    });
    page = await context.newPage();
    page.setDefaultTimeout(20_000);
  });

  afterAll(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await t?.close();
  });

  it('authorizes with the demo API key and runs queryBill from its example against the demo data', async () => {
    await page.goto(`${base}/docs`);
    await page.locator('.information-container .title').waitFor();
    await expect(page.locator('.information-container .title').innerText()).resolves.toContain('Utility bank interface');

    await authorize(page, 'ApiKeyAuth', DEMO_API_KEY);
    const responses = await tryItOut(page, '账单管理', 'queryBill');

    await expect(responses.locator('.response-col_status').innerText()).resolves.toContain('200');
    const body = await responses.locator('.response-col_description pre.microlight').first().innerText();
    expect(body).toContain('"RespCode": "AAAAAAA"');
    expect(body).toContain('"TranCode": "QueryRes"');
    expect(body).toContain('"CustomerName": "张*丰"');
    const headers = await responses.locator('.response-col_description').innerText();
    expect(headers).toMatch(/x-request-id: \S+/);

    mkdirSync(ARTIFACTS, { recursive: true });
    await responses.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(ARTIFACTS, 'swagger-ui-querybill.png') });
    expect(existsSync(join(ARTIFACTS, 'swagger-ui-querybill.png'))).toBe(true);
  });

  it('authorizes the admin API with the bearer token and lists the institutions', async () => {
    await page.goto(`${base}/docs`);
    await page.locator('.information-container .title').waitFor();
    await authorize(page, 'AdminBearer', ADMIN_TOKEN);
    const responses = await tryItOut(page, 'institutions', 'adminListInstitutions');

    await expect(responses.locator('.response-col_status').innerText()).resolves.toContain('200');
    await expect(responses.locator('.response-col_description pre.microlight').first().innerText()).resolves.toContain('"instId": "00001"');
    await page.screenshot({ path: join(ARTIFACTS, 'swagger-ui-admin.png') });
  });
});
