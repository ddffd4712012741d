// Look-alike addresses through the provisioning faces of the embedded IMS (the same rule as sign-up, see
// lookalike-takeover.test.ts): SCIM `POST /Users`, the Admin API's user create and its all-or-nothing CSV import
// refuse a full-width, invisible, mixed-script or trailing-dot address with a clear error code, and store nothing.
// Provisioning also never lets a pending sign-up hold an address: the org's account is created and the squatter
// told (squatting).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startScimTestServer, userBody, type ScimTestServer, type TestOrg } from '../conformance/scim/scim-test-server.ts';
import { USERS_CSV_COLUMNS } from '../../src/ims/admin-api/users-csv-layout.ts';
import { imsDb } from '../../src/ims/ims-tables.ts';

let server: ScimTestServer;
let org: TestOrg;

before(async () => {
  server = await startScimTestServer();
  org = await server.createOrg('Acme', { domains: ['acme.test'] });
});
after(async () => {
  assert.deepEqual(server.internalErrors, []);
  await server[Symbol.asyncDispose]();
});

const LOOKALIKES: [string, string][] = [
  ['full-width', 'ann@\uff41cme.test'],
  ['soft hyphen', 'an\u00adn@mail.test'],
  ['zero-width space', 'ann@ma\u200bil.test'],
  ['mixed script', '\u0430nn@mail.test'],
  ['trailing dot', 'ann@mail.test.'],
];

async function accounts(): Promise<number> {
  return (await imsDb(server.store).selectFrom('ims_accounts').select('id').execute()).length;
}

test('SCIM POST /Users refuses every look-alike: 400 invalidValue naming the problem, nothing stored', async (t) => {
  const before = await accounts();
  for (const [name, email] of LOOKALIKES) {
    await t.test(name, async () => {
      const r = await server.scim(org.token, 'POST', '/Users', userBody(`user-${name}`, { emails: [{ value: email, primary: true }] }));
      assert.equal(r.status, 400, JSON.stringify(r.body));
      assert.equal(r.body.scimType, 'invalidValue');
      assert.match(r.body.detail, /cannot be used/);
    });
  }
  assert.equal(await accounts(), before);
});

test('Admin API user create refuses every look-alike with email_refused', async (t) => {
  for (const [name, email] of LOOKALIKES) {
    await t.test(name, async () => {
      const r = await server.admin(org.token, 'POST', `/orgs/${org.orgId}/users`, { email, firstName: 'Ann' });
      assert.equal(r.status, 400, r.text);
      assert.equal(r.body.error.code, 'email_refused', r.text);
    });
  }
});

test('the CSV import refuses the whole file, naming the line and the problem, when one address is a look-alike', async () => {
  const header = USERS_CSV_COLUMNS.join(',');
  const row = (cells: Partial<Record<(typeof USERS_CSV_COLUMNS)[number], string>>) => USERS_CSV_COLUMNS.map((c) => cells[c] ?? '').join(',');
  const before = await accounts();
  const text = [header, row({ 'Identity Type': 'Adobe ID', Email: 'fine@mail.test' }), row({ 'Identity Type': 'Adobe ID', Email: 'ann@\uff4dail.test' })].join('\r\n');
  const r = await server.admin(org.token, 'POST', `/orgs/${org.orgId}/users.csv`, `${text}\r\n`, { 'content-type': 'text/csv' });
  assert.equal(r.status, 400, r.text);
  assert.equal(r.body.error.code, 'csv_invalid', r.text);
  const problem = r.body.errors.find((p: { line: number }) => p.line === 3);
  assert.equal(problem.field, 'Email');
  assert.match(problem.message, /^email_refused: .*full-width/);
  assert.equal(await accounts(), before, 'all or nothing: not even the good row');
});

test('squatting: SCIM provisioning of an address held by an unverified sign-up cancels the sign-up and creates the org\'s account', async () => {
  const squat = await server.directory.createAccount({ email: 'Victim@Mail.test', userName: 'Victim@Mail.test' });
  const r = await server.scim(org.token, 'POST', '/Users', userBody('victim@mail.test', { externalId: 'p-1' }));
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(await server.directory.getAccount(squat.id), undefined, 'the squat is gone');
  const holders = await server.directory.findAccountsByEmail('victim@mail.test');
  assert.deepEqual(holders.map((a) => a.id), [r.body.id]);
  assert.equal(holders[0]!.emailVerified, false, 'provisioning verifies nothing: the person proves the address');
});
