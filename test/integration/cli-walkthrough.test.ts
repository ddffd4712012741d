import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addDays, localDate } from '../../src/core/migration/schedule.ts';
import { openStore } from '../../src/app/rehome-store.ts';
import { storeSupportReports } from '../../src/app/store-support-reports.ts';

// The README walk-through, command by command, as a person runs it: import to done with the CLI alone.
const root = new URL('../../', import.meta.url).pathname;
const ex = (f: string) => join(root, 'examples/acme', f);

test('README walk-through: import -> plan -> link -> schedule -> migrate -> skip -> confirm -> tickets -> verify', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rehome-walk-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const rh = (...args: string[]) => {
    const r = spawnSync(process.execPath, [join(root, 'bin/rehome.ts'), ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, REHOME_STORE: '', REHOME_DATABASE_URL: '', REHOME_PRODUCT_URL: '' } });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };
  const ok = (r: { code: number | null; out: string; err: string }, code = 0) => { assert.equal(r.code, code, `${r.out}\n${r.err}`); return r; };
  const sub = '123-ABC-456';

  ok(rh('import', '--users', ex('users.csv'), '--ims', ex('ims-directory.csv'), '--subscription', ex('subscription.json')));
  assert.match(ok(rh('plan', '--subscription', sub, '--out', 'plan.json')).out, /admins first: 1001/);
  assert.match(ok(rh('migrate', '--plan', 'plan.json', '--dry-run')).out, /dry run: nothing changes/);
  ok(rh('migrate', '--plan', 'plan.json'), 2); // the organization exists (the import mirrored its export): consent first
  assert.match(ok(rh('migrate', '--plan', 'plan.json', '--consent')).out, /product_linked/);
  ok(rh('schedule', '--subscription', sub, '--date', addDays(localDate(new Date(), 'America/Los_Angeles'), 3)), 2);
  assert.match(ok(rh('schedule', '--subscription', sub, '--date', addDays(localDate(new Date(), 'America/Los_Angeles'), 10))).out, /starts/);
  // Admins first: the ready admins move, the others wait for admin 1003 (unverified) until someone decides about them.
  const admins = ok(rh('migrate', '--subscription', sub)).out;
  assert.match(admins, /migrated 2, failed 0 of 2 attempted/);
  assert.match(admins, /the other users wait: admins migrate first, and Ken Lamarr \(1003\) is neither migrated nor skipped/);
  const refused = rh('skip', '--subscription', sub, '--users', '1003', '--reason', 'no verified address');
  assert.equal(refused.code, 3, 'skipping an admin needs a second confirmation');
  assert.match(refused.out, /1003: Ken Lamarr \(1003\) is an admin of the subscription: skipping an admin needs a second confirmation \(--confirm-admins\)/);
  const early = rh('migrate', '--subscription', sub, '--users', '1010');
  assert.equal(early.code, 2);
  assert.match(early.err, /admins_first/);
  ok(rh('skip', '--subscription', sub, '--users', '1003', '--reason', 'no verified address', '--confirm-admins'));
  const migrated = ok(rh('migrate', '--subscription', sub)).out;
  assert.match(migrated, /migrated \d+, failed 0/);
  assert.doesNotMatch(migrated, /wait/);
  const status = JSON.parse(ok(rh('status', '--subscription', sub, '--format', 'json')).out);
  assert.equal(status.state, 'users_in_progress');
  assert.ok(status.progress.migration.done > 200);
  ok(rh('confirm', '--subscription', sub, '--yes'), 2); // users still unverified or blocked: not complete
  ok(rh('skip', '--subscription', sub, '--state', 'needs_email_verification,blocked', '--reason', 'not verified before the deadline'));
  ok(rh('confirm', '--subscription', sub), 2); // must accept that skipped users lose access
  ok(rh('confirm', '--subscription', sub, '--yes'));
  ok(rh('rollback', '--subscription', sub, '--force'), 2); // confirmed: no rollback
  assert.match(ok(rh('tickets', '--subscription', sub, '--file', ex('tickets.jsonl'))).out, /60/);
  const done = JSON.parse(ok(rh('status', '--subscription', sub, '--format', 'json')).out);
  assert.equal(done.state, 'done');
  assert.equal(done.progress.migration.percent, 100);
  // Access before (the stored snapshot) and after (the product's export): nothing lost, and the console can show it.
  assert.match(ok(rh('verify', '--before-stored', sub, '--after', ex('users.csv'))).out, /no|0/i);
  await using store = await openStore({ kind: 'sqlite', path: join(dir, '.rehome/rehome.db') });
  const reports = storeSupportReports(store.kysely);
  assert.equal((await reports.accessDiff!(sub))?.summary.anyLoss, false);
  assert.deepEqual(await reports.tickets!(sub), { total: 60, migrated: 60, failed: 0 });
});
