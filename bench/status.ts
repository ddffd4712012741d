// Status and console at a million users. Builds one subscription of N users directly in the store (server-side
// generation: a recursive CTE on SQLite, generate_series on PostgreSQL, 100,000 rows a statement, so the triggers
// of migration 0015 run as they would for bulk writes), with a realistic mix of states, failures, reasons, admins and
// users without a usable address, and the plan stored with it (hundreds of megabytes of JSON, as a real plan). Then
// times what a person waits for, through the same functions the CLI and the console's routes call:
//   rehome status (migrationStatus), the Migration Status tab (its page route, rendered), the User Migration tab
//   (first page, a page deep in the table, the last page, a state filter, a reason filter, a search, a sort).
// Each is run cold (a fresh console cache) once, then 5 times warm; the table shows the cold time and the warm median.
// The script only uses functions whose signatures predate 0015, so the same file runs on an older checkout for the
// "before" figures (keyset links are ignored there; the deep page is asked for by `page=` as well).
// Usage: node bench/status.ts [--users 1000000] [--store sqlite,postgres] [--keep]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { DEFAULT_SCHEDULE_RULES } from '../src/core/migration/schedule.ts';
import { migrationStatus } from '../src/app/actions/migration-status.ts';
import type { RehomeApp } from '../src/app/compose.ts';
import { openStore, type StoreAdapter, type StoreOptions } from '../src/app/rehome-store.ts';
import type { ConsoleContext, SubscriptionRequest } from '../src/console/console-context.ts';
import { PAGES } from '../src/console/routes/page-routes.ts';
import { createSubscriptionData } from '../src/console/subscription-data.ts';
import { describeMachine, measure } from './machine.ts';

const ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const SUB = 'BENCH-1000';
const { values } = parseArgs({ options: { users: { type: 'string', default: '1000000' }, store: { type: 'string', default: 'sqlite,postgres' }, keep: { type: 'boolean', default: false } } });
const N = Number(values.users);

console.log(describeMachine());
const dir = mkdtempSync(join(tmpdir(), 'rehome-bench-status-'));
const table: string[] = [];
try {
  for (const kind of values.store!.split(',') as ('sqlite' | 'postgres')[]) {
    const database = `rehome_bench_status_${process.pid}`;
    const options: StoreOptions = kind === 'sqlite' ? { kind, path: join(dir, 'status.db') } : { kind, url: `postgres://postgres@127.0.0.1:5432/${database}` };
    if (kind === 'postgres') await admin(`create database ${database}`);
    try {
      await using store = await openStore(options);
      const built = await measure(() => build(store, kind));
      console.log(`\n== ${kind}: ${N.toLocaleString('en')} users built in ${(built.ms / 1000).toFixed(1)} s (plan ${(built.result / 2 ** 20).toFixed(0)} MB)`);
      for (const [label, run] of cases(store)) {
        const cold = await measure(run);
        const warm: number[] = [];
        for (let i = 0; i < 5; i++) warm.push((await measure(run)).ms);
        const median = warm.sort((a, b) => a - b)[2]!;
        const line = `${kind.padEnd(8)}  ${label.padEnd(50)} ${cold.ms.toFixed(1).padStart(9)} ${median.toFixed(1).padStart(9)}  ${cold.result}`;
        console.log(line);
        table.push(line);
      }
    } finally {
      if (kind === 'postgres' && !values.keep) await admin(`drop database if exists ${database} with (force)`);
    }
  }
} finally {
  if (!values.keep) rmSync(dir, { recursive: true, force: true });
}
console.log(`\n${'store'.padEnd(8)}  ${'what'.padEnd(50)} ${'cold ms'.padStart(9)} ${'warm ms'.padStart(9)}  what came back`);
for (const line of table) console.log(line);

