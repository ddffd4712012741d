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
