import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { readProductUsers } from '../../src/importers/product-users.ts';
import { readImsDirectory } from '../../src/importers/ims-directory.ts';
import { readSubscription } from '../../src/importers/subscription.ts';
import { readTickets } from '../../src/importers/tickets.ts';
import { ImportErrors } from '../../src/importers/import-error.ts';
import { openStore, type StoreAdapter, type StoreOptions } from '../../src/app/rehome-store.ts';
import { planMigration } from '../../src/core/migration/plan-migration.ts';
import { addDays, localDate } from '../../src/core/migration/schedule.ts';
import type { MigrationPlan } from '../../src/core/migration/plan.ts';
import { MIGRATED_STATES, type UserState } from '../../src/core/migration/states.ts';
import { applyProductPhase } from '../../src/engine/product-phase.ts';
import { runUserPhase } from '../../src/engine/user-phase.ts';
import { skipAdminsWhoCannotMove } from '../support/admins-first.ts';
import { actOnUsers, confirmMigration, scheduleMigration } from '../../src/engine/admin-actions.ts';
import { embeddedEnginePorts } from '../support/embedded-engine.ts';
import { migrationDb, requireMigration } from '../../src/engine/migration-repo.ts';
import { MigrationError } from '../../src/engine/migration-error.ts';
import { seedDirectoryFromExport } from '../../src/ims/seed-directory.ts';
import { createStoreImsDirectory } from '../../src/ims/directory/store-ims-directory.ts';
import { migrateTickets } from '../../src/tickets/migrate-tickets.ts';
import { ticketsCommand } from '../../src/cli/commands/tickets.ts';
import { loadConfig } from '../../src/config/load-config.ts';

const ex = (f: string) => new URL(`../../examples/acme/${f}`, import.meta.url).pathname;
const NOW = new Date('2026-11-25T12:00:00Z');
const ISSUER = 'http://127.0.0.1:1/ims';
const TICKETS = readTickets(ex('tickets.jsonl'));
const MESSAGES = TICKETS.reduce((n, t) => n + t.messages.length, 0);

/** Drives the example production subscription to `users_in_progress` (all eligible users migrated) and returns its plan. */
async function migrateUsers(store: StoreAdapter): Promise<{ plan: MigrationPlan; ctx: ReturnType<typeof embeddedEnginePorts> }> {
  const sub = readSubscription(ex('subscription.json'));
  const users = readProductUsers(ex('users.csv'));
  const accounts = readImsDirectory(ex('ims-directory.csv'), { claimedDomains: sub.imsOrg.claimedDomains });
  const ref = await store.saveSnapshot({ subscription: sub, users, ims: { accounts }, sources: {}, at: NOW.toISOString() });
  await seedDirectoryFromExport(createStoreImsDirectory(store), accounts, sub.imsOrg);
  const plan = planMigration({ snapshot: (await store.loadSnapshot({ snapshotId: ref.id }))!, passwordStrategy: 'invite', orgExists: true });
  plan.prerequisites = plan.prerequisites.filter((x) => x.code !== 'sso_not_configured');
  const orgId = (plan.product[0] as { orgId: string }).orgId;
  const ctx = embeddedEnginePorts({ store, orgId, issuer: ISSUER, actor: 'test', now: () => NOW });
  await applyProductPhase(plan, ctx, { consent: true });
  await scheduleMigration(ctx, plan.subscriptionId, addDays(localDate(NOW, plan.timeZone), 10));
  await skipAdminsWhoCannotMove(store.kysely, plan.subscriptionId, () => NOW);
  await runUserPhase({ subscriptionId: plan.subscriptionId, concurrency: 4 }, ctx);
  return { plan, ctx };
}

async function skipTheRestAndConfirm(store: StoreAdapter, plan: MigrationPlan, ctx: ReturnType<typeof embeddedEnginePorts>): Promise<void> {
  const open = await migrationDb(store.kysely).selectFrom('mig_users').select('user_id').where('subscription_id', '=', plan.subscriptionId)
    .where('state', 'in', ['needs_email_verification', 'blocked']).execute();
  await actOnUsers(ctx, plan.subscriptionId, open.map((u) => u.user_id), 'skip', 'not verified before the deadline');
  await confirmMigration(ctx, plan.subscriptionId, true);
}

