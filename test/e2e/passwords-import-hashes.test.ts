/**
 * Passwords, way 2 (`import_hashes`): the product's export carries a `password_hash` column; a sample of known test
 * passwords is checked before anything is committed (all or nothing); the provisioner stores each hash; the person
 * signs in through the OpenID Connect flow with the OLD password and the hash becomes argon2id. No email is verified.
 */
import assert from 'node:assert/strict';
import { pbkdf2Sync, randomBytes, scryptSync } from 'node:crypto';
import { after, before, test } from 'node:test';
import { hash as argon2Hash } from '@node-rs/argon2';
import bcrypt from 'bcryptjs';
import { planMigration } from '../../src/core/migration/plan-migration.ts';
import type { Subscription } from '../../src/core/model.ts';
import { parseProductUsersCsv } from '../../src/importers/product-users.ts';
import { provisionOrgUser } from '../../src/ims/admin-api/provision-org-user.ts';
import { checkHashImport, formatHashImportReport, parseHashSample } from '../../src/ims/passwords/hash-import-check.ts';
import { verifyPassword } from '../../src/ims/passwords/legacy-hash.ts';
import { isPasswordError } from '../../src/ims/passwords/password-error.ts';
import { insertMigration, migrationDb } from '../../src/engine/migration-repo.ts';
import { createEmbeddedPasswordProvisioner, createPasswordProvisioner } from '../../src/adapters/passwords/password-provisioner.ts';
import type { RunningServer } from '../../src/server/http-server.ts';
import type { StoreAdapter } from '../../src/store/open-store.ts';
import { TestBrowser } from './support/browser.ts';
import { discoverRp, signInAndGetTokens, startTestServer } from './support/ims-harness.ts';
import { sqliteTestDatabase, type TestDatabase } from './support/test-databases.ts';

const b64 = (buf: Buffer) => buf.toString('base64').replace(/=+$/, '');
const ARGON2I = 1; // Algorithm.Argon2i (a const enum: not importable under type stripping)

/** One user per family, each with the password they use in the product today (some shorter than the IMS policy). */
async function legacyUsers() {
  const salt = randomBytes(16);
  return [
    { id: 'p-bcrypt', password: 'bcrypt-pass', hash: await bcrypt.hash('bcrypt-pass', 4) },
    { id: 'p-scrypt', password: 'scrypt-pass', hash: `$scrypt$ln=12,r=8,p=1$${b64(salt)}$${b64(scryptSync('scrypt-pass', salt, 32, { N: 2 ** 12, r: 8, p: 1 }))}` },
    { id: 'p-pbkdf2', password: 'pbkdf2-pass', hash: `$pbkdf2-sha256$i=1000$${b64(salt)}$${b64(pbkdf2Sync('pbkdf2-pass', salt, 1000, 32, 'sha256'))}` },
    { id: 'p-django', password: 'short1', hash: `pbkdf2_sha256$2000$djsalt$${pbkdf2Sync('short1', 'djsalt', 2000, 32, 'sha256').toString('base64')}` },
    { id: 'p-argon2', password: 'argon2-pass', hash: await argon2Hash('argon2-pass', { algorithm: ARGON2I as never, memoryCost: 4096, timeCost: 1 }) },
  ];
}

function usersCsv(rows: { id: string; hash: string }[], extra = ''): string {
  const quote = (v: string) => `"${v.replace(/"/g, '""')}"`;
  const header = 'id,login,email,email_verified,first_name,last_name,status,api_only,sso,last_login,access,expires_at,locked,password_hash';
  const lines = rows.map((r) => `${r.id},${r.id}@corp.example,${r.id}@corp.example,true,Pat,${r.id},active,false,false,,Default/Main:Analyst,,false,${quote(r.hash)}`);
  return [header, ...lines, ...(extra ? [extra] : [])].join('\n');
}

const SUB = 'SUB-HASH-1';
const ORG = 'ORG-HASH-1';
let database: TestDatabase;
let store: StoreAdapter;
let server: RunningServer;

before(async () => {
  database = sqliteTestDatabase('pwimport');
  store = await database.open();
  server = await startTestServer(store);
  await server.ims.directory.createOrg({ id: ORG, name: 'Hash Corp' });
  await server.ims.directory.claimDomain(ORG, 'corp.example', 'test:setup');
});

