// Domain claims need proof (issue 11, item 5A). An org API client's claim stays pending until a DNS TXT record
// `rehome-domain-verification=<token>` is found at the domain or at `_rehome-challenge.<domain>`; a pending domain
// decides nothing; public mail domains are refused outright. The operator vouches with `rehome ims domain add`.
// Real HTTP on 127.0.0.1, real SQLite, the real token endpoint; DNS is the one port replaced (this machine has
// none): a TXT resolver function over a table the test publishes records in.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { verifyOrgDomain } from '../../src/app/actions/ims-domains.ts';
import { composeRehome } from '../../src/app/compose.ts';
import { openStore, type StoreAdapter } from '../../src/app/rehome-store.ts';
import { buildConfig } from '../../src/config/config.ts';
import { createOrgClient } from '../../src/ims/admin-api/org-clients.ts';
import { createProvisioningHandlers } from '../../src/ims/admin-api/provisioning-handlers.ts';
import type { TxtResolver } from '../../src/ims/directory/domain-verification.ts';
import type { ImsDirectoryService } from '../../src/ims/directory/ims-directory.ts';
import { createStoreImsDirectory } from '../../src/ims/directory/store-ims-directory.ts';

/** The DNS zone the fake resolver answers from: name -> TXT records (each a list of chunks). */
const zone = new Map<string, string[][]>();
const asked: string[] = [];
const resolveTxt: TxtResolver = async (name) => {
  asked.push(name);
  const records = zone.get(name);
  if (records === undefined) throw Object.assign(new Error(`queryTxt ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
  return records;
};

let store: StoreAdapter;
let directory: ImsDirectoryService;
let url: string;
let close: () => Promise<void>;
const internalErrors: unknown[] = [];

interface Org { orgId: string; token: string }
let a: Org;
let b: Org;

async function api(org: Org, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${url}/ims/admin/v1/orgs/${org.orgId}${path}`, {
    method,
    headers: { authorization: `Bearer ${org.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
}

async function newOrg(name: string): Promise<Org> {
  const org = await directory.createOrg({ name });
  const { clientId, clientSecret } = await createOrgClient(store, { orgId: org.id, name: `${name} client` });
  const response = await fetch(`${url}/ims/admin/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }) });
  const json = await response.json() as { access_token: string };
  return { orgId: org.id, token: json.access_token };
}

