/**
 * Issue 5 item 8, through the CLI as an operator runs it. PostgreSQL: `rehome migrate --subscription` enqueues the
 * user phase and works on it while a `rehome worker --until-idle` started beside it shares the jobs; both do work
 * and nobody is migrated twice. A subscription whose window expired: the worker refuses its scheduled run and the
 * audit log says `window_expired` (once), while `rehome migrate --subscription` still moves its users on demand.
 * SQLite: a second migrating process refuses with `runner_busy` (exit 2).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Kysely } from 'kysely';
import type { MigrationPlan } from '../../src/core/migration/plan.ts';
import { addDays, localDate } from '../../src/core/migration/schedule.ts';
import { generatePopulation } from '../../src/population/generate-population.ts';
import { createStoreImsDirectory } from '../../src/ims/directory/store-ims-directory.ts';
import { seedDirectoryFromExport } from '../../src/ims/seed-directory.ts';
import { openStore, type StoreAdapter } from '../../src/app/rehome-store.ts';
import { postgresTestDatabase, sqliteTestDatabase } from '../e2e/support/test-databases.ts';
import { assertNoDuplicateNoLoss, count, prepareSubscription } from './support/crash-setup.ts';

const USERS = Number(process.env.REHOME_WORKER_CLI_USERS ?? 2_000);
const root = new URL('../../', import.meta.url).pathname;

interface Ran { code: number | null; out: string; err: string }

/** Runs `rehome ...` as a child process; `onErr` sees stderr as it arrives (to start a peer at the right moment). */
function rehome(cwd: string, env: Record<string, string>, args: string[], onErr?: (text: string) => void): Promise<Ran> {
  const proc = spawn(process.execPath, [join(root, 'bin/rehome.ts'), ...args], { cwd, env: { ...process.env, REHOME_PRODUCT_URL: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout.on('data', (d) => { out += d; });
  proc.stderr.on('data', (d) => { err += d; onErr?.(err); });
  return new Promise((resolve) => proc.on('exit', (code) => resolve({ code, out, err })));
}

function ok(r: Ran, code = 0): Ran {
  assert.equal(r.code, code, `exit ${r.code}\n${r.out}\n${r.err}`);
  return r;
}

async function saveGenerated(store: StoreAdapter, pop: ReturnType<typeof generatePopulation>, seedIms: boolean): Promise<void> {
  await store.saveSnapshot({ subscription: pop.subscription, users: pop.users, ims: { accounts: pop.imsAccounts }, sources: {}, at: new Date().toISOString() });
  if (seedIms) await seedDirectoryFromExport(createStoreImsDirectory(store), pop.imsAccounts, pop.subscription.imsOrg);
}

/** `rehome plan` + `rehome migrate --plan` + `rehome schedule` (10 days ahead): what the runbook's steps 1-2 say. */
async function planLinkSchedule(cwd: string, env: Record<string, string>, subscriptionId: string, file: string): Promise<MigrationPlan> {
  ok(await rehome(cwd, env, ['plan', '--subscription', subscriptionId, '--out', file]));
  const plan = JSON.parse(readFileSync(join(cwd, file), 'utf8')) as MigrationPlan;
  assert.match(ok(await rehome(cwd, env, ['migrate', '--plan', file, '--consent'])).out, /product_linked/);
  assert.match(ok(await rehome(cwd, env, ['schedule', '--subscription', subscriptionId, '--date', addDays(localDate(new Date(), plan.timeZone), 10)])).out, /starts/);
  // Admins first: the admins who cannot move are skipped, confirmed twice, as the runbook says.
  const waiting = plan.users.filter((u) => u.admin && !['link', 'create', 'invite'].includes(u.action)).map((u) => u.userId);
  if (waiting.length > 0) ok(await rehome(cwd, env, ['skip', '--subscription', subscriptionId, '--users', waiting.join(','), '--reason', 'cannot move now', '--confirm-admins']));
  return plan;
}

/** Audit rows of one action for a subscription, with the pid of the process that wrote each (actor `worker:<host>:<pid>:<id>`). */
async function auditByPid(db: Kysely<any>, subscriptionId: string, action: string): Promise<{ target: string; pid: string }[]> {
  const rows: { target: string; actor: string }[] = await db.selectFrom('audit_log').select(['target', 'actor']).where('subscription_id', '=', subscriptionId).where('action', '=', action).execute();
  return rows.map((r) => ({ target: r.target, pid: r.actor.split(':').at(-2) ?? r.actor }));
}

test(`PostgreSQL, CLI: rehome migrate and a rehome worker share ${USERS} users through the queue; an expired window refuses scheduled runs, not on-demand ones`, { timeout: 180_000 }, async () => {
  const database = await postgresTestDatabase('workercli');
  const store = await database.open();
  const url = (database.options as { url: string }).url;
  const cwd = mkdtempSync(join(tmpdir(), 'rehome-workercli-'));
  const env = { REHOME_STORE: 'postgres', REHOME_DATABASE_URL: url };
  try {
    const pop = generatePopulation({ users: USERS, seed: 5, ssoConfigured: true });
    await saveGenerated(store, pop, true);
    const plan = await planLinkSchedule(cwd, env, pop.subscription.id, 'plan.json');
    const eligible = plan.users.filter((u) => u.initialState === 'eligible').map((u) => u.userId);
    const accountsBefore = await count(store.kysely, 'ims_accounts');

    // Migrate All from the CLI; a worker joins as soon as the work is queued.
    const t0 = Date.now();
    let worker: Promise<Ran> | undefined;
    // Jobs of 50 users: about 30 of them, so the worker that joins finds work however fast this machine is.
    const migrate = rehome(cwd, env, ['migrate', '--subscription', plan.subscriptionId, '--batch-size', '50'], (err) => {
      if (!worker && err.includes('queued')) worker = rehome(cwd, env, ['worker', '--until-idle']);
    });
    const m = ok(await migrate);
    assert.ok(worker, 'rehome migrate said the work was queued');
    const w = ok(await worker);
    const ms = Date.now() - t0;
    assert.match(m.out, /failed 0/);
    const byMigrate = Number(/migrated (\d+)/.exec(m.out)![1]);
    const byWorker = Number(/(\d+) users migrated/.exec(w.out)![1]);
    console.log(`# ${eligible.length} eligible users: rehome migrate moved ${byMigrate}, rehome worker ${byWorker}, in ${ms} ms (${Math.round(eligible.length / (ms / 1000))} users/s)`);
    assert.ok(byMigrate > 0 && byWorker > 0, 'both processes did work');
    assert.equal(byMigrate + byWorker, eligible.length, 'the two reports add up to everyone, once');

    // The audit log agrees: two processes succeeded users, each user was started and succeeded exactly once.
    const succeeded = await auditByPid(store.kysely, plan.subscriptionId, 'user:succeed');
    assert.equal(new Set(succeeded.map((r) => r.pid)).size, 2, 'two processes migrated users');
    assert.equal(succeeded.length, eligible.length);
    assert.equal(new Set(succeeded.map((r) => r.target)).size, eligible.length, 'nobody succeeded twice');
    const started = await auditByPid(store.kysely, plan.subscriptionId, 'user:start');
    assert.equal(started.length, eligible.length, 'nobody was even started twice');
    await assertNoDuplicateNoLoss(store, { plan, orgId: (plan.product[0] as { orgId: string }).orgId, eligible, accountsBefore });
    const steps = await count(store.kysely, 'mig_steps', (q) => q.where('subscription_id', '=', plan.subscriptionId).where('attempt', '>', 1));
    assert.equal(steps, 0, 'no step was attempted twice');

    // A second subscription (its own organization), scheduled, whose window has passed: move the clock via its rows.
    const late = generatePopulation({ users: 150, seed: 9, subscriptionId: '777-EXP-001', subscriptionName: 'Beta (sandbox)', companyDomain: 'beta.example', ssoConfigured: true });
    late.subscription.imsOrg = { ...late.subscription.imsOrg, id: 'B0B0B0B0B0B0B0B0B0B0B0B0@AdobeOrg', name: 'Beta Corp' };
    // No IMS export for it: its plan creates every account (a plan that names accounts the IMS lacks would drift).
    await saveGenerated(store, { ...late, imsAccounts: [] }, false);
    const latePlan = await planLinkSchedule(cwd, env, late.subscription.id, 'late.json');
    const lateEligible = latePlan.users.filter((u) => u.initialState === 'eligible').length;
    const day = 86_400_000;
    await store.kysely.updateTable('mig_subscriptions').set({ starts_at: new Date(Date.now() - 40 * day).toISOString(), window_expires_at: new Date(Date.now() - day).toISOString() })
      .where('subscription_id', '=', latePlan.subscriptionId).execute();

    const idle = ok(await rehome(cwd, env, ['worker', '--until-idle']));
    assert.match(idle.out, /0 users migrated/);
    const migratedLate = () => count(store.kysely, 'mig_users', (q) => q.where('subscription_id', '=', latePlan.subscriptionId).where('state', '=', 'migrated'));
    assert.equal(await migratedLate(), 0, 'nothing scheduled ran after the window expired');
    const refusals = () => store.kysely.selectFrom('audit_log').select(['actor', 'details']).where('subscription_id', '=', latePlan.subscriptionId).where('action', '=', 'schedule:refused').execute();
    const refused = await refusals();
    assert.equal(refused.length, 1, 'the refusal is in the audit log');
    const details = refused[0]!.details as string | { code: string };
    assert.equal((typeof details === 'string' ? JSON.parse(details) : details).code, 'window_expired');
    assert.match(refused[0]!.actor, /^worker:/);
    const lateState = await store.kysely.selectFrom('mig_subscriptions').select('state').where('subscription_id', '=', latePlan.subscriptionId).executeTakeFirstOrThrow();
    assert.equal(lateState.state, 'expired', 'the expiry itself is recorded (and audited), not rolled back with the refusal');
    ok(await rehome(cwd, env, ['worker', '--until-idle']));
    assert.equal((await refusals()).length, 1, 'refused once per expiry, not on every poll');

    const onDemand = ok(await rehome(cwd, env, ['migrate', '--subscription', latePlan.subscriptionId]));
    assert.match(onDemand.out, new RegExp(`migrated ${lateEligible}, failed 0`));
    assert.equal(await migratedLate(), lateEligible, 'on demand, users still move after the window expired');
  } finally {
    await store[Symbol.asyncDispose]();
    await database.drop();
    rmSync(cwd, { recursive: true, force: true });
  }
});

test('SQLite, CLI: a second rehome migrate (or worker) while one runs refuses with runner_busy, exit 2', { timeout: 120_000 }, async (t) => {
  const database = sqliteTestDatabase('runnerbusy');
  const store = await openStore(database.options);
  const path = (database.options as { path: string }).path;
  const cwd = mkdtempSync(join(tmpdir(), 'rehome-runnerbusy-'));
  const env = { REHOME_STORE: 'sqlite', REHOME_DATABASE_URL: '' };
  const rh = (...args: string[]) => rehome(cwd, env, [...args, '--db', path]);
  try {
    const s = await prepareSubscription(store, 3_000);
    const sub = s.plan.subscriptionId;
    // Batches of one keep the first run going long enough for the others to try (3,000 users take ~10 s so).
    const first = rh('migrate', '--subscription', sub, '--batch-size', '1');
    let running = false;
    for (let i = 0; i < 200 && !running; i++) {
      await new Promise((r) => setTimeout(r, 50));
      running = (await count(store.kysely, 'mig_runners')) > 0;
    }
    assert.ok(running, 'the first rehome migrate registered as the runner');
    const second = await rh('migrate', '--subscription', sub);
    const worker = await rh('worker', '--until-idle');
    // Watching is allowed: the runbook tells operators to run rehome status during a run.
    const watched = await rh('status', '--subscription', sub);
    assert.ok((await count(store.kysely, 'mig_runners')) > 0, 'the first run was still going when the others were refused (raise the user count otherwise)');
    for (const r of [second, worker]) {
      assert.equal(r.code, 2, `${r.out}\n${r.err}`);
      assert.match(r.err, /another rehome process \(pid \d+ on .+\) is migrating with this SQLite store.*\(runner_busy\)/s);
    }
    ok(watched);
    const done = await first;
    assert.ok(done.code === 0 || done.code === 3, `${done.out}\n${done.err}`);
    assert.equal(await count(store.kysely, 'mig_runners'), 0, 'the runner deregistered');
    const failed: { user_id: string; error_message: string }[] = await store.kysely.selectFrom('mig_users').select(['user_id', 'error_message']).where('subscription_id', '=', sub).where('state', '=', 'failed').execute();

    // Regression, known open: SQLite begins Kysely transactions DEFERRED, and in WAL mode a deferred transaction that
    // read first fails at once ("database is locked", busy_timeout not consulted) while another process holds the
    // write lock, which every process opening the store takes briefly (the migration check). So a refused or watching
    // process can fail a few of the running one's users. Fix: `begin immediate` in src/store/sqlite.
    await t.test('the refused and watching processes did not fail any user of the running one', () => {
      assert.deepEqual(failed.map((f) => f.error_message).slice(0, 3), []);
    });
    // Whatever happened, nobody is lost: failed users are retryable, and retry + migrate moves them.
    if (failed.length > 0) {
      console.log(`# ${failed.length} users failed beside the refused processes: ${failed[0]!.error_message}`);
      ok(await rh('retry', '--subscription', sub, '--users', failed.map((f) => f.user_id).join(',')));
      assert.match(ok(await rh('migrate', '--subscription', sub)).out, new RegExp(`migrated ${failed.length}, failed 0`));
    } else {
      assert.match(done.out, new RegExp(`migrated ${s.eligible.length}, failed 0`), 'the first run was not disturbed');
    }
    await assertNoDuplicateNoLoss(store, s);
  } finally {
    await store[Symbol.asyncDispose]();
    await database.drop();
    rmSync(cwd, { recursive: true, force: true });
  }
});