/** What is timed: each returns a short description of its answer (so a wrong answer shows beside its time). */
function cases(store: StoreAdapter): [string, () => Promise<string>][] {
  const app = { store } as unknown as RehomeApp;
  let data = createSubscriptionData({ store });
  const ctx = () => ({
    app, store, data, now: () => new Date('2026-06-01T00:00:00Z'), rules: DEFAULT_SCHEDULE_RULES,
    runs: { status: () => ({ running: false, queued: 0, migrated: 0, failed: 0, lastError: null }) },
  }) as unknown as ConsoleContext;
  const session = { idHash: 'x', kind: 'ims', subject: 's', displayName: 'Bench', subscriptionId: null, csrf: 'c', actor: 'admin:s' };
  const page = async (path: string, qs: string) => {
    const r: SubscriptionRequest = { session, subscriptionId: SUB, url: new URL(`http://127.0.0.1/console/s/${SUB}${path}?${qs}`) } as SubscriptionRequest;
    const out = await PAGES[path]!(ctx(), r, { id: SUB, name: 'Bench' } as never);
    const html = String(out.body);
    return /<p id="table-summary">([^<.]*)/.exec(html)?.[1] ?? /data-live-text="migration">([^<]*)/.exec(html)?.[1] ?? `${html.length} bytes`;
  };
  // A cursor and a page number for the same place, 90% down the table: the keyset reads the one, OFFSET the other.
  const deep = Math.floor(N * 0.9 / 50) * 50;
  const deepUser = `u${String(deep - 1).padStart(7, '0')}`;
  const deepQs = `after=${Buffer.from(JSON.stringify([null, deepUser])).toString('base64url')}&page=${deep / 50 + 1}`;
  return [
    ['rehome status (migrationStatus)', async () => { const s = await migrationStatus(app, SUB); return `${s.progress.migration.done} done, ${s.errors.length} failure codes`; }],
    ['Migration Status tab (route + render)', async () => { data = createSubscriptionData({ store }); return page('/status', ''); }],
    ['User Migration tab, first page', () => page('/users', '')],
    [`User Migration tab, page ${deep / 50 + 1} (90% down)`, () => page('/users', deepQs)],
    ['User Migration tab, last page', () => page('/users', 'last=1&page=20000')],
    ['User Migration tab, filter state=failed', () => page('/users', 'state=failed')],
    ['User Migration tab, filter reason=email_unverified', () => page('/users', 'reason=email_unverified')],
    ['User Migration tab, sort by email', () => page('/users', 'sort=email')],
    ['User Migration tab, sort by activity desc', () => page('/users', 'sort=activity&dir=desc')],
    ['User Migration tab, search "first4242.last"', () => page('/users', 'q=first4242.last')],
    ['User Migration tab, search "@d17.exa" (many)', () => page('/users', 'q=%40d17.exa')],
    ['User Migration tab, search "zzq" (none)', () => page('/users', 'q=zzq')],
  ];
}