async function count(store: StoreAdapter, table: 'ims_support_tickets' | 'ims_support_messages', subscriptionId: string): Promise<number> {
  const r = await store.kysely.selectFrom(table).select((eb: any) => eb.fn.countAll().as('n')).where('subscription_id', '=', subscriptionId).executeTakeFirstOrThrow();
  return Number((r as { n: unknown }).n);
}

function scenario(kind: 'sqlite' | 'postgres', open: () => Promise<{ store: StoreAdapter; cleanup: () => Promise<void> }>): void {
  test(`${kind}: tickets are refused before confirmation, then move once, re-attributed, resumable and reconciled`, async () => {
    const { store, cleanup } = await open();
    try {
      const { plan, ctx } = await migrateUsers(store);
      const sub = plan.subscriptionId;
      const t = { db: store.kysely, now: () => NOW, actor: 'test' };

      // Refused while users are still open (the engine settles to users_in_progress / awaiting_confirmation).
      const before = (await requireMigration(migrationDb(store.kysely), sub)).state;
      assert.ok(!['confirmed', 'support_migrated', 'done'].includes(before));
      await assert.rejects(migrateTickets(t, { subscriptionId: sub, tickets: TICKETS }), (e: MigrationError) => e.code === 'transition_refused' && e.message.includes('rehome confirm'));
      await assert.rejects(migrateTickets(t, { subscriptionId: sub, tickets: TICKETS, dryRun: true }), (e: MigrationError) => e.code === 'transition_refused');
      assert.equal(await count(store, 'ims_support_tickets', sub), 0);
      await assert.rejects(migrateTickets(t, { subscriptionId: 'nope', tickets: TICKETS }), (e: MigrationError) => e.code === 'migration_not_found');

      await skipTheRestAndConfirm(store, plan, ctx);

      // Dry run: the counts, nothing written, no state change.
      const dry = await migrateTickets(t, { subscriptionId: sub, tickets: TICKETS, dryRun: true });
      assert.equal(dry.reconciled, true);
      assert.equal(dry.moved, 0);
      assert.equal(dry.state, 'confirmed');
      assert.equal(await count(store, 'ims_support_tickets', sub), 0);

      // A crash after the second batch: what committed stays, the state does not move.
      await assert.rejects(migrateTickets({ ...t, onBatch: (done) => { if (done === 20) throw new Error('killed'); } }, { subscriptionId: sub, tickets: TICKETS, batchSize: 10 }), /killed/);
      assert.equal(await count(store, 'ims_support_tickets', sub), 20);
      assert.equal((await requireMigration(migrationDb(store.kysely), sub)).state, 'confirmed');

      // Resume: the rest moves, nothing twice, and the subscription completes.
      const r = await migrateTickets(t, { subscriptionId: sub, tickets: TICKETS, batchSize: 10, source: 'tickets.jsonl' });
      assert.equal(r.alreadyPresent, 20);
      assert.equal(r.moved, TICKETS.length - 20);
      assert.deepEqual(r.stored, { tickets: TICKETS.length, messages: MESSAGES });
      assert.equal(r.reconciled, true);
      assert.equal(r.state, 'done');
      assert.equal(await count(store, 'ims_support_tickets', sub), TICKETS.length);
      assert.equal(await count(store, 'ims_support_messages', sub), MESSAGES);

      // Re-run: idempotent.
      const again = await migrateTickets(t, { subscriptionId: sub, tickets: TICKETS });
      assert.equal(again.moved, 0);
      assert.equal(again.alreadyPresent, TICKETS.length);
      assert.equal(again.reconciled, true);
      assert.equal(again.state, 'done');
      assert.equal(await count(store, 'ims_support_tickets', sub), TICKETS.length);
      assert.equal(await count(store, 'ims_support_messages', sub), MESSAGES);

      // Attribution, checked against the user migrations independently of the planner.
      const users = new Map((await migrationDb(store.kysely).selectFrom('mig_users').select(['user_id', 'state', 'ims_subject', 'admin']).where('subscription_id', '=', sub).execute())
        .map((u) => [u.user_id, u]));
      const migrated = (id: string) => { const u = users.get(id); return u !== undefined && MIGRATED_STATES.has(u.state as UserState) && u.ims_subject !== null; };
      const admin = plan.users.find((u) => u.admin && migrated(u.userId))!;
      const rows = await store.kysely.selectFrom('ims_support_tickets').selectAll().where('subscription_id', '=', sub).execute();
      const own = TICKETS.filter((x) => migrated(x.submitterUserId));
      assert.ok(own.length > 0 && own.length < TICKETS.length, 'the example has both kinds');
      assert.equal(r.reconciliation.bySubmitter, own.length);
      assert.equal(r.reconciliation.byAdminFallback, TICKETS.length - own.length);
      for (const row of rows as { product_ticket_id: string; submitter_user_id: string; requester_subject: string; requester_user_id: string; attribution: string; reason: string | null; org_id: string }[]) {
        const ticket = TICKETS.find((x) => x.id === row.product_ticket_id)!;
        assert.equal(row.submitter_user_id, ticket.submitterUserId);
        assert.equal(row.org_id, (plan.product[0] as { orgId: string }).orgId);
        if (migrated(ticket.submitterUserId)) {
          assert.equal(row.attribution, 'submitter');
          assert.equal(row.requester_subject, users.get(ticket.submitterUserId)!.ims_subject);
        } else {
          assert.equal(row.attribution, 'admin_fallback');
          assert.equal(row.requester_user_id, admin.userId);
          assert.equal(row.requester_subject, users.get(admin.userId)!.ims_subject);
          const state = users.get(ticket.submitterUserId)!.state;
          assert.equal(row.reason, { skipped: 'skipped', not_migrated: 'deactivated', stays_local: 'api_only' }[state as string]);
        }
      }
      const byStatus = Object.fromEntries(['open', 'pending', 'solved', 'closed'].map((s) => [s, TICKETS.filter((x) => x.status === s).length]));
      assert.deepEqual(r.reconciliation.byStatus, byStatus);
      assert.deepEqual(r.fallbacks.map((f) => f.ticketId).sort(), TICKETS.filter((x) => !migrated(x.submitterUserId)).map((x) => x.id).sort());

      // Audit: the state changes and the reports, counts only.
      const audit = await store.listAudit({ subscriptionId: sub });
      const actions = audit.map((a) => a.action);
      for (const a of ['subscription:support_done', 'subscription:finish']) assert.equal(actions.filter((x) => x === a).length, 1, a);
      assert.equal(actions.filter((x) => x === 'tickets:migrated').length, 2, 'one per completed run');
      const details = JSON.stringify(audit.filter((a) => a.action === 'tickets:migrated').map((a) => a.details));
      assert.doesNotMatch(details, /SR-1|Export|screenshot|@/, 'no ticket ids, subjects, bodies or addresses');
      const reports = await store.kysely.selectFrom('mig_ticket_reports').select(['reconciled', 'source']).where('subscription_id', '=', sub).orderBy('id').execute();
      assert.deepEqual(reports.map((x: { reconciled: number }) => Number(x.reconciled)), [1, 1]);
    } finally {
      await cleanup();
    }
  });
}

