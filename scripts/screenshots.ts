// Screenshots of the migration console for the README (docs/screenshots/*.png): the Migration Status tab, the
// User Migration tab and the readiness report at 1280 px, and the status tab at 375 px. Runs the example
// subscription part way (admins and most users migrated, a few skipped) on a throwaway in-memory server.
// Usage: node scripts/screenshots.ts   (needs /usr/bin/chromium: apt-get install -y chromium)
import { mkdirSync } from 'node:fs';
import { createBootstrapLink } from '../src/console/bootstrap.ts';
import { addDays, localDate } from '../src/core/migration/schedule.ts';
import { launchBrowser, PROD, startConsoleWorld } from '../test/browser/console-harness.ts';

const out = new URL('../docs/screenshots/', import.meta.url).pathname;
mkdirSync(out, { recursive: true });
const world = await startConsoleWorld({ concurrency: 4, slowIdpMs: 0 });
const browser = await launchBrowser();
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  page.on('dialog', (d) => void d.accept());
  const base = `${world.server.url}/console/s/${PROD}`;
  const link = await createBootstrapLink(world.store, PROD);
  await page.goto(world.server.url + link.path);
  await page.getByRole('button', { name: 'Continue to the console' }).click();
  await page.locator('#date').fill(addDays(localDate(new Date(), 'America/Los_Angeles'), 10));
  await page.getByRole('button', { name: 'Save date' }).click();
  await page.goto(`${base}/status`);
  await page.getByRole('button', { name: 'Migrate all eligible users' }).click();
  await world.console!.runs.idle();
  await page.goto(`${base}/users?state=blocked`);
  await page.locator('input[data-select-all]').check();
  await page.locator('#reason').fill('no longer needs the product');
  await page.getByRole('button', { name: 'Skip Migration', exact: true }).click();

  await page.goto(`${base}/status`);
  await page.waitForFunction(() => Number(document.documentElement.dataset.liveUpdates ?? 0) > 0);
  await page.screenshot({ path: `${out}console-status.png`, fullPage: true });
  await page.goto(`${base}/users?sort=status`);
  await page.screenshot({ path: `${out}console-users.png` });
  await page.goto(`${base}/readiness?status=blocked`);
  await page.screenshot({ path: `${out}console-readiness.png` });
  const narrow = await context.newPage();
  await narrow.setViewportSize({ width: 375, height: 812 });
  await narrow.goto(`${base}/status`);
  await narrow.screenshot({ path: `${out}console-status-375.png`, fullPage: true });
  for (const f of ['console-status.png', 'console-users.png', 'console-readiness.png', 'console-status-375.png']) console.log(`wrote docs/screenshots/${f}`);
} finally {
  await browser.close();
  await world.close();
}
