// The takeover of issue 11, reproduced against the `npm start` stack (Engage + `rehome serve` as the demo composes
// it): an attacker signs up with a look-alike of a product user's address and waits for the migration to hand them
// the person's workspaces. Each look-alike form is refused at sign-up; an account that got in anyway (made before the
// one address rule existed, with the victim's key) is never linked: the plan said "create", the user fails with
// `plan_drift`; and a plain squat (an unverified sign-up with the victim's exact address) reserves nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDemoMigration } from '../../src/demo/demo-migration.ts';
import { migrationStatus, planSubscription } from '../../src/app/actions/index.ts';
import { startDemoStack, type DemoStack } from '../../src/demo/demo-stack.ts';
import { getIdentityLink } from '../../examples/engage/src/auth/identity-links.ts';
import { TestBrowser, readForm } from '../e2e/support/browser.ts';
import { imsDb } from '../../src/ims/ims-tables.ts';
import { migrationDb } from '../../src/engine/migration-repo.ts';

let dir: string;
let stack: DemoStack;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rehome-takeover-'));
  stack = await startDemoStack({ dir, rehomePort: 0, engagePort: 0 });
});

after(async () => {
  await stack?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const VICTIM = 'frances.hamilton35@freelance.example';

async function signUp(email: string): Promise<Response> {
  const browser = new TestBrowser(stack.rehome.url);
  const form = readForm(await (await browser.request('/ims/account/signup')).text());
  return browser.request(form.action, { form: { ...form.fields, firstName: 'Mallory', lastName: 'Attacker', email, password: 'attacker-password-2026!' } });
}

test('every look-alike of a product user\'s address is refused at sign-up: no account, no mail', async (t) => {
  const lookalikes: [string, string][] = [
    ['full-width letter in the domain', 'frances.hamilton35@\uff46reelance.example'],
    ['full-width letter in the local part', '\uff46rances.hamilton35@freelance.example'],
    ['soft hyphen', 'frances.hamil\u00adton35@freelance.example'],
    ['zero-width space', 'frances.hamilton35@free\u200blance.example'],
    ['mixed script (Cyrillic a)', 'fr\u0430nces.hamilton35@freelance.example'],
    ['trailing dot', 'frances.hamilton35@freelance.example.'],
    ['ligature', '\ufb01rances.hamilton35@freelance.example'],
    ['IDN look-alike domain (Cyrillic e)', 'frances.hamilton35@fre\u0435lance.example'],
  ];
  const before = (await stack.rehome.ims.outbox.list({ limit: 10_000 })).length;
  for (const [name, email] of lookalikes) {
    await t.test(name, async () => {
      const response = await signUp(email);
      assert.equal(response.status, 400, `${name}: refused`);
      assert.match(await response.text(), /cannot be used/);
      const held = await imsDb(stack.store).selectFrom('ims_accounts').select('id').where('email_norm', '=', VICTIM).execute();
      assert.equal(held.length, 0, 'nothing holds the victim\'s key');
    });
  }
  assert.equal((await stack.rehome.ims.outbox.list({ limit: 10_000 })).length, before, 'no confirmation mail went anywhere');
});

test('an account that got the victim\'s key anyway is never linked: the plan said "create", apply fails with plan_drift', async () => {
  // An account made before the one address rule: a look-alike address stored under the victim's key, verified
  // through the look-alike mailbox (what the attacker did in the issue).
  const at = new Date().toISOString();
  await imsDb(stack.store).insertInto('ims_accounts').values({
    id: 'attacker-legacy-account', email: 'frances.hamilton35@\uff46reelance.example', email_norm: VICTIM, email_verified: 1, type: 'personal',
    owner_org_id: null, first_name: 'Mallory', last_name: 'Attacker', user_name: 'mallory-legacy', user_name_norm: 'mallory-legacy', status: 'active',
    password_hash: null, version: 1, created_at: at, updated_at: at,
  } as never).execute();
  // A plain squat on another person moving to a new personal account, with their address in upper case:
  // unverified, unauthenticated.
  const preview = await planSubscription(stack.rehome.app, stack.logins.subscriptionId);
  const target = preview.users.find((u) => !u.admin && u.action === 'invite' && u.accountType === 'personal' && u.normalizedEmail !== VICTIM)!;
  const squatted = target.normalizedEmail!;
  const squatResponse = await signUp(squatted.toUpperCase());
  assert.equal(squatResponse.status, 200);

  const { plan, users } = await runDemoMigration(stack);
  const victim = plan.users.find((u) => u.normalizedEmail === VICTIM)!;
  assert.ok(victim, 'the victim is a planned user');
  assert.ok(['invite', 'create'].includes(victim.action), `planned ${victim.action}: a new account, as the snapshot knew no IMS account for her`);
  assert.ok(users.failed >= 1);

  const row = await migrationDb(stack.store.kysely).selectFrom('mig_users').selectAll().where('user_id', '=', victim.userId).executeTakeFirstOrThrow();
  assert.equal(row.state, 'failed');
  assert.equal(row.error_code, 'plan_drift');
  assert.match(row.error_message ?? '', /appeared since the plan/);
  assert.equal(row.ims_subject, null);
  assert.equal(getIdentityLink(stack.engage.db, victim.userId), undefined, 'Engage never learns a link to the attacker\'s account');
  const members = await imsDb(stack.store).selectFrom('ims_org_members').select('account_id').where('account_id', '=', 'attacker-legacy-account').execute();
  assert.equal(members.length, 0, 'the attacker\'s account joined no organization');

  // The squatted person moved anyway; the squatter's unverified sign-up is gone and its address was told why.
  const squattedRow = await migrationDb(stack.store.kysely).selectFrom('mig_users').selectAll().where('user_id', '=', target.userId).executeTakeFirstOrThrow();
  assert.equal(squattedRow.state, 'migrated', `squatted user: ${squattedRow.error_code} ${squattedRow.error_message}`);
  const holders = await imsDb(stack.store).selectFrom('ims_accounts').select(['id', 'first_name']).where('email_norm', '=', squatted).execute();
  assert.deepEqual(holders.map((h) => h.id), [squattedRow.ims_subject], 'only the migration\'s account holds the address');
  // (to the address as the sign-up gave it)
  const mails = (await stack.rehome.ims.outbox.list({ limit: 100_000 })).filter((m) => m.to.toLowerCase() === squatted);
  assert.ok(mails.some((m) => /sign-up was cancelled/.test(m.subject)), 'the address was told its unconfirmed sign-up was cancelled');

  // `rehome status` (and the console, from the same numbers) counts the drift under its code, with the fix.
  const status = await migrationStatus(stack.rehome.app, stack.logins.subscriptionId);
  const drift = status.errors.find((e) => e.code === 'plan_drift');
  assert.equal(drift?.count, 1);
  assert.match(drift?.example ?? '', /plan again/);
});

