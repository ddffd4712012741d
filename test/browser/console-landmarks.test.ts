// Issue 13: axe's moderate `region` violation (content outside any landmark: the subscription's name and tabs) on
// every console page, and no favicon. Every page of a subscription, and the sign-in page, in Debian's chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { createBootstrapLink } from '../../src/console/bootstrap.ts';
import { launchBrowser, PROD, startConsoleWorld, type ConsoleWorld } from './console-harness.ts';

const AXE = readFileSync(new URL('../../node_modules/axe-core/axe.min.js', import.meta.url), 'utf8');
let world: ConsoleWorld;
let browser: Browser;
let page: Page;

before(async () => {
  [world, browser] = await Promise.all([startConsoleWorld(), launchBrowser()]);
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
});

after(async () => {
  await browser?.close();
  await world?.close();
});

/** The nodes axe's `region` rule finds outside every landmark. */
async function outsideLandmarks(): Promise<string[]> {
  await page.evaluate(AXE);
  return page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: { nodes: { target: string[] }[] }[] }> } }).axe;
    const r = await axe.run(document, { runOnly: { type: 'rule', values: ['region'] } });
    return r.violations.flatMap((v) => v.nodes.map((n) => n.target.join(' ')));
  });
}

test('every console page keeps its content inside landmarks (axe region) and names its favicon', async () => {
  await page.goto(`${world.server.url}/console/`);
  assert.deepEqual(await outsideLandmarks(), [], 'sign-in page');
  const link = await createBootstrapLink(world.store, PROD);
  await page.goto(world.server.url + link.path);
  await page.getByRole('button', { name: 'Continue to the console' }).click();
  for (const p of ['', '/readiness', '/status', '/users', '/confirm', '/support', '/audit', '/api-clients']) {
    await page.goto(`${world.server.url}/console/s/${PROD}${p}`);
    assert.deepEqual(await outsideLandmarks(), [], p || '/');
  }
  const icon = await page.locator('link[rel="icon"]').getAttribute('href');
  assert.equal(icon, '/console/assets/favicon.svg');
  const served = await fetch(new URL(icon, world.server.url));
  assert.equal(served.status, 200);
  assert.equal(served.headers.get('content-type'), 'image/svg+xml');
  assert.match(await served.text(), /^<svg /);
});