after(async () => {
  await server.close();
  await store[Symbol.asyncDispose]();
  await database.drop();
});

test('import_hashes: a passing sample lets bcrypt, scrypt, PBKDF2 (PHC and Django) and argon2 users keep their password; each is upgraded to argon2id at sign-in', async () => {
  const legacy = await legacyUsers();
  const noHashRow = 'p-nohash,p-nohash@corp.example,p-nohash@corp.example,true,Pat,None,active,false,false,,Default/Main:Analyst,,false,';
  const users = parseProductUsersCsv(usersCsv(legacy, noHashRow), 'users.csv');
  assert.equal(users[0]!.attributes.password_hash, legacy[0]!.hash, 'the importer keeps the column in attributes');
  const sample = parseHashSample(legacy.map((u) => JSON.stringify({ userId: u.id, password: u.password })).join('\n'), 'sample.jsonl');
  const report = await checkHashImport(users, sample);
  assert.equal(report.ok, true, formatHashImportReport(report));
  assert.deepEqual(report.families, { bcrypt: 1, scrypt: 1, 'pbkdf2-sha256': 1, 'django-pbkdf2-sha256': 1, argon2: 1 });
  assert.equal(report.withoutHash, 1);

  // The snapshot and the registered plan, as `rehome import` + `rehome migrate --plan` leave them.
  const subscription: Subscription = { id: SUB, name: 'Hash subscription', timeZone: 'UTC', admins: ['p-bcrypt'], imsOrg: { id: ORG, name: 'Hash Corp', claimedDomains: ['corp.example'], ssoConfigured: false } };
  const ref = await store.saveSnapshot({ subscription, users, ims: { accounts: [] }, sources: {}, at: new Date().toISOString() });
  const plan = planMigration({ snapshot: (await store.loadSnapshot({ snapshotId: ref.id }))!, passwordStrategy: 'import_hashes', orgExists: true });
  assert.ok(!JSON.stringify(plan).includes(legacy[0]!.hash), 'hashes never enter the plan');
  await insertMigration(migrationDb(store.kysely), plan, new Date().toISOString(), 'test');

  const provisioner = createEmbeddedPasswordProvisioner({ store, imsConfig: server.ims.config, mailer: server.ims.mailer, hashCheck: report });
  await provisioner.prepareSubscription({ subscriptionId: SUB, orgId: ORG, strategy: 'import_hashes', actor: 'test' });
  const accounts = new Map<string, string>();
  for (const user of users) {
    const { account } = await provisionOrgUser(server.ims.directory, ORG, { email: user.email, externalId: user.id });
    accounts.set(user.id, account.id);
    // No attributes given: the provisioner reads the hash from the snapshot the plan was made from.
    const outcome = await provisioner.onAccountReady({ subscriptionId: SUB, userId: user.id, email: user.email, accountId: account.id, created: true });
    assert.deepEqual(outcome, { action: user.id === 'p-nohash' ? 'invited' : 'hash_imported' }, user.id);
    // Repeating it (a resumed run) changes nothing.
    if (user.id !== 'p-nohash') assert.deepEqual(await provisioner.onAccountReady({ subscriptionId: SUB, userId: user.id, email: user.email, accountId: account.id, created: false }), { action: 'none', reason: 'has_password' });
  }
  for (const u of legacy) {
    const stored = (await server.ims.directory.getAccount(accounts.get(u.id)!))!;
    assert.equal(stored.passwordHash, u.hash);
    assert.equal(stored.emailVerified, false, 'an import never verifies an email, even one the product said was verified');
  }

  const rp = await discoverRp(server);
  for (const u of legacy) {
    const email = `${u.id}@corp.example`;
    const tokens = await signInAndGetTokens(rp, new TestBrowser(server.url), email, u.password);
    assert.equal(tokens.claims()!.sub, accounts.get(u.id));
    assert.equal(tokens.claims()!.email_verified, false, u.id);
    const upgraded = (await server.ims.directory.getAccount(accounts.get(u.id)!))!;
    assert.match(upgraded.passwordHash ?? '', /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/, u.id);
    assert.deepEqual(await verifyPassword(upgraded.passwordHash!, u.password), { ok: true, needsRehash: false });
    assert.equal(upgraded.emailVerified, false);
    // The second sign-in runs on the argon2id hash.
    assert.equal((await signInAndGetTokens(rp, new TestBrowser(server.url), email, u.password)).claims()!.sub, accounts.get(u.id));
  }
});