before(async () => {
  store = await openStore({ kind: 'sqlite', path: ':memory:' });
  directory = createStoreImsDirectory(store);
  const { handlers } = createProvisioningHandlers({ store, directory, resolveTxt, onError: (e) => internalErrors.push(e) });
  const server = createServer(async (req, res) => {
    for (const handler of handlers) if (await handler(req, res)) return;
    res.writeHead(404).end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = async () => {
    server.closeAllConnections();
    server.close();
    await once(server, 'close');
    await store[Symbol.asyncDispose]();
  };
  a = await newOrg('Acme');
  b = await newOrg('Squatter');
});

after(async () => {
  assert.deepEqual(internalErrors, []);
  await close();
});

test('an org client cannot claim a public mail domain (or a subdomain of one): 400 free_mail_domain', async () => {
  for (const domain of ['gmail.com', 'GMail.com', 'outlook.com', 'yahoo.com', 'hotmail.com', 'icloud.com', 'mail.gmail.com']) {
    const r = await api(a, 'POST', '/domains', { domain });
    assert.equal(r.status, 400, domain);
    assert.equal(r.body.error.code, 'free_mail_domain', domain);
  }
  assert.deepEqual((await api(a, 'GET', '/domains')).body.items, [], 'nothing was stored, not even pending');
  assert.equal(await directory.findOrgByDomain('gmail.com'), undefined);
});

test('a claim starts pending with a token, decides nothing, and becomes a claim only once DNS shows the token', async () => {
  const started = await api(a, 'POST', '/domains', { domain: 'Corp.test' });
  assert.equal(started.status, 202);
  const claim = started.body.claim;
  assert.equal(claim.domain, 'corp.test');
  assert.equal(claim.status, 'pending');
  assert.equal(claim.claimedBy.startsWith('client:'), true);
  assert.match(claim.verification.value, /^rehome-domain-verification=[0-9a-f]{32}$/);
  assert.deepEqual(claim.verification.names, ['corp.test', '_rehome-challenge.corp.test']);
  assert.deepEqual((await api(a, 'POST', '/domains', { domain: 'corp.test' })).body.claim, claim, 'asking again returns the same token');

  // Pending: the org does not hold the domain, its users stay personal, and it cannot federate it.
  assert.deepEqual((await api(a, 'GET', '')).body.domains, []);
  assert.equal(await directory.findOrgByDomain('corp.test'), undefined);
  const alice = await api(a, 'POST', '/users', { email: 'alice@corp.test', externalId: 'alice' });
  assert.equal(alice.status, 201);
  assert.equal(alice.body.user.type, 'personal', 'an account in a pending domain stays personal');
  const forced = await api(a, 'POST', '/users', { email: 'carol@corp.test', type: 'enterprise' });
  assert.equal(forced.status, 400);
  assert.equal(forced.body.error.code, 'domain_not_claimed');
  await assert.rejects(directory.setSsoFederation(a.orgId, { domains: ['corp.test'], issuer: 'https://idp.corp.test', clientId: 'x', clientSecret: '' }), /not claimed/);

  // No record, a record with another token, or the other org's token: still pending (409, nothing changes).
  asked.length = 0;
  const none = await api(a, 'POST', '/domains/corp.test/verify');
  assert.equal(none.status, 409);
  assert.equal(none.body.error.code, 'domain_unverified');
  assert.ok(none.body.error.message.includes(claim.verification.value), 'the message says what to publish');
  assert.deepEqual(asked.sort(), ['_rehome-challenge.corp.test', 'corp.test'], 'both names are looked up');
  const squat = await api(b, 'POST', '/domains', { domain: 'corp.test' });
  assert.equal(squat.status, 202, 'another org may ask too: asking proves nothing, so it blocks nobody');
  assert.notEqual(squat.body.claim.verification.value, claim.verification.value, 'each org has its own token');
  zone.set('corp.test', [['v=spf1 -all'], [squat.body.claim.verification.value], ['rehome-domain-verification=0000']]);
  assert.equal((await api(a, 'POST', '/domains/corp.test/verify')).status, 409, "the squatter's token proves nothing for Acme");
  assert.equal((await api(a, 'GET', '/domains')).body.items[0].status, 'pending');

  // Acme publishes its token at the challenge name (split in chunks, as DNS does for long records).
  const value: string = claim.verification.value;
  zone.set('_rehome-challenge.corp.test', [[value.slice(0, 20), value.slice(20)]]);
  const verified = await api(a, 'POST', '/domains/CORP.test/verify');
  assert.equal(verified.status, 200);
  assert.deepEqual({ domain: verified.body.domain, status: verified.body.status, claimedBy: verified.body.claimedBy }, { domain: 'corp.test', status: 'claimed', claimedBy: claim.claimedBy });
  assert.equal((await api(a, 'POST', '/domains/corp.test/verify')).status, 200, 'verifying a claimed domain again is a success');
  assert.equal((await directory.findOrgByDomain('corp.test'))?.id, a.orgId);
  const bob = await api(a, 'POST', '/users', { email: 'bob@corp.test', externalId: 'bob' });
  assert.equal(bob.body.user.type, 'enterprise', 'once claimed, the domain decides account types');

  // The squatter's own record shows up later: the domain is Acme's now.
  zone.set('corp.test', [[squat.body.claim.verification.value]]);
  const late = await api(b, 'POST', '/domains/corp.test/verify');
  assert.equal(late.status, 409);
  assert.equal(late.body.error.code, 'domain_claimed');
  assert.equal((await api(b, 'POST', '/domains', { domain: 'corp.test' })).body.error.code, 'domain_claimed');
});

test('a pending claim can be withdrawn; verifying a domain never asked for is 404', async () => {
  assert.equal((await api(a, 'POST', '/domains', { domain: 'later.test' })).status, 202);
  assert.equal((await api(a, 'DELETE', '/domains/later.test')).status, 204);
  assert.equal((await api(a, 'POST', '/domains/later.test/verify')).status, 404);
  assert.equal((await api(a, 'DELETE', '/domains/later.test')).status, 404);
  assert.equal((await api(a, 'GET', '/domains/corp.test/verify')).status, 405);
  assert.equal((await api(a, 'POST', '/domains/never-asked.test/verify')).status, 404);
  assert.equal((await api(a, 'POST', `/domains/corp.test/verify`)).status, 200);
  assert.equal((await fetch(`${url}/ims/admin/v1/orgs/${b.orgId}/domains/corp.test/verify`, { method: 'POST', headers: { authorization: `Bearer ${a.token}` } })).status, 404, "another org's path is 404");
});

// ---- the operator: `rehome ims domain ...`, and the application function behind `verify` ----

const root = new URL('../../', import.meta.url).pathname;
const SECRETS = { REHOME_IMS_COOKIE_KEYS: 'domain-test-cookie-key-0123456789abcdef', REHOME_IMS_LINK_SECRET: 'domain-test-link-secret-0123456789abcdef' };

test('rehome ims domain add/list/verify: the operator vouches (audited), public mail domains are refused, json or a table', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rehome-domains-'));
  const dbPath = join(dir, 'rehome.db');
  try {
    const opsStore = await openStore({ kind: 'sqlite', path: dbPath });
    const org = await createStoreImsDirectory(opsStore).createOrg({ name: 'Ops Corp' });
    await createStoreImsDirectory(opsStore).requestDomainClaim(org.id, 'pending.test', 'client:ops-client');
    await opsStore[Symbol.asyncDispose]();

    const cli = (...args: string[]) => spawnSync(process.execPath, [join(root, 'bin/rehome.ts'), 'ims', 'domain', ...args, '--org', org.id, '--db', dbPath], {
      cwd: dir, encoding: 'utf8', env: { ...process.env, ...SECRETS, REHOME_STORE: 'sqlite', REHOME_DATABASE_URL: '', REHOME_PRODUCT_URL: '', REHOME_SMTP_HOST: '', USER: 'operator' },
    });
    const added = cli('add', '--domain', 'Ops.Example', '--format', 'json');
    assert.equal(added.status, 0, added.stderr);
    assert.deepEqual((({ domain, status, claimedBy }) => ({ domain, status, claimedBy }))(JSON.parse(added.stdout)), { domain: 'ops.example', status: 'claimed', claimedBy: 'cli:operator' });

    const refused = cli('add', '--domain', 'gmail.com');
    assert.equal(refused.status, 2);
    assert.match(refused.stderr, /free_mail_domain/);

    const listed = JSON.parse(cli('list', '--format', 'json').stdout) as { domain: string; status: string; verification?: { value: string } }[];
    assert.deepEqual(listed.map((d) => [d.domain, d.status]), [['ops.example', 'claimed'], ['pending.test', 'pending']]);
    assert.match(listed[1]!.verification!.value, /^rehome-domain-verification=/);
    const table = cli('list');
    assert.equal(table.status, 0);
    assert.match(table.stdout, /^DOMAIN\s+STATUS/);
    assert.match(table.stdout, /pending\.test\s+pending\s+client:ops-client/);
    assert.match(table.stdout, /publish TXT "rehome-domain-verification=[0-9a-f]+" at pending\.test or _rehome-challenge\.pending\.test/);

    const missing = cli('verify', '--domain', 'never-asked.test');
    assert.equal(missing.status, 2, missing.stderr);
    assert.match(missing.stderr, /not_found/);

    // `verify` is one application function: here with the test's DNS, as the console or a worker would call it.
    const config = buildConfig({ env: { ...SECRETS, REHOME_STORE: 'sqlite' }, flags: { 'store.path': dbPath, 'server.port': 0 } });
    await using app = await composeRehome(config);
    const pending = await verifyOrgDomain(app, { orgId: org.id, domain: 'pending.test', actor: 'cli:operator', resolveTxt });
    assert.equal(pending.status, 'pending');
    zone.set('pending.test', [[listed[1]!.verification!.value]]);
    const done = await verifyOrgDomain(app, { orgId: org.id, domain: 'pending.test', actor: 'cli:operator', resolveTxt });
    assert.equal(done.status, 'claimed');
    assert.equal((await (await app.ims()).directory.findOrgByDomain('pending.test'))?.id, org.id);

    const audit = await app.store.listAudit({});
    const domainEntries = audit.filter((e) => e.action.startsWith('ims:domain_')).map((e) => [e.action, e.actor, e.target, e.details.proof]);
    assert.deepEqual(domainEntries, [['ims:domain_claimed', 'cli:operator', 'ops.example', 'operator'], ['ims:domain_verified', 'cli:operator', 'pending.test', 'dns']]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
