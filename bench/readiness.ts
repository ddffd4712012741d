// Readiness at scale: generates N users (default 1,000,000) with every readiness case mixed in, then times
//   1. the in-memory path: parse the users CSV + IMS CSV and decide readiness;
//   2. import into SQLite (saveSnapshot) and readiness from the stored snapshot;
//   3. the same on PostgreSQL (127.0.0.1:5432; skipped with a note when unreachable).
// Usage: npm run bench -- [--users N] [--skip-postgres]
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { generatePopulation } from '../src/population/generate-population.ts';
import { writeProductUsersCsv } from '../src/exporters/product-users-csv.ts';
import { writeImsDirectoryCsv } from '../src/exporters/ims-directory-csv.ts';
import { parseProductUsersCsv } from '../src/importers/product-users.ts';
import { parseImsDirectoryCsv } from '../src/importers/ims-directory.ts';
import { planReadiness } from '../src/core/readiness/plan-readiness.ts';
import { openStore, type StoreAdapter } from '../src/app/rehome-store.ts';
import { describeMachine, measure } from './machine.ts';

const { values } = parseArgs({ options: { users: { type: 'string', default: '1000000' }, 'skip-postgres': { type: 'boolean', default: false } } });
const n = Number(values.users);
console.log(describeMachine());
console.log(`users: ${n.toLocaleString('en')}`);

const dir = mkdtempSync(join(tmpdir(), 'rehome-bench-'));
// Generate and write the files, then let the generated objects go: the measured path starts from files, as the CLI does.
const { subscription, accountCount, genMs } = await (async () => {
  const gen = await measure(() => generatePopulation({ users: n, seed: 1 }));
  writeFileSync(join(dir, 'users.csv'), writeProductUsersCsv(gen.result.users, ['department']));
  writeFileSync(join(dir, 'ims.csv'), writeImsDirectoryCsv(gen.result.imsAccounts));
  return { subscription: gen.result.subscription, accountCount: gen.result.imsAccounts.length, genMs: gen.ms };
})();
(globalThis as { gc?: () => void }).gc?.();
let usersText: string | undefined = readFileSync(join(dir, 'users.csv'), 'utf8');
let imsText: string | undefined = readFileSync(join(dir, 'ims.csv'), 'utf8');
console.log(`generated in ${(genMs / 1000).toFixed(1)} s; users.csv ${(usersText.length / 2 ** 20).toFixed(0)} MB, ${accountCount.toLocaleString('en')} IMS accounts`);

const row = (label: string, ms: number, rss: number) =>
  console.log(`${label.padEnd(40)} ${(ms / 1000).toFixed(2).padStart(7)} s ${Math.round(n / (ms / 1000)).toLocaleString('en').padStart(12)} users/s  peak RSS ${rss.toFixed(0)} MB`);

const parse = await measure(() => ({
  users: parseProductUsersCsv(usersText!, 'users.csv'),
  accounts: parseImsDirectoryCsv(imsText!, 'ims.csv', { claimedDomains: subscription.imsOrg.claimedDomains }),
}));
usersText = imsText = undefined; // the CLI drops the file text once parsed
row('in-memory: parse CSV', parse.ms, parse.peakRssMb);
const plan = await measure(() => planReadiness({ subscriptions: [{ subscription, users: parse.result.users }], ims: { accounts: parse.result.accounts } }));
row('in-memory: readiness', plan.ms, plan.peakRssMb);
row('in-memory: parse + readiness (target < 10 s)', parse.ms + plan.ms, Math.max(parse.peakRssMb, plan.peakRssMb));
console.log(`  statuses: ${JSON.stringify(plan.result.summary.byStatus)}`);

async function storeRun(label: string, store: StoreAdapter): Promise<void> {
  const imp = await measure(() => store.saveSnapshot({ subscription, users: parse.result.users, ims: { accounts: parse.result.accounts }, sources: {}, at: new Date().toISOString() }));
  row(`${label}: import (saveSnapshot)`, imp.ms, imp.peakRssMb);
  const load = await measure(() => store.loadSnapshot({ subscriptionId: subscription.id }));
  row(`${label}: load snapshot`, load.ms, load.peakRssMb);
  const snap = load.result!;
  const rd = await measure(() => planReadiness({ subscriptions: [{ subscription: snap.subscription, users: snap.users }], ims: snap.ims }));
  row(`${label}: readiness from stored snapshot`, rd.ms, rd.peakRssMb);
}

{
  await using sqlite = await openStore({ kind: 'sqlite', path: join(dir, 'bench.db') });
  await storeRun('sqlite', sqlite);
}
if (!values['skip-postgres']) {
  const admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
  const db = `rehome_bench_${process.pid}`;
  try {
    await admin.connect();
    await admin.query(`CREATE DATABASE ${db}`);
    try {
      await using store = await openStore({ kind: 'postgres', url: `postgres://postgres@127.0.0.1:5432/${db}` });
      await storeRun('postgres', store);
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${db}`);
    }
  } catch (e) {
    console.log(`postgres: skipped (${(e as Error).message})`);
  } finally {
    await admin.end().catch(() => {});
  }
}
rmSync(dir, { recursive: true, force: true });