test('import_hashes: one failing sample entry, an unsupported family or an unsampled family refuses the whole import', async () => {
  const legacy = await legacyUsers();
  const users = parseProductUsersCsv(usersCsv(legacy), 'users.csv');
  const line = (userId: string, password: string) => JSON.stringify({ userId, password });
  const allRight = legacy.map((u) => line(u.id, u.password));

  const wrong = await checkHashImport(users, parseHashSample([...allRight.slice(1), line('p-bcrypt', 'not-the-password')].join('\n'), 'sample.jsonl'));
  assert.equal(wrong.ok, false);
  assert.deepEqual(wrong.sampleFailures.map((f) => [f.userId, f.code]), [['p-bcrypt', 'mismatch']]);
  const text = formatHashImportReport(wrong);
  assert.match(text, /refused: sample user p-bcrypt/);
  assert.match(text, /nothing was imported/);
  assert.ok(!text.includes(legacy[0]!.hash) && !text.includes('not-the-password'), 'the report shows neither hashes nor passwords');

  const md5 = parseProductUsersCsv(usersCsv([...legacy, { id: 'p-md5', hash: '5f4dcc3b5aa765d61d8327deb882cf99' }]), 'users.csv');
  const unsupported = await checkHashImport(md5, parseHashSample(allRight.join('\n'), 's'));
  assert.equal(unsupported.ok, false);
  assert.deepEqual(unsupported.unsupported.map((u) => u.userId), ['p-md5']);
  assert.ok(!formatHashImportReport(unsupported).includes('5f4dcc3b'));

  const unsampled = await checkHashImport(users, parseHashSample(allRight.slice(0, 4).join('\n'), 's'));
  assert.equal(unsampled.ok, false);
  assert.deepEqual(unsampled.unsampledFamilies, ['argon2']);
  assert.equal((await checkHashImport(users, [])).ok, false, 'no sample, no import');
  assert.deepEqual((await checkHashImport(users, [{ userId: 'nobody', password: 'x' }])).sampleFailures.map((f) => f.code), ['unknown_user']);

  // Phase 1 refuses the strategy: nothing is recorded, so no account is ever given an imported hash.
  const refuse = async (hashCheck: typeof wrong | undefined, code: string) => {
    const provisioner = createEmbeddedPasswordProvisioner({ store, imsConfig: server.ims.config, mailer: server.ims.mailer, ...(hashCheck ? { hashCheck } : {}) });
    await assert.rejects(provisioner.prepareSubscription({ subscriptionId: 'SUB-REFUSED', orgId: ORG, strategy: 'import_hashes', actor: 'test' }), (e) => isPasswordError(e) && e.code === code);
  };
  await refuse(wrong, 'hash_sample_failed');
  await refuse(unsupported, 'hash_sample_failed');
  await refuse(undefined, 'hash_sample_missing');
  const row = await store.kysely.selectFrom('ims_password_strategies').selectAll().where('subscription_id', '=', 'SUB-REFUSED').executeTakeFirst();
  assert.equal(row, undefined);

  assert.throws(() => parseHashSample('{"userId":"a","password":"secret-pw"}\nnot json', 'sample.jsonl'),
    (e) => isPasswordError(e, 'hash_sample_invalid') && e.message.startsWith('sample.jsonl:2:') && !e.message.includes('secret-pw'));
});

test('import_hashes and lazy are refused for an external IdP (hashes are not portable over SCIM)', async () => {
  const external = createPasswordProvisioner({ db: store.kysely, idp: { kind: 'external' } });
  for (const strategy of ['import_hashes', 'lazy'] as const) {
    await assert.rejects(external.prepareSubscription({ subscriptionId: 'SUB-EXT', orgId: 'x', strategy, actor: 'test' }), (e) => isPasswordError(e, 'strategy_unsupported') && /SCIM|external IdP/.test(e.message));
  }
  await external.prepareSubscription({ subscriptionId: 'SUB-EXT', orgId: 'x', strategy: 'invite', actor: 'test' });
  assert.deepEqual(await external.onAccountReady({ subscriptionId: 'SUB-EXT', userId: 'u', email: 'u@x.example', accountId: 'a', created: true, strategy: 'invite' }), { action: 'none', reason: 'external_idp' });
});
