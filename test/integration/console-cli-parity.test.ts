// One system behind every face: the same migration pressed from the CLI (`rehome ...` processes) and from the
// console of the composed server (`startRehomeServer`, as `rehome serve` runs it) on twin stores leaves the same
// rows — IMS accounts, memberships, migration states, invitations, audit — ids, actors and timestamps aside.
// Runs on SQLite and on the local PostgreSQL.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { buildConfig } from '../../src/config/config.ts';
import { addDays, localDate } from '../../src/core/migration/schedule.ts';
import { createBootstrapLink } from '../../src/console/bootstrap.ts';
import { startRehomeServer } from '../../src/server/rehome-server.ts';
import { postgresTestDatabase, sqliteTestDatabase, type TestDatabase } from '../e2e/support/test-databases.ts';

const root = new URL('../../', import.meta.url).pathname;
const ex = (f: string) => join(root, 'examples/acme', f);
const SUB = '123-ABC-456';
const SECRETS = { REHOME_IMS_COOKIE_KEYS: 'parity-cookie-key-0123456789abcdef0123', REHOME_IMS_LINK_SECRET: 'parity-link-secret-0123456789abcdef0123' };
const dirs: string[] = [];
after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

function envOf(db: TestDatabase): Record<string, string> {
  return db.options.kind === 'postgres'
    ? { REHOME_STORE: 'postgres', REHOME_DATABASE_URL: db.options.url }
    : { REHOME_STORE: 'sqlite', REHOME_DATABASE_URL: '' };
}