/** Fills the store; returns the plan's size in bytes. */
async function build(store: StoreAdapter, kind: 'sqlite' | 'postgres'): Promise<number> {
  const db = store.kysely as Kysely<any>;
  const at = '2026-05-01T00:00:00.000Z';
  await db.insertInto('subscriptions').values({ id: SUB, name: 'Bench', data: JSON.stringify({ id: SUB, name: 'Bench', timeZone: 'Europe/Berlin', imsOrg: { id: 'org-bench', name: 'Bench', claimedDomains: [] } }), updated_at: at }).execute();
  // States by i % 100: 45% migrated, 5% activated, 25% eligible, 9% awaiting verification, 6% blocked, 3% staying
  // local, 2% failed (three codes), 2% skipped, 1% not migrated, 2% migrating; an admin in 10,000; 0.1% no address.
  const state = `case when m < 40 or m >= 95 then 'migrated' when m < 45 then 'activated' when m < 70 then 'eligible' when m < 79 then 'needs_email_verification'
    when m < 85 then 'blocked' when m < 88 then 'stays_local' when m < 90 then 'failed' when m < 92 then 'skipped' when m = 92 then 'not_migrated' else 'migrating' end`;
  const code = `case when m in (88, 89) then (case i % 3 when 0 then 'idp_throttled' when 1 then 'plan_drift' else 'idp_unavailable' end) end`;
  const email = kind === 'sqlite' ? `'first' || i || '.last' || (i % 997) || '@d' || (i % 50) || '.example'` : `'first' || i || '.last' || (i % 997) || '@d' || (i % 50) || '.example'`;
  const userId = kind === 'sqlite' ? `printf('u%07d', i)` : `'u' || lpad(i::text, 7, '0')`;
  const updated = kind === 'sqlite' ? `strftime('%Y-%m-%dT%H:%M:%fZ', 1777593600 + (i * 7919) % 2592000, 'unixepoch')`
    : `to_char(timestamp '2026-05-01' + ((i::bigint * 7919) % 2592000) * interval '1 second', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
  const columns = 'subscription_id, user_id, state, action, admin, email, normalized_email, first_name, last_name, account_type, attempt, error_code, error_message, retryable, updated_at';
  const select = (from: number, to: number) => kind === 'sqlite'
    ? `with recursive s(i) as (select ${from} union all select i + 1 from s where i < ${to - 1}), g as (select i, i % 100 as m from s)
       insert into mig_users (${columns}) select '${SUB}', ${userId}, ${state}, 'create', i % 10000 = 0, ${email}, case when i % 1000 = 999 then null else ${email} end,
       'First' || (i % 5000), 'Last' || (i % 7919), 'personal', 0, ${code}, case when m in (88, 89) then 'the IdP said no to user ' || i end, 0, ${updated} from g`
    : `insert into mig_users (${columns}) select '${SUB}', ${userId}, ${state}, 'create', (i % 10000 = 0)::int, ${email}, case when i % 1000 = 999 then null else ${email} end,
       'First' || (i % 5000), 'Last' || (i % 7919), 'personal', 0, ${code}, case when m in (88, 89) then 'the IdP said no to user ' || i end, 0, ${updated}
       from (select i, i % 100 as m from generate_series(${from}, ${to - 1}) i) g`;
  await db.transaction().execute(async (tx) => {
    for (let from = 0; from < N; from += 100_000) await sql.raw(select(from, Math.min(N, from + 100_000))).execute(tx);
  });
  const reasonOf = `case state when 'needs_email_verification' then 'email_unverified' when 'blocked' then 'invalid_email' end`;
  const hasReasons = (await sql<{ n: number }>`select count(*) as n from rehome_migrations where name = '0015_console_at_scale'`.execute(db)).rows[0]!.n > 0;
  if (hasReasons) await sql.raw(`insert into mig_user_reasons (subscription_id, user_id, reason) select subscription_id, user_id, ${reasonOf} from mig_users where state in ('needs_email_verification', 'blocked')`).execute(db);
  // The plan as planMigration writes it (the same fields per user), built by the database from the rows.
  const planSql = kind === 'sqlite'
    ? `select json_object('version', 1, 'subscriptionId', '${SUB}', 'subscriptionName', 'Bench', 'timeZone', 'Europe/Berlin', 'snapshotId', 'snap-1', 'snapshotDigest', 'digest-1',
        'mode', 'self_service', 'passwordStrategy', 'invite', 'users', json_group_array(json_object('userId', user_id, 'email', email, 'normalizedEmail', normalized_email,
        'firstName', first_name, 'lastName', last_name, 'admin', json(case when admin = 1 then 'true' else 'false' end), 'action', action, 'imsAccountId', null, 'accountType', account_type,
        'initialState', state, 'grants', json_array(json_object('profile', 'default', 'role', 'user')), 'reasons', json(case when ${reasonOf} is null then '[]' else json_array(${reasonOf}) end)))) as plan from mig_users`
    : `select json_build_object('version', 1, 'subscriptionId', '${SUB}', 'subscriptionName', 'Bench', 'timeZone', 'Europe/Berlin', 'snapshotId', 'snap-1', 'snapshotDigest', 'digest-1',
        'mode', 'self_service', 'passwordStrategy', 'invite', 'users', json_agg(json_build_object('userId', user_id, 'email', email, 'normalizedEmail', normalized_email,
        'firstName', first_name, 'lastName', last_name, 'admin', admin = 1, 'action', action, 'imsAccountId', null, 'accountType', account_type,
        'initialState', state, 'grants', json_build_array(json_build_object('profile', 'default', 'role', 'user')), 'reasons', case when ${reasonOf} is null then '[]'::json else json_build_array(${reasonOf}) end)))::text as plan from mig_users`;
  await sql.raw(`insert into mig_subscriptions (subscription_id, state, plan, snapshot_id, snapshot_digest, mode, extensions, starts_at, window_expires_at, migration_date, created_at, updated_at)
    select '${SUB}', 'users_in_progress', plan, 'snap-1', 'digest-1', 'self_service', 0, '2026-05-10T22:00:00.000Z', '2026-06-09T22:00:00.000Z', '2026-05-11', '${at}', '${at}' from (${planSql}) p`).execute(db);
  await sql.raw(kind === 'sqlite' ? 'analyze' : 'analyze').execute(db);
  return Number((await sql<{ n: number }>`select length(plan) as n from mig_subscriptions where subscription_id = ${SUB}`.execute(db)).rows[0]!.n);
}

async function admin(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}