scenario('sqlite', async () => {
  const store = await openStore({ kind: 'sqlite', path: ':memory:' });
  return { store, cleanup: async () => { await store[Symbol.asyncDispose](); } };
});

const ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try { await client.query(sql); } finally { await client.end(); }
}

scenario('postgres', async () => {
  const name = `rehome_tickets_${randomBytes(6).toString('hex')}`;
  await admin(`create database ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const options: StoreOptions = { kind: 'postgres', url: url.toString() };
  const store = await openStore(options);
  return {
    store,
    cleanup: async () => {
      await store[Symbol.asyncDispose]();
      await admin(`drop database if exists ${name} with (force)`);
    },
  };
});

function cliIo() {
  let out = '';
  return { io: { out: (s: string) => { out += s; }, err: () => {}, isTTY: false, actor: 'cli:test', now: () => NOW }, output: () => out };
}

test('CLI: rehome tickets prints the reconciliation; exit 0; a bad file gives its exact position and exit 2', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rehome-tickets-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const db = join(dir, 'rehome.db');
  {
    await using store = await openStore({ kind: 'sqlite', path: db });
    const { plan, ctx } = await migrateUsers(store);
    await skipTheRestAndConfirm(store, plan, ctx);
  }
  const config = loadConfig({ cwd: dir, flags: { 'store.kind': 'sqlite', 'store.path': db } });
  const run = (values: Record<string, string | boolean>) => {
    const { io, output } = cliIo();
    return ticketsCommand.run({ values, positionals: [], config, io }).then((code) => ({ code, out: output() }));
  };

  const dry = await run({ subscription: '123-ABC-456', file: ex('tickets.jsonl'), 'dry-run': true });
  assert.equal(dry.code, 0);
  assert.match(dry.out, /^dry run, nothing is written: .*: reconciled/);
  assert.match(dry.out, /would move\s+60/);
  assert.match(dry.out, /stays confirmed/);

  const first = await run({ subscription: '123-ABC-456', file: ex('tickets.jsonl') });
  assert.equal(first.code, 0, first.out);
  assert.match(first.out, /tickets in\s+60\n/);
  assert.match(first.out, /moved now\s+60\n/);
  assert.match(first.out, /attributed to an admin \(marked \*\)\s+\d+  to admin 1001/);
  assert.match(first.out, /by status: open \d+, pending \d+, solved \d+, closed \d+/);
  assert.match(first.out, /SR-\d+ +submitter \d+ \(deactivated\) -> admin 1001/);
  assert.match(first.out, /subscription 123-ABC-456: done/);

  const json = await run({ subscription: '123-ABC-456', file: ex('tickets.jsonl'), format: 'json' });
  assert.equal(json.code, 0);
  const report = JSON.parse(json.out);
  assert.equal(report.moved, 0);
  assert.equal(report.alreadyPresent, 60);
  assert.equal(report.reconciliation.bySubmitter + report.reconciliation.byAdminFallback, 60);

  // A broken copy of the example: a bad status on line 3 and a message date without a zone on line 5.
  const lines = readFileSync(ex('tickets.jsonl'), 'utf8').split('\n');
  lines[2] = lines[2]!.replace(/"status":"\w+"/, '"status":"reopened"');
  lines[4] = lines[4]!.replace(/("messages":\[\{"author":[^,]+,"at":"[^"]+)Z"/, '$1"');
  writeFileSync(join(dir, 'bad.jsonl'), lines.join('\n'));
  const statusAt = lines[2]!.indexOf('"reopened"') + 1;
  const atAt = lines[4]!.indexOf('"at":"') + 6;
  await assert.rejects(run({ subscription: '123-ABC-456', file: join(dir, 'bad.jsonl') }), (e: ImportErrors) => {
    assert.deepEqual(e.errors.map((x) => `${x.line}:${x.column} ${x.code} ${x.field}`), [`3:${statusAt} invalid_field status`, `5:${atAt} invalid_field messages[0].at`]);
    assert.match(e.errors[0]!.message, new RegExp(`bad\\.jsonl:3:${statusAt}: status: expected open, pending, solved or closed, got "reopened"`));
    return true;
  });
  // The same through a CSV export: the position inside the quoted messages cell.
  const row = 'SR-1,Hi,1001,open,2026-06-01T08:00:00Z,"[{""author"":""1001"",""at"":""2026-06-01"",""body"":7}]"';
  writeFileSync(join(dir, 'bad.csv'), `id,subject,submitter,status,created,messages\n${row}\n`);
  await assert.rejects(run({ subscription: '123-ABC-456', file: join(dir, 'bad.csv') }), (e: ImportErrors) => {
    assert.equal(e.errors[0]!.message, `${join(dir, 'bad.csv')}:2:${row.indexOf(':7}') + 2}: messages[0].body: expected text, got 7`);
    return true;
  });
});
