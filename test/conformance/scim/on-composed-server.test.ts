/**
 * Issue 15 item 2 where users run it: the server `rehome serve` composes (`startRehomeServer` over a real SQLite
 * file, every part mounted), reached over HTTP with a token from its own token endpoint. One pass over each fixed
 * behaviour: emails optional with an email userName, PATCH that applies or fails (invalidPath, mutability, removed
 * name parts), deactivating a personal account, core-only Groups with externalId, incremental-sync and member
 * filters, sorting, Bulk with bulkId references, and the OAuth error for a grant a client may not use.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openStore, type StoreAdapter } from '../../../src/app/rehome-store.ts';
import { buildConfig } from '../../../src/config/config.ts';
import { createOrgClient } from '../../../src/ims/admin-api/org-clients.ts';
import { createStoreImsDirectory } from '../../../src/ims/directory/store-ims-directory.ts';
import { startRehomeServer, type RehomeServer } from '../../../src/server/rehome-server.ts';
import { PATCH_OP, userBody } from './scim-test-server.ts';

const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
/** A relying party registered through `ims.clientsFile`, allowed the code flow only. */
const RP = { clientId: 'composed-rp', clientSecret: 'composed-rp-secret-0123456789abcdef', redirectUris: ['https://rp.example/callback'] };
let dir: string;
let store: StoreAdapter;
let server: RehomeServer;
let token: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rehome-scim-composed-'));
  const dbPath = join(dir, 'rehome.db');
  store = await openStore({ kind: 'sqlite', path: dbPath });
  const directory = createStoreImsDirectory(store);
  const org = await directory.createOrg({ name: 'Acme' });
  await directory.claimDomain(org.id, 'acme.test', 'cli:test');
  const client = await createOrgClient(store, { orgId: org.id, name: 'Okta provisioning' });
  const clientsFile = join(dir, 'ims-clients.json');
  writeFileSync(clientsFile, JSON.stringify([RP]));
  const config = buildConfig({
    env: { REHOME_IMS_COOKIE_KEYS: 'composed-cookie-key-0123456789abcdef0123', REHOME_IMS_LINK_SECRET: 'composed-link-secret-0123456789abcdef0123' },
    flags: { 'store.kind': 'sqlite', 'store.path': dbPath, 'server.port': 0, 'ims.devOutbox': true, 'ims.clientsFile': clientsFile },
  });
  server = await startRehomeServer({ config, store, port: 0 });
  const response = await fetch(`${server.url}/ims/admin/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.clientSecret)}`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'client_credentials' }),
  });
  assert.equal(response.status, 200, await response.clone().text());
  token = ((await response.json()) as { access_token: string }).access_token;
});

after(async () => {
  await server.close();
  await store[Symbol.asyncDispose]();
  rmSync(dir, { recursive: true, force: true });
});

async function scim(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${server.url}/scim/v2${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/scim+json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
}
const patch = (path: string, ...operations: unknown[]) => scim('PATCH', path, { schemas: [PATCH_OP], Operations: operations });

test('on the composed server: Users follow /Schemas and every PATCH applies or fails with the RFC error', async () => {
  const created = await scim('POST', '/Users', { schemas: [USER], userName: 'ann@acme.test', name: { givenName: 'Ann', familyName: 'Lee' } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const id = created.body.id as string;
  const bogus = await patch(`/Users/${id}`, { op: 'replace', path: 'bogus', value: 'x' });
  assert.deepEqual([bogus.status, bogus.body.scimType], [400, 'invalidPath']);
  const active = await patch(`/Users/${id}`, { op: 'remove', path: 'active' });
  assert.deepEqual([active.status, active.body.scimType], [400, 'mutability']);
  const family = await patch(`/Users/${id}`, { op: 'remove', path: 'name.familyName' });
  assert.equal(family.status, 200);
  assert.deepEqual(family.body.name, { givenName: 'Ann', formatted: 'Ann' });
});

test('on the composed server: active=false deprovisions a personal account (membership only)', async () => {
  const personal = await scim('POST', '/Users', userBody('vera@mail.test'));
  assert.equal(personal.status, 201);
  const off = await patch(`/Users/${personal.body.id}`, { op: 'replace', value: { active: false } });
  assert.equal(off.status, 200, JSON.stringify(off.body));
  assert.equal(off.body.active, false);
  const rename = await patch(`/Users/${personal.body.id}`, { op: 'replace', path: 'name.givenName', value: 'V' });
  assert.deepEqual([rename.status, rename.body.scimType], [400, 'mutability']);
});

test('on the composed server: core-only Groups, externalId, members and lastModified filters, sorting', async () => {
  const since = new Date(Date.now() - 1000).toISOString();
  const user = await scim('POST', '/Users', userBody('bo@acme.test'));
  const group = await scim('POST', '/Groups', { schemas: [GROUP], displayName: 'Pushed', externalId: 'okta-g1', members: [{ value: user.body.id }] });
  assert.equal(group.status, 201, JSON.stringify(group.body));
  assert.equal(group.body.externalId, 'okta-g1');
  const byMember = await scim('GET', `/Groups?filter=${encodeURIComponent(`members[value eq "${user.body.id}"]`)}`);
  assert.deepEqual(byMember.body.Resources.map((g: any) => g.id), [group.body.id]);
  const changed = await scim('GET', `/Users?filter=${encodeURIComponent(`meta.lastModified gt "${since}"`)}&sortBy=userName&sortOrder=descending`);
  assert.equal(changed.status, 200);
  const names = changed.body.Resources.map((u: any) => u.userName);
  assert.deepEqual(names, [...names].sort().reverse());
  assert.ok(names.includes('bo@acme.test'));
  const config = await scim('GET', '/ServiceProviderConfig');
  assert.equal(config.body.sort.supported, true);
});

test('on the composed server: Bulk creates a group before the user it names by bulkId, and is advertised', async () => {
  const response = await scim('POST', '/Bulk', {
    schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
    Operations: [
      { method: 'POST', path: '/Groups', bulkId: 'g', data: { schemas: [GROUP], displayName: 'Bulk pushed', members: [{ value: 'bulkId:u' }] } },
      { method: 'POST', path: '/Users', bulkId: 'u', data: userBody('bulk@acme.test') },
    ],
  });
  assert.equal(response.status, 200, JSON.stringify(response.body));
  const [group, user] = response.body.Operations;
  assert.deepEqual([group.status, user.status], ['201', '201']);
  const pushed = await scim('GET', `/Groups/${group.response.id}`);
  assert.deepEqual(pushed.body.members.map((m: { value: string }) => m.value), [user.response.id]);
  const config = await scim('GET', '/ServiceProviderConfig');
  assert.deepEqual(config.body.bulk, { supported: true, maxOperations: 1000, maxPayloadSize: 1048576 });
});

test('on the composed server: client_credentials on a client without that grant is unauthorized_client', async () => {
  const response = await fetch(`${server.url}/ims/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${RP.clientId}:${RP.clientSecret}`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'client_credentials' }),
  });
  const body = (await response.json()) as { error: string };
  assert.equal(response.status, 400, JSON.stringify(body));
  assert.equal(body.error, 'unauthorized_client');
});
