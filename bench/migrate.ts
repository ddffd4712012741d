// The user phase at scale, end to end against the EMBEDDED IMS on the same store. Per configuration:
//   generate N users (every readiness case mixed in) -> save the snapshot -> seed the IMS with the accounts that
//   already exist -> plan -> phase 1 (org + product profile) -> schedule -> the user phase, in 1 or 2 worker
//   processes of their own (so peak RSS is the migrating process's, not the generator's).
// Prints the machine, the set-up times, then users/second and peak RSS of the user phase.
// Usage: node bench/migrate.ts [--users 100000,1000000] [--store sqlite,postgres] [--workers 1,2]
//                              [--batch-size 1000] [--concurrency N] [--synchronous full|normal] [--cpu-prof DIR]
// Several workers run on PostgreSQL only (SQLite: one migrating process). There each worker process is what
// `rehome worker --until-idle` runs (runWorker): the user phase is enqueued first (one start job, which fans out
// batch jobs of --batch-size), and the workers share the jobs through graphile-worker, users kept apart by leases.
// Besides wall time and users/s it prints the CPU the workers and the PostgreSQL server used per migrated user
// (server: every `postgres` process's utime+stime from /proc, before and after), to predict bigger machines.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import pg from 'pg';
import type { ImsAccount } from '../src/core/model.ts';
import { planMigration } from '../src/core/migration/plan-migration.ts';
import { addDays, localDate } from '../src/core/migration/schedule.ts';
import { generatePopulation, type Population } from '../src/population/generate-population.ts';
import { createStoreImsDirectory } from '../src/ims/directory/store-ims-directory.ts';
import type { ImsDirectoryService, NewAccount } from '../src/ims/directory/ims-directory.ts';
import { scheduleMigration } from '../src/engine/admin-actions.ts';
import { embeddedEnginePorts } from '../test/support/embedded-engine.ts';
import { countUsersByState, migrationDb } from '../src/engine/migration-repo.ts';
import { applyProductPhase } from '../src/engine/product-phase.ts';
import { runUserPhase } from '../src/engine/user-phase.ts';
import { runWorker } from '../src/engine/workers/run-worker.ts';
import { enqueueUserPhase, openJobQueue } from '../src/engine/workers/job-queue.ts';
import { openStore, type StoreOptions } from '../src/app/rehome-store.ts';
import { describeMachine, measure } from './machine.ts';

const ISSUER = 'http://127.0.0.1:1/ims';
const ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '100000' }, store: { type: 'string', default: 'sqlite,postgres' }, workers: { type: 'string', default: '1' },
    'batch-size': { type: 'string', default: '1000' }, concurrency: { type: 'string' }, 'cpu-prof': { type: 'string' },
    synchronous: { type: 'string' }, child: { type: 'string' }, subscription: { type: 'string' }, org: { type: 'string' }, worker: { type: 'string' },
  },
});
const list = (s: string) => s.split(',').map((x) => x.trim()).filter(Boolean);

if (values.child) await child(JSON.parse(values.child) as StoreOptions);
else await main();

