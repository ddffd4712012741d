// The fragment-forwarding page in a real browser (Debian's chromium through playwright-core): the fragment is
// carried over, the hashed inline script runs under the page's CSP, refused fragments stay put, and without
// JavaScript the noscript link leads to the fallback.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { compileUrlRules } from '../../src/core/urls/url-rules.ts';
import { startRedirectServer, type RunningRedirectServer } from '../../src/redirects/redirect-server.ts';

let browser: Browser;
let redirects: RunningRedirectServer;
let site: Server;
let siteUrl: string;

before(async () => {
  site = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>new site</title><h1>new</h1>'));
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  const rules = compileUrlRules({
    allowedHosts: [siteUrl],
    rules: [
      {
        id: 'engage',
        match: { path: '/app-ab12/', fragment: '{report}' },
        target: `${siteUrl}/#/@{org}/so:{subscription}/engage/{capture.report}`,
        fallback: `${siteUrl}/#/@{org}/so:{subscription}/engage`,
        org: 'acme',
        subscription: '123-ABC-456',
      },
      { id: 'files', match: { path: '/app-ab12/files/{rest*}' }, target: `${siteUrl}/files/{capture.rest}` },
    ],
  });
  redirects = await startRedirectServer({ rules });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  await redirects?.close();
  site?.closeAllConnections();
  await new Promise<void>((resolve) => (site ? site.close(() => resolve()) : resolve()));
});

test('an old bookmark with a fragment lands on the new URL with the fragment carried over', async () => {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(`${redirects.url}/app-ab12/#RP1234A1`);
  await page.waitForURL(`${siteUrl}/#/@acme/so:123-ABC-456/engage/RP1234A1`);
  assert.equal(await page.title(), 'new site');
  assert.deepEqual(errors, [], 'no CSP violation');
  await page.close();
});

test('the redirect replaces the history entry (Back does not bounce into the old URL)', async () => {
  const page = await browser.newPage();
  await page.goto(`${siteUrl}/start`);
  await page.goto(`${redirects.url}/app-ab12/#RP7`);
  await page.waitForURL(`${siteUrl}/#/@acme/so:123-ABC-456/engage/RP7`);
  await page.goBack();
  assert.equal(page.url(), `${siteUrl}/start`);
  await page.close();
});

test('no fragment: the fallback; a path rule: a plain 301 the browser follows', async () => {
  const page = await browser.newPage();
  await page.goto(`${redirects.url}/app-ab12/`);
  await page.waitForURL(`${siteUrl}/#/@acme/so:123-ABC-456/engage`);
  await page.goto(`${redirects.url}/app-ab12/files/q1.pdf`);
  assert.equal(page.url(), `${siteUrl}/files/q1.pdf`);
  await page.close();
});

test('a fragment that cannot be carried safely stays on the page with a message', async () => {
  const page = await browser.newPage();
  await page.goto(`${redirects.url}/app-ab12/#RP1%0Aevil`);
  await page.waitForFunction(() => document.getElementById('msg')?.textContent?.includes('cannot be forwarded'));
  assert.ok(page.url().startsWith(redirects.url));
  await page.close();
});

test('without JavaScript the noscript link leads to the fallback', async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${redirects.url}/app-ab12/#RP1234A1`);
  const href = await page.getAttribute('noscript a, a#continue', 'href').catch(() => null);
  const html = await page.content();
  assert.ok(href === `${siteUrl}/#/@acme/so:123-ABC-456/engage` || html.includes(`href="${siteUrl}/#/@acme/so:123-ABC-456/engage"`), html);
  await context.close();
});
