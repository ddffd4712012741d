// The plan is the contract, through the CLI people run (real `rehome` processes on one SQLite store): when the
// IMS changes under a plan — the account a user was to be linked to vanished, a verified account appeared for a
// user the plan said to create — apply does not guess: those users fail with `plan_drift`, counted under that code
// by `rehome status`, and nobody is linked to an account the plan did not name. The documented way out works:
// export the IMS as it is, import it, plan again; the new plan re-decides only the users who have not moved.
// Both engine paths (per user, and `--batch`) hold the same rule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { example as ex, runRehome, tempDir } from '../support/rehome-cli.ts';
import { openStore } from '../../src/app/rehome-store.ts';
import { createStoreImsDirectory } from '../../src/ims/directory/store-ims-directory.ts';
import { imsDb } from '../../src/ims/ims-tables.ts';
import { addDays, localDate } from '../../src/core/migration/schedule.ts';

const SUB = '123-ABC-456';

for (const batch of [false, true]) {
  test(`plan_drift ${batch ? '(batched path)' : '(per-user path)'}: a vanished target and a new verified account stop those users; a new plan resolves them`, async (t) => {
    const dir = tempDir(t, 'rehome-drift-');
    const rh = (...args: string[]) => runRehome(args, dir);
    const ok = (r: { code: number | null; out: string; err: string }) => { assert.equal(r.code, 0, `${r.out}\n${r.err}`); return r; };
    const status = () => JSON.parse(ok(rh('status', '--subscription', SUB, '--format', 'json')).out) as { byState: Record<string, number>; errors: { code: string; count: number; example: string }[] };

    ok(rh('import', '--users', ex('users.csv'), '--ims', ex('ims-directory.csv'), '--subscription', ex('subscription.json')));
    ok(rh('plan', '--subscription', SUB, '--out', 'plan.json'));
    ok(rh('migrate', '--plan', 'plan.json', '--consent'));
    ok(rh('schedule', '--subscription', SUB, '--date', addDays(localDate(new Date(), 'America/Los_Angeles'), 10)));
    const plan = JSON.parse(ok(rh('plan', '--subscription', SUB, '--format', 'json')).out) as { users: { userId: string; action: string; imsAccountId: string | null; normalizedEmail: string; accountType: string; admin: boolean }[] };
    // Admins first: the admin who cannot move now is skipped, confirmed twice, so that the others may move.
    const waiting = plan.users.filter((u) => u.admin && !['link', 'create', 'invite'].includes(u.action)).map((u) => u.userId);
    ok(rh('skip', '--subscription', SUB, '--users', waiting.join(','), '--reason', 'no verified address', '--confirm-admins'));
    const linker = plan.users.find((u) => u.action === 'link' && !u.admin && u.accountType === 'personal')!;
    const creator = plan.users.find((u) => u.action === 'invite' && !u.admin && u.accountType === 'personal')!;

    // The IMS changes after the plan: the linker's account is deleted; someone verifies the creator's address.
    {
      await using store = await openStore({ kind: 'sqlite', path: join(dir, '.rehome', 'rehome.db') });
      const directory = createStoreImsDirectory(store);
      await directory.deleteAccount(linker.imsAccountId!);
      await directory.createAccount({ id: 'appeared-after-the-plan', email: creator.normalizedEmail, emailVerified: true, userName: 'appeared' });
    }
    const run = rh('migrate', '--subscription', SUB, ...(batch ? ['--batch'] : []));
    assert.equal(run.code, 3, 'some users failed: exit 3');
    assert.match(run.out, /failed 2 of/);
    const after = status();
    const drift = after.errors.find((e) => e.code === 'plan_drift');
    assert.equal(drift?.count, 2, JSON.stringify(after.errors));
    assert.match(drift!.example, /plan again/);
    {
      await using store = await openStore({ kind: 'sqlite', path: join(dir, '.rehome', 'rehome.db') });
      const members = await imsDb(store).selectFrom('ims_org_members').select('account_id').where('account_id', '=', 'appeared-after-the-plan').execute();
      assert.equal(members.length, 0, 'the account that appeared after the plan joined no organization');
      const rows = await store.kysely.selectFrom('mig_users').select(['user_id', 'state', 'ims_subject']).where('user_id', 'in', [linker.userId, creator.userId]).execute();
      assert.deepEqual(rows.map((r: { state: string; ims_subject: string | null }) => [r.state, r.ims_subject]), [['failed', null], ['failed', null]]);
    }

    // The way out: the IMS as it is now, imported, planned again; only the users who have not moved are re-decided.
    ok(rh('ims', 'export', '--out', 'ims-now.csv'));
    ok(rh('import', '--users', ex('users.csv'), '--ims', 'ims-now.csv', '--subscription', ex('subscription.json')));
    ok(rh('plan', '--subscription', SUB, '--out', 'plan-2.json'));
    ok(rh('migrate', '--plan', 'plan-2.json', '--consent'));
    ok(rh('migrate', '--subscription', SUB, ...(batch ? ['--batch'] : [])));
    const fixed = status();
    assert.equal(fixed.errors.find((e) => e.code === 'plan_drift'), undefined, JSON.stringify(fixed.errors));
    {
      await using store = await openStore({ kind: 'sqlite', path: join(dir, '.rehome', 'rehome.db') });
      const rows = new Map((await store.kysely.selectFrom('mig_users').select(['user_id', 'state', 'ims_subject']).where('user_id', 'in', [linker.userId, creator.userId]).execute())
        .map((r: { user_id: string; state: string; ims_subject: string | null }) => [r.user_id, r]));
      assert.equal(rows.get(creator.userId)!.state, 'migrated');
      assert.equal(rows.get(creator.userId)!.ims_subject, 'appeared-after-the-plan', 'the new plan named the account that exists now, and apply linked exactly it');
      assert.equal(rows.get(linker.userId)!.state, 'migrated');
      assert.notEqual(rows.get(linker.userId)!.ims_subject, linker.imsAccountId);
    }
    assert.ok(fixed.byState.migrated! >= after.byState.migrated! + 2, 'nobody who had moved was moved again or lost');
  });
}