/** `rehome ...` as an operator runs it: its own process, configured from the environment and flags. */
function cli(db: TestDatabase, cwd: string, ...args: string[]): string {
  const dbFlag = db.options.kind === 'sqlite' ? ['--db', db.options.path] : [];
  const r = spawnSync(process.execPath, [join(root, 'bin/rehome.ts'), ...args, ...dbFlag], { cwd, encoding: 'utf8', env: { ...process.env, ...envOf(db), ...SECRETS, REHOME_PRODUCT_URL: '', REHOME_SMTP_HOST: '' } });
  assert.ok(r.status === 0 || r.status === 3, `rehome ${args.join(' ')}: exit ${r.status}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** The rows a migration leaves, with generated ids replaced by the emails they stand for and times dropped. */
async function rowsOf(db: Kysely<any>) {
  const accounts = await db.selectFrom('ims_accounts').select(['id', 'email', 'email_verified', 'type', 'owner_org_id', 'status', 'password_hash']).execute();
  const emailOf = new Map(accounts.map((a) => [a.id as string, a.email as string]));
  const sorted = <T>(xs: T[]) => xs.map((x) => JSON.stringify(x)).sort();
  return {
    subscription: await db.selectFrom('mig_subscriptions').select(['state', 'mode', 'org_id', 'migration_date', 'extensions']).where('subscription_id', '=', SUB).executeTakeFirst(),
    users: sorted((await db.selectFrom('mig_users').select(['user_id', 'state', 'action', 'account_type', 'ims_subject', 'error_code', 'skip_reason']).where('subscription_id', '=', SUB).execute())
      .map((u) => ({ ...u, ims_subject: u.ims_subject ? emailOf.get(u.ims_subject) ?? 'unknown' : null }))),
    accounts: sorted(accounts.map((a) => ({ email: a.email, verified: Number(a.email_verified), type: a.type, org: a.owner_org_id, status: a.status, password: a.password_hash !== null }))),
    members: sorted((await db.selectFrom('ims_org_members').select(['org_id', 'account_id', 'external_id']).execute()).map((m) => ({ ...m, account_id: emailOf.get(m.account_id) }))),
    mails: sorted((await db.selectFrom('mail_messages').select(['to_addr', 'subject']).execute())),
    audit: sorted((await db.selectFrom('audit_log').select(['action', 'target']).where('subscription_id', '=', SUB).execute())
      // What only a face does (sign-in, "requested" notes) is not part of the action itself.
      .filter((a) => !String(a.action).startsWith('console:') && !String(a.action).startsWith('server:'))
      .map((a) => ({ ...a, target: String(a.target).replace(/^[0-9a-f-]{36}$/, '<generated id>') }))),
  };
}

async function parity(label: string, makeDb: () => Promise<TestDatabase>) {
  const [a, b] = [await makeDb(), await makeDb()];
  const cwd = mkdtempSync(join(tmpdir(), `rehome-parity-${label}-`));
  dirs.push(cwd);
  try {
    for (const db of [a, b]) cli(db, cwd, 'import', '--users', ex('users.csv'), '--ims', ex('ims-directory.csv'), '--subscription', ex('subscription.json'));
    const date = addDays(localDate(new Date(), 'America/Los_Angeles'), 10);

    // Face 1, the CLI: plan, link (phase 1), schedule, migrate some users, skip one.
    cli(a, cwd, 'plan', '--subscription', SUB, '--out', join(cwd, 'plan.json'));
    cli(a, cwd, 'migrate', '--plan', join(cwd, 'plan.json'), '--consent');
    cli(a, cwd, 'schedule', '--subscription', SUB, '--date', date);
    const storeA = await a.open();
    const eligible = (await storeA.kysely.selectFrom('mig_users').select(['user_id', 'admin']).where('subscription_id', '=', SUB).where('state', '=', 'eligible').orderBy('user_id').execute());
    const chosen = [...eligible.filter((u) => u.admin).map((u) => u.user_id), ...eligible.filter((u) => !u.admin).slice(0, 4).map((u) => u.user_id)];
    const skipped = eligible.filter((u) => !u.admin).at(-1)!.user_id;
    assert.ok(chosen.length >= 3, 'the example has eligible admins and users');
    // Admins first: the admins who cannot move now (not verified) are skipped with the second confirmation.
    const waitingAdmins = (await storeA.kysely.selectFrom('mig_users').select('user_id').where('subscription_id', '=', SUB).where('admin', '=', 1)
      .where('state', 'in', ['needs_email_verification', 'blocked']).orderBy('user_id').execute()).map((u) => u.user_id as string);
    assert.ok(waitingAdmins.length > 0, 'the example has an admin who cannot move (Ken Lamarr, 1003)');
    cli(a, cwd, 'skip', '--subscription', SUB, '--users', waitingAdmins.join(','), '--reason', 'no verified address', '--confirm-admins');
    cli(a, cwd, 'migrate', '--subscription', SUB, '--users', chosen.join(','));
    cli(a, cwd, 'skip', '--subscription', SUB, '--users', skipped, '--reason', 'left the company');

    // Face 2, the console of the composed server, pressed as an admin would.
    const storeB = await b.open();
    const config = buildConfig({ env: { ...envOf(b), ...SECRETS }, flags: { 'server.port': 0, ...(b.options.kind === 'sqlite' ? { 'store.path': b.options.path } : {}) } });
    const server = await startRehomeServer({ config, store: storeB, port: 0 });
    try {
      const link = await createBootstrapLink(storeB, SUB);
      const signedIn = await fetch(`${server.url}/console/bootstrap`, { method: 'POST', body: new URLSearchParams({ token: new URL(link.path, server.url).searchParams.get('token')! }), redirect: 'manual' });
      const cookie = signedIn.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
      const page = await (await fetch(`${server.url}/console/s/${SUB}`, { headers: { cookie } })).text();
      const csrf = /name="csrf" value="([^"]+)"/.exec(page)![1]!;
      const press = async (path: string, fields: [string, string][]) => {
        const r = await fetch(`${server.url}/console/s/${SUB}${path}`, { method: 'POST', headers: { cookie }, body: new URLSearchParams([['csrf', csrf], ...fields]), redirect: 'manual' });
        assert.equal(r.status, 303, `${path}: ${await r.text()}`);
      };
      await press('/link', [['consent', 'yes']]);
      await press('/schedule', [['date', date]]);
      // Skipping an admin asks a second time (a page, nothing changed), then the answer posts confirm_admins=yes.
      const skipAdmins: [string, string][] = [['action', 'skip'], ['reason', 'no verified address'], ...waitingAdmins.map((u): [string, string] => ['user', u])];
      const asked = await fetch(`${server.url}/console/s/${SUB}/users/action`, { method: 'POST', headers: { cookie }, body: new URLSearchParams([['csrf', csrf], ...skipAdmins]), redirect: 'manual' });
      assert.equal(asked.status, 200);
      assert.match(await asked.text(), /Ken Lamarr \(1003\) is an admin of the subscription\./);
      await press('/users/action', [...skipAdmins, ['confirm_admins', 'yes']]);
      await press('/users/action', [['action', 'migrate'], ...chosen.map((u): [string, string] => ['user', u])]);
      await server.console.runs.idle();
      await press('/users/action', [['action', 'skip'], ['reason', 'left the company'], ['user', skipped]]);
    } finally {
      await server.close();
    }

    const [ra, rb] = [await rowsOf(storeA.kysely), await rowsOf(storeB.kysely)];
    assert.ok(ra.users.some((u) => u.includes('"state":"migrated"')), 'users migrated');
    assert.ok(ra.mails.length > 0, 'invitations were mailed');
    for (const k of Object.keys(ra) as (keyof typeof ra)[]) assert.deepEqual(rb[k], ra[k], `${label}: ${k} differ between the console and the CLI`);
    await storeA[Symbol.asyncDispose]();
    await storeB[Symbol.asyncDispose]();
  } finally {
    await a.drop();
    await b.drop();
  }
}

test('console and CLI leave the same rows (SQLite)', () => parity('sqlite', async () => sqliteTestDatabase('parity')));
test('console and CLI leave the same rows (PostgreSQL)', () => parity('postgres', () => postgresTestDatabase('parity')));