async function main(): Promise<void> {
  console.log(describeMachine());
  const dir = mkdtempSync(join(tmpdir(), 'rehome-bench-migrate-'));
  const rows: string[] = [];
  try {
    for (const n of list(values.users!).map(Number)) {
      const population = generatePopulation({ users: n, seed: 1, ssoConfigured: true });
      for (const kind of list(values.store!) as ('sqlite' | 'postgres')[]) {
        for (const workers of list(values.workers!).map(Number)) {
          if (workers > 1 && kind === 'sqlite') {
            console.log(`skip ${kind}/${workers} workers: SQLite runs one migrating process`);
            continue;
          }
          rows.push(await configuration(dir, population, kind, workers));
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`\n${'users'.padStart(9)}  store     workers  ${'seconds'.padStart(8)}  ${'users/s'.padStart(9)}  peak RSS (per process)`);
  for (const r of rows) console.log(r);
}

async function configuration(dir: string, population: Population, kind: 'sqlite' | 'postgres', workers: number): Promise<string> {
  const n = population.users.length;
  const label = `${n.toLocaleString('en')} users, ${kind}, ${workers} worker${workers > 1 ? 's' : ''}`;
  console.log(`\n== ${label}`);
  const database = kind === 'sqlite' ? undefined : `rehome_bench_migrate_${process.pid}_${Date.now().toString(36)}`;
  const options: StoreOptions = kind === 'sqlite' ? { kind, path: join(dir, `migrate-${n}-${Date.now()}.db`) } : { kind, url: `postgres://postgres@127.0.0.1:5432/${database}` };
  if (database) await adminQuery(`CREATE DATABASE ${database}`);
  try {
    const { subscription, orgId, eligible } = await setUp(options, population);
    const rows0 = await tableRows(options);
    if (kind === 'postgres') {
      const queue = await openJobQueue((options as { url: string }).url);
      try { await enqueueUserPhase(queue, { subscriptionId: subscription, batchSize: Number(values['batch-size']) }); } finally { await queue.release(); }
    }
    const serverCpu0 = postgresServerCpuMs();
    const started = performance.now();
    const reports = await Promise.all(Array.from({ length: workers }, (_, i) => spawnWorker(options, subscription, orgId, `bench-w${i + 1}`)));
    const seconds = (performance.now() - started) / 1000;
    const migrated = reports.reduce((s, r) => s + r.migrated, 0);
    const failed = reports.reduce((s, r) => s + r.failed, 0);
    const inPhase = Math.max(...reports.map((r) => r.ms)) / 1000;
    const serverCpu = kind === 'postgres' ? postgresServerCpuMs() - serverCpu0 : 0;
    const workerCpu = reports.reduce((n, r) => n + r.cpuMs, 0);
    const perUser = `CPU per migrated user: workers ${(workerCpu * 1000 / Math.max(1, migrated)).toFixed(0)} µs${kind === 'postgres' ? ` + PostgreSQL ${(serverCpu * 1000 / Math.max(1, migrated)).toFixed(0)} µs` : ''}`;
    console.log(`user phase: ${migrated.toLocaleString('en')} migrated, ${failed} failed of ${eligible.toLocaleString('en')} eligible in ${seconds.toFixed(1)} s wall (${inPhase.toFixed(1)} s inside the phase, worker CPU ${reports.map((r) => (r.cpuMs / 1000).toFixed(1)).join(' + ')} s); ${Math.round(migrated / seconds).toLocaleString('en')} users/s; peak RSS ${reports.map((r) => `${r.peakRssMb.toFixed(0)} MB`).join(' + ')}; ${perUser}`);
    if (migrated !== eligible || failed > 0) console.log('  WARNING: not every eligible user migrated');
    const rows1 = await tableRows(options);
    const written = [...rows1].map(([t, v]) => ({ t, n: v.rows - (rows0.get(t)?.rows ?? 0), indexes: v.indexes })).filter((x) => x.n > 0);
    const each = (n: number) => (n / Math.max(1, migrated)).toFixed(2);
    console.log(`  rows added per migrated user (table: rows x its indexes): ${written.map((x) => `${x.t} ${each(x.n)} x ${x.indexes}`).join(', ')}; `
      + `index entries for them ${each(written.reduce((n, x) => n + x.n * x.indexes, 0))} (besides: each user's mig_users row is updated twice, claim and outcome)`);
    return `${n.toLocaleString('en').padStart(9)}  ${kind.padEnd(8)}  ${String(workers).padStart(7)}  ${seconds.toFixed(1).padStart(8)}  ${Math.round(migrated / seconds).toLocaleString('en').padStart(9)}  ${reports.map((r) => `${r.peakRssMb.toFixed(0)} MB`).join(' + ')}  ${perUser}`;
  } finally {
    if (database) await adminQuery(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  }
}

/** Everything before the user phase, timed step by step (not part of the figure). */
async function setUp(options: StoreOptions, population: Population): Promise<{ subscription: string; orgId: string; eligible: number }> {
  await using store = await openStore(options);
  const { subscription: sub, users, imsAccounts } = population;
  const step = async <T>(name: string, fn: () => Promise<T> | T): Promise<T> => {
    const r = await measure(fn);
    console.log(`  ${name.padEnd(34)} ${(r.ms / 1000).toFixed(1).padStart(6)} s`);
    return r.result;
  };
  const ref = await step('save snapshot', () => store.saveSnapshot({ subscription: sub, users, ims: { accounts: imsAccounts }, sources: {}, at: new Date().toISOString() }));
  await step(`seed IMS (${imsAccounts.length.toLocaleString('en')} accounts)`, () => seedDirectory(createStoreImsDirectory(store), imsAccounts, sub.imsOrg));
  const snapshot = (await store.loadSnapshot({ snapshotId: ref.id }))!;
  const plan = await step('plan', () => planMigration({ snapshot, passwordStrategy: 'invite', orgExists: true, consentRecorded: true }));
  const ports = embeddedEnginePorts({ store, orgId: sub.imsOrg.id, issuer: ISSUER, actor: 'bench' });
  await step('phase 1 (register plan, link org)', () => applyProductPhase(plan, ports, { consent: true }));
  await step('schedule', () => scheduleMigration(ports, plan.subscriptionId, addDays(localDate(new Date(), plan.timeZone), 10)));
  const counts = await countUsersByState(migrationDb(store.kysely), plan.subscriptionId);
  console.log(`  plan: ${JSON.stringify(plan.counts)}`);
  return { subscription: plan.subscriptionId, orgId: sub.imsOrg.id, eligible: counts.eligible ?? 0 };
}

/**
 * The IMS's own accounts as an Admin Console export has them (as seedDirectoryFromExport does one by one), in
 * bulk: accounts of other organizations' domains get an organization of their own; a second verified account with
 * one address (an ambiguous export row) is refused by the directory and left out, as there.
 */
async function seedDirectory(directory: ImsDirectoryService, accounts: ImsAccount[], org: { id: string; name: string; claimedDomains: string[] }): Promise<void> {
  if (!(await directory.getOrg(org.id))) await directory.createOrg({ id: org.id, name: org.name });
  for (const d of org.claimedDomains) await directory.claimDomain(org.id, d, 'seed');
  const inputs: NewAccount[] = [];
  for (const a of accounts) {
    let owner: string | undefined;
    if (a.type !== 'personal') {
      owner = org.claimedDomains.includes(a.domain) ? org.id : `other-org:${a.domain}`;
      if (!(await directory.getOrg(owner))) {
        await directory.createOrg({ id: owner, name: `Organization of ${a.domain}` });
        await directory.claimDomain(owner, a.domain, 'seed');
      }
    }
    inputs.push({ id: a.id, email: a.email, emailVerified: a.emailVerified, type: a.type, firstName: a.firstName, lastName: a.lastName, userName: `${a.username || a.email}#${a.id}`, status: a.status, ...(owner ? { orgId: owner } : {}) });
  }
  for (let i = 0; i < inputs.length; i += 5000) await directory.createAccounts(inputs.slice(i, i + 5000));
}

interface WorkerReport { migrated: number; failed: number; ms: number; peakRssMb: number; cpuMs: number }

function spawnWorker(options: StoreOptions, subscription: string, orgId: string, worker: string): Promise<WorkerReport> {
  const prof = values['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${values['cpu-prof']}`] : [];
  const args = [...prof, process.argv[1]!, '--child', JSON.stringify(options), '--subscription', subscription, '--org', orgId, '--worker', worker, '--batch-size', values['batch-size']!, ...(values.concurrency ? ['--concurrency', values.concurrency] : []), ...(values.synchronous ? ['--synchronous', values.synchronous] : [])];
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    p.on('error', reject);
    p.on('exit', (code) => {
      if (code !== 0) reject(new Error(`worker ${worker} exited with ${code}: ${out}`));
      else resolve(JSON.parse(out.trim().split('\n').at(-1)!) as WorkerReport);
    });
  });
}

/** One worker process: the user phase, measured from inside; prints its report as the last line. */
async function child(options: StoreOptions): Promise<void> {
  await using store = await openStore(options);
  // What a commit waits for on SQLite (default FULL: an fsync of the WAL per commit; NORMAL: at checkpoints only,
  // still safe against a killed process, may lose the last commits on power loss).
  if (options.kind === 'sqlite' && values.synchronous) await sql.raw(`pragma synchronous = ${['normal', 'off'].includes(values.synchronous) ? values.synchronous : 'full'}`).execute(store.kysely);
  const ports = embeddedEnginePorts({ store, orgId: values.org!, issuer: ISSUER, actor: `bench:${values.worker}` });
  const subscriptionId = values.subscription!;
  const cpu = process.cpuUsage();
  const batchSize = Number(values['batch-size']);
  const r = await measure(async () => {
    if (options.kind === 'sqlite') return runUserPhase({ subscriptionId, batchSize, ...(values.concurrency ? { concurrency: Number(values.concurrency) } : {}) }, ports);
    // What `rehome worker --until-idle` runs: jobs from the queue, until nothing is queued or running.
    return runWorker({
      store, connectionString: options.url, concurrency: Number(values.concurrency ?? 1), batchSize, untilIdle: true, pollMs: 250,
      portsFor: (m, actor) => embeddedEnginePorts({ store, orgId: m.org_id ?? '', issuer: ISSUER, actor }),
    });
  });
  const used = process.cpuUsage(cpu);
  console.log(JSON.stringify({ migrated: r.result.migrated, failed: r.result.failed, ms: r.ms, peakRssMb: r.peakRssMb, cpuMs: (used.user + used.system) / 1000 }));
}

/** Rows and indexes (primary key included) of every table of the store, to count what the phase writes per user. */
async function tableRows(options: StoreOptions): Promise<Map<string, { rows: number; indexes: number }>> {
  await using store = await openStore(options);
  const out = new Map<string, { rows: number; indexes: number }>();
  const tables = options.kind === 'sqlite'
    ? (await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like '%_fts%'`.execute(store.kysely)).rows.map((r) => r.name)
    : (await sql<{ name: string }>`select tablename as name from pg_tables where schemaname = 'public'`.execute(store.kysely)).rows.map((r) => r.name);
  for (const t of tables) {
    const rows = Number((await sql<{ n: number }>`select count(*) as n from ${sql.table(t)}`.execute(store.kysely)).rows[0]!.n);
    const indexes = options.kind === 'sqlite'
      ? Number((await sql<{ n: number }>`select count(*) as n from sqlite_master where type = 'index' and tbl_name = ${t}`.execute(store.kysely)).rows[0]!.n)
      : Number((await sql<{ n: number }>`select count(*) as n from pg_indexes where schemaname = 'public' and tablename = ${t}`.execute(store.kysely)).rows[0]!.n);
    out.set(t, { rows, indexes });
  }
  return out;
}

/** CPU (user + system, ms) of every PostgreSQL server process on this machine, from /proc. */
function postgresServerCpuMs(): number {
  const tick = 1000 / 100; // USER_HZ is 100 on Linux
  let total = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (name !== 'postgres') continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      total += (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) * tick;
    } catch { /* the process ended meanwhile */ }
  }
  return total;
}

async function adminQuery(text: string): Promise<void> {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(text);
  } finally {
    await admin.end();
  }
}
