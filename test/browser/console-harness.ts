// Shared set-up of the console browser suites: a real Rehome server on 127.0.0.1 port 0 (startRehomeServer, so
// the console is mounted exactly as `rehome serve` mounts it), the example subscriptions imported, planned and
// linked (phase 1), one Chromium per file, and an axe-core check.
import { readFileSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildConfig } from '../../src/config/config.ts';
import { planMigration } from '../../src/core/migration/plan-migration.ts';
import { readImsDirectory } from '../../src/importers/ims-directory.ts';
import { readProductUsers } from '../../src/importers/product-users.ts';
import { readSubscription } from '../../src/importers/subscription.ts';
import { createStoreImsDirectory } from '../../src/ims/directory/store-ims-directory.ts';
import { seedDirectoryFromExport } from '../../src/ims/seed-directory.ts';
import { hashPassword } from '../../src/ims/accounts/passwords.ts';
import { embeddedEnginePorts } from '../support/embedded-engine.ts';
import { applyProductPhase } from '../../src/engine/product-phase.ts';
import { migrationDb } from '../../src/engine/migration-repo.ts';
import { startRehomeServer, type RehomeServer } from '../../src/server/rehome-server.ts';
import type { ConsoleHandler } from '../../src/console/console-handler.ts';
import type { EnginePorts } from '../../src/ports/engine-ports.ts';
import { openStore, type StoreAdapter } from '../../src/app/rehome-store.ts';

export const PROD = '123-ABC-456';
export const SANDBOX = '123-ABC-999';
const ex = (f: string) => new URL(`../../examples/acme/${f}`, import.meta.url).pathname;

export interface ConsoleWorld {
  store: StoreAdapter;
  server: RehomeServer;
  console: ConsoleHandler;
  close(): Promise<void>;
}

/**
 * Imports both example subscriptions, plans them and runs phase 1 (link the product), then starts the server exactly
 * as `rehome serve` does. `slowIdpMs` slows every profile grant through the app's one fault-injection seam, so a
 * browser can watch a run in progress.
 */
export async function startConsoleWorld(opts: { concurrency?: number; slowIdpMs?: number } = {}): Promise<ConsoleWorld> {
  const store = await openStore({ kind: 'sqlite', path: ':memory:' });
  const now = new Date();
  for (const which of ['prod', 'sandbox'] as const) {
    const sub = readSubscription(ex(which === 'prod' ? 'subscription.json' : 'sandbox-subscription.json'));
    const users = readProductUsers(ex(which === 'prod' ? 'users.csv' : 'sandbox-users.csv'));
    const accounts = readImsDirectory(ex('ims-directory.csv'), { claimedDomains: sub.imsOrg.claimedDomains });
    const ref = await store.saveSnapshot({ subscription: sub, users, ims: { accounts }, sources: {}, at: now.toISOString() });
    await seedDirectoryFromExport(createStoreImsDirectory(store), accounts, sub.imsOrg);
    const snapshot = (await store.loadSnapshot({ snapshotId: ref.id }))!;
    const plan = planMigration({ snapshot, passwordStrategy: 'invite', orgExists: true });
    // The sandbox's SSO users need SSO in the org (a blocking prerequisite); these suites treat it as configured.
    plan.prerequisites = plan.prerequisites.filter((p) => p.code !== 'sso_not_configured');
    const ports = embeddedEnginePorts({ store, orgId: sub.imsOrg.id, issuer: 'http://127.0.0.1:1/ims', actor: 'cli:test' });
    await applyProductPhase(plan, ports, { consent: true });
  }
  const config = buildConfig({
    env: { REHOME_IMS_COOKIE_KEYS: 'console-test-cookie-key-0123456789abcdef', REHOME_IMS_LINK_SECRET: 'console-test-link-secret-0123456789abcdef' },
    // The access log at warn: a test's output is for its own lines (test/integration/metrics.test.ts checks the log).
    flags: { 'store.kind': 'sqlite', 'store.path': ':memory:', 'server.port': 0, 'comms.productUrl': 'https://engage.example/', 'migration.concurrency': opts.concurrency ?? 2, 'ims.devOutbox': true, 'server.logLevel': 'warn' },
  });
  const delay = opts.slowIdpMs;
  const server = await startRehomeServer({ config, store, port: 0, ...(delay !== undefined ? { wrapPorts: (p: EnginePorts) => slowGrants(p, delay) } : {}) });
  return { store, server, console: server.console, async close() { await server.close(); await store[Symbol.asyncDispose](); } };
}

function slowGrants(ports: EnginePorts, ms: number): EnginePorts {
  const idp = ports.idp;
  return { ...ports, idp: { ...idp, addProfileMembers: async (profileId, ids) => { await new Promise((r) => setTimeout(r, ms)); return idp.addProfileMembers(profileId, ids); } } };
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Gives a migrated admin's IMS account a password (what accepting the invitation does) and returns its email. */
export async function givePassword(store: StoreAdapter, subscriptionId: string, userId: string, password: string): Promise<{ email: string; subject: string }> {
  const row = await migrationDb(store.kysely).selectFrom('mig_users').select(['email', 'ims_subject']).where('subscription_id', '=', subscriptionId).where('user_id', '=', userId).executeTakeFirstOrThrow();
  if (!row.ims_subject) throw new Error(`user ${userId} has not migrated`);
  await createStoreImsDirectory(store).setPasswordHash(row.ims_subject, await hashPassword(password));
  return { email: row.email, subject: row.ims_subject };
}

const AXE = readFileSync(new URL('../../node_modules/axe-core/axe.min.js', import.meta.url), 'utf8');

/**
 * Runs axe-core in the page (evaluated through the DevTools protocol, so the page's strict CSP stays on) and
 * returns the serious and critical violations.
 */
export async function seriousA11yViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE);
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> } }).axe;
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}): ${v.targets.join(', ')}`);
}
