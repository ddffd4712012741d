// Issue 15: the SSO prerequisite names how many moving users need SSO and the command that configures it, and a
// plan made after `rehome ims org sso set` no longer asks for it (the export said the org had no SSO).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { MigrationPlan } from '../../src/core/migration/plan.ts';
import { example, runRehome, tempDir } from '../support/rehome-cli.ts';

const ORG = 'A1B2C3D4E5F6A7B8C9D0E1F2@AdobeOrg';

test('rehome plan: the SSO prerequisite counts moving users and points at rehome ims org sso set, which lifts it', (t) => {
  const dir = tempDir(t);
  const rh = (...args: string[]) => {
    const r = runRehome(args, dir, { env: { REHOME_SSO_CLIENT_SECRET: 'upstream-secret' } });
    assert.equal(r.code, 0, `rehome ${args.join(' ')}: ${r.err}`);
    return r;
  };
  const plan = (file: string): MigrationPlan => {
    rh('plan', '--subscription', '123-ABC-999', '--out', file);
    return JSON.parse(readFileSync(join(dir, file), 'utf8')) as MigrationPlan;
  };
  rh('import', '--users', example('sandbox-users.csv'), '--ims', example('ims-directory.csv'), '--subscription', example('sandbox-subscription.json'));

  const before = plan('before.json');
  const sso = before.prerequisites.find((p) => p.code === 'sso_not_configured');
  // The sandbox has three SSO users, all active and none API-only: each would lose SSO.
  assert.match(sso?.message ?? '', /^3 users who will move sign in with SSO today: /);
  assert.ok(sso?.message.includes(`rehome ims org sso set --org ${ORG} --issuer URL --client-id ID --domain D`));
  assert.equal(sso?.blocking, true);

  rh('ims', 'org', 'sso', 'set', '--org', ORG, '--issuer', 'https://login.acme.example', '--client-id', 'rehome', '--domain', 'acme.example');
  const after = plan('after.json');
  assert.deepEqual(after.prerequisites.filter((p) => p.code === 'sso_not_configured'), []);
  assert.deepEqual(after.product.find((s) => s.step === 'check_sso'), { step: 'check_sso', required: true, configured: true });
  assert.equal(after.snapshotDigest, before.snapshotDigest, 'the same snapshot: only the IMS changed');
});

test('rehome schedule re-derives the SSO prerequisite: skipped users stop counting, and SSO set after linking lifts it', (t) => {
  const dir = tempDir(t);
  const run = (...args: string[]) => runRehome(args, dir, { env: { REHOME_SSO_CLIENT_SECRET: 'upstream-secret' } });
  const ok = (...args: string[]) => {
    const r = run(...args);
    assert.equal(r.code, 0, `rehome ${args.join(' ')}: ${r.out}${r.err}`);
    return r;
  };
  ok('import', '--users', example('sandbox-users.csv'), '--ims', example('ims-directory.csv'), '--subscription', example('sandbox-subscription.json'));
  ok('plan', '--subscription', '123-ABC-999', '--out', 'plan.json');
  const plan = JSON.parse(readFileSync(join(dir, 'plan.json'), 'utf8')) as MigrationPlan;
  const ssoUsers = plan.users.filter((u) => u.reasons.includes('sso_not_configured')).map((u) => u.userId);
  assert.equal(ssoUsers.length, 3);
  ok('migrate', '--plan', 'plan.json', '--consent');
  const date = (() => { const d = new Date(Date.now() + 10 * 86_400_000); return d.toISOString().slice(0, 10); })();

  const refused = run('schedule', '--subscription', '123-ABC-999', '--date', date);
  assert.notEqual(refused.code, 0);
  assert.match(refused.err, /3 users who will move sign in with SSO today/);

  ok('skip', '--subscription', '123-ABC-999', '--users', ssoUsers.slice(0, 2).join(','), '--reason', 'left the company');
  const still = run('schedule', '--subscription', '123-ABC-999', '--date', date);
  assert.notEqual(still.code, 0);
  assert.match(still.err, /1 user who will move signs in with SSO today/, 'the two skipped users no longer count');

  ok('ims', 'org', 'sso', 'set', '--org', ORG, '--issuer', 'https://login.acme.example', '--client-id', 'rehome', '--domain', 'acme.example');
  assert.match(ok('schedule', '--subscription', '123-ABC-999', '--date', date).out, /starts/);
});
