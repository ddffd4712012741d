// `rehome ims org sso set|off`: SSO federation of an embedded-IMS org from the command line, the upstream client
// secret from REHOME_SSO_CLIENT_SECRET (never a flag, never in the output or the audit log), refusals exit 2.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { openStore } from '../../src/app/rehome-store.ts';
import { createStoreImsDirectory } from '../../src/ims/directory/store-ims-directory.ts';
import { runRehome, tempDir } from '../support/rehome-cli.ts';

test('rehome ims org sso set|off: the secret from the environment, audited without it; bad input exits 2 and changes nothing', async (t) => {
  const dir = tempDir(t);
  const rh = (args: string[], env: Record<string, string> = {}) => runRehome(args, dir, { env: { REHOME_SSO_CLIENT_SECRET: '', ...env } });
  const created = rh(['ims', 'org', 'create', '--name', 'Corp', '--domain', 'corp.test', '--format', 'json']);
  assert.equal(created.code, 0, created.err);
  const org = JSON.parse(created.out) as { id: string };

  const set = rh(['ims', 'org', 'sso', 'set', '--org', org.id, '--issuer', 'https://login.corp.test', '--client-id', 'rehome', '--domain', 'corp.test', '--format', 'json'], { REHOME_SSO_CLIENT_SECRET: 'upstream-secret-42' });
  assert.equal(set.code, 0, set.err);
  assert.deepEqual(JSON.parse(set.out), { orgId: org.id, sso: { issuer: 'https://login.corp.test', clientId: 'rehome', domains: ['corp.test'], clientSecretSet: true } });
  assert.doesNotMatch(set.out + set.err, /upstream-secret-42/);

  for (const [args, pattern] of [
    [['ims', 'org', 'sso', 'set', '--org', org.id, '--issuer', 'https://login.corp.test', '--client-id', 'rehome', '--domain', 'other.test'], /not claimed by the organization: other\.test \(invalid_input\)/],
    [['ims', 'org', 'sso', 'set', '--org', org.id, '--issuer', 'http://idp.example', '--client-id', 'rehome', '--domain', 'corp.test'], /invalid_input/],
    [['ims', 'org', 'sso', 'set', '--org', org.id, '--issuer', 'https://login.corp.test', '--client-id', 'rehome'], /--domain D is required/],
    [['ims', 'org', 'sso', 'set', '--org', 'nope', '--issuer', 'https://login.corp.test', '--client-id', 'rehome', '--domain', 'corp.test'], /not_found/],
    [['ims', 'org', 'sso', 'off', '--org', 'nope'], /not_found/],
  ] as const) {
    const r = rh([...args]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, pattern);
  }

  {
    await using store = await openStore({ kind: 'sqlite', path: join(dir, '.rehome/rehome.db') });
    const sso = (await createStoreImsDirectory(store).getOrg(org.id))?.sso;
    assert.deepEqual(sso, { domains: ['corp.test'], issuer: 'https://login.corp.test', clientId: 'rehome', clientSecret: 'upstream-secret-42' }, 'the refused changes left it as set');
  }

  const off = rh(['ims', 'org', 'sso', 'off', '--org', org.id]);
  assert.equal(off.code, 0, off.err);
  assert.match(off.out, /SSO is off/);

  await using store = await openStore({ kind: 'sqlite', path: join(dir, '.rehome/rehome.db') });
  assert.equal((await createStoreImsDirectory(store).getOrg(org.id))?.sso, null);
  const audit = await store.listAudit();
  assert.deepEqual(audit.filter((e) => e.action.startsWith('ims:')).map((e) => e.action), ['ims:org_created', 'ims:sso_configured', 'ims:sso_removed']);
  assert.doesNotMatch(JSON.stringify(audit), /upstream-secret-42/);
});
