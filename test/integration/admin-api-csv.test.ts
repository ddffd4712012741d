/** Admin Console CSV export and all-or-nothing import at /ims/admin/v1/orgs/{orgId}/users.csv. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startScimTestServer, type ScimTestServer, type TestOrg } from '../conformance/scim/scim-test-server.ts';
import { readCsv } from '../../src/importers/csv-reader.ts';
import { USERS_CSV_COLUMNS } from '../../src/ims/admin-api/users-csv-layout.ts';

let server: ScimTestServer;
let org: TestOrg;
const HEADER = USERS_CSV_COLUMNS.join(',');

before(async () => {
  server = await startScimTestServer();
  org = await server.createOrg('Acme', { domains: ['acme.test'] });
  await server.directory.createProfile(org.orgId, { name: 'Marketing Users', subscriptionId: '123-ABC-456' });
  await server.directory.createProfile(org.orgId, { name: 'Analytics', subscriptionId: '123-ABC-456' });
});
after(async () => {
  assert.deepEqual(server.internalErrors, []);
  await server[Symbol.asyncDispose]();
});

const importCsv = (text: string) => server.admin(org.token, 'POST', `/orgs/${org.orgId}/users.csv`, text, { 'content-type': 'text/csv' });
const row = (cells: Partial<Record<(typeof USERS_CSV_COLUMNS)[number], string>>) =>
  USERS_CSV_COLUMNS.map((c) => {
    const v = cells[c] ?? '';
    return /[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
  }).join(',');

test('import creates users, links verified addresses, puts users in profiles, never verifies an email', async () => {
  const owner = await server.directory.createAccount({ email: 'vera@mail.test' });
  await server.directory.verifyEmail(owner.id, 'vera@mail.test');
  const text = [
    HEADER,
    row({ 'Identity Type': 'Enterprise ID', Username: 'ann@acme.test', Email: 'ann@acme.test', 'First Name': 'Ann', 'Last Name': 'Lee', 'Product Configurations': 'Marketing Users,Analytics' }),
    row({ 'Identity Type': 'Adobe ID', Email: 'vera@mail.test', 'Product Configurations': 'Analytics' }),
    row({ 'Identity Type': 'Adobe ID', Email: 'new@mail.test', 'Country Code': 'DE' }),
  ].join('\r\n');
  const response = await importCsv(`\ufeff${text}\r\n`);
  assert.equal(response.status, 200, response.text);
  assert.deepEqual([response.body.created, response.body.linked, response.body.existing], [2, 1, 0]);
  const ann = response.body.rows[0];
  assert.deepEqual(ann.profilesAdded, ['Marketing Users', 'Analytics']);
  assert.equal(response.body.rows[1].accountId, owner.id);
  for (const r of response.body.rows) {
    const account = await server.directory.getAccount(r.accountId);
    if (r.accountId !== owner.id) assert.equal(account?.emailVerified, false);
  }
  assert.equal((await server.directory.getAccount(ann.accountId))?.type, 'enterprise');
});

test('any bad row refuses the whole file: 400 with {line, column, field, message} and nothing created', async () => {
  const text = [
    HEADER,
    row({ 'Identity Type': 'Enterprise ID', Email: 'ok@acme.test' }),
    row({ 'Identity Type': 'Robot ID', Email: 'bot@acme.test' }),
    row({ 'Identity Type': 'Adobe ID', Email: 'not-an-email' }),
    row({ 'Identity Type': 'Enterprise ID', Email: 'x@unclaimed.test' }),
    row({ 'Identity Type': 'Adobe ID', Email: 'y@mail.test', 'Product Configurations': 'Nope' }),
    row({ 'Identity Type': 'Enterprise ID', Email: 'ok@acme.test' }),
  ].join('\n');
  const response = await importCsv(text);
  assert.equal(response.status, 400);
  assert.equal(response.body.error.code, 'csv_invalid');
  const problems = response.body.errors as { line: number; column: number; field: string; message: string }[];
  assert.deepEqual(problems.map((p) => [p.line, p.field]), [
    [3, 'Identity Type'], [4, 'Email'], [5, 'Identity Type'], [6, 'Product Configurations'], [7, 'Email'],
  ]);
  assert.equal(problems[0]!.column, 1);
  assert.match(problems[3]!.message, /no product profile named "Nope"/);
  assert.equal(await server.directory.findAccountByUserName('ok@acme.test'), undefined);
});

test('CSV syntax errors are reported with their position by the project CSV reader', async () => {
  const response = await importCsv(`${HEADER}\nEnterprise ID,a@acme.test,,a@acme.test,"unterminated\n`);
  assert.equal(response.status, 400);
  assert.equal(response.body.errors[0].line, 2);
  assert.match(response.body.errors[0].message, /unterminated/);
  const missing = await importCsv('Username,First Name\nx,y\n');
  assert.equal(missing.status, 400);
  assert.deepEqual(missing.body.errors.map((p: { field: string }) => p.field).sort(), ['Email', 'Identity Type']);
});

test('export: BOM, the Admin Console columns, profile names comma-joined in quotes; re-importing it changes nothing', async () => {
  await server.directory.createAccount({ email: 'eve@acme.test', type: 'enterprise', orgId: org.orgId, firstName: '=HYPERLINK("http://x")' });
  const response = await fetch(`${server.url}/ims/admin/v1/orgs/${org.orgId}/users.csv`, { headers: { authorization: `Bearer ${org.token}` } });
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^text\/csv/);
  const bytes = new Uint8Array(await response.arrayBuffer());
  assert.deepEqual(Array.from(bytes.subarray(0, 3)), [0xef, 0xbb, 0xbf]);
  const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
  assert.ok(text.startsWith(`\ufeff${HEADER}\r\n`));
  assert.match(text, /Enterprise ID,ann@acme\.test,acme\.test,ann@acme\.test,Ann,Lee,,[0-9a-f-]+,"Marketing Users,Analytics",/);
  assert.match(text, /Adobe ID,vera@mail\.test,mail\.test,vera@mail\.test,/);
  // A formula is neutralised for spreadsheets, and restored on import.
  assert.match(text, /,"'=HYPERLINK\(""http:\/\/x""\)",/);
  const table = readCsv(text, 'export.csv');
  assert.equal([...table.rows].length, 4);
  const again = await importCsv(text);
  assert.equal(again.status, 200, again.text);
  assert.deepEqual([again.body.created, again.body.linked, again.body.existing], [0, 0, 4]);
  assert.ok(again.body.rows.every((r: { profilesAdded: string[] }) => r.profilesAdded.length === 0));
});

test('an existing member row adds only the listed profiles', async () => {
  const existing = (await server.directory.listOrgAccounts(org.orgId, { filter: { op: 'eq', attr: 'email', value: 'new@mail.test' } })).items[0]!;
  const response = await importCsv(`${HEADER}\n${row({ 'Identity Type': 'Adobe ID', Email: 'new@mail.test', ID: existing.id, 'Product Configurations': 'Analytics' })}\n`);
  assert.equal(response.status, 200, response.text);
  assert.deepEqual(response.body.rows[0].profilesAdded, ['Analytics']);
  const wrongId = await importCsv(`${HEADER}\n${row({ 'Identity Type': 'Adobe ID', Email: 'new@mail.test', ID: 'someone-else' })}\n`);
  assert.equal(wrongId.status, 400);
  assert.equal(wrongId.body.errors[0].field, 'ID');
});

test('a write that fails after the checks (a concurrent sign-up took a username) undoes the rows already written', async () => {
  const { importOrgUsersCsv } = await import('../../src/ims/admin-api/users-csv-import.ts');
  const { ImsError } = await import('../../src/ims/directory/ims-directory.ts');
  let creates = 0;
  // The real directory, with one injected failure: the second account creation loses a race.
  const racing = new Proxy(server.directory, {
    get(target, key, receiver) {
      if (key !== 'createAccount') return Reflect.get(target, key, receiver);
      return async (input: Parameters<typeof target.createAccount>[0]) => {
        if (++creates === 2) throw new ImsError('account_exists', 'userName race@acme.test is taken');
        return target.createAccount(input);
      };
    },
  });
  const text = [
    HEADER,
    row({ 'Identity Type': 'Enterprise ID', Email: 'first@acme.test', 'Product Configurations': 'Analytics' }),
    row({ 'Identity Type': 'Enterprise ID', Email: 'race@acme.test' }),
  ].join('\n');
  await assert.rejects(importOrgUsersCsv(racing, org.orgId, text), (error: { code?: string; problems?: { line: number }[] }) => {
    assert.equal(error.code, 'csv_invalid');
    assert.equal(error.problems?.[0]?.line, 3);
    return true;
  });
  assert.equal(await server.directory.findAccountByUserName('first@acme.test'), undefined);
  const analytics = (await server.directory.listProfiles(org.orgId, { filter: { op: 'eq', attr: 'name', value: 'Analytics' } })).items[0]!;
  assert.equal(analytics.members.length, (await server.directory.getProfile(org.orgId, analytics.id))!.members.length);
});
