// Tenant isolation against the composed server (`startRehomeServer`, as `rehome serve` runs it): an admin signed in
// to the console for subscription A reads and changes nothing of subscription B through any console route (pages,
// downloads, the live status stream, actions), and B answers exactly like a subscription that does not exist; an
// org API client of org A reads and changes nothing of org B through SCIM or the Admin API. Routes come from the
// inventory (route-inventory.ts), so a new console page or action is attacked without editing this file.
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { createStoreImsDirectory } from '../../src/ims/directory/store-ims-directory.ts';
import { groupBody, PATCH_OP, userBody } from '../conformance/scim/scim-test-server.ts';
import { TestBrowser } from '../e2e/support/browser.ts';
import { ADMIN_API_BASE, ADMIN_API_ROUTES, CONSOLE_SUBSCRIPTION_ROUTES, SCIM_BASE, SCIM_ROUTES, subscriptionPath, type Route } from './route-inventory.ts';
import {
  bootstrapSession, consoleFetch, fingerprint, imsConsoleSession, migrateAdmin, orgToken, PROD, SANDBOX, startSecurityWorld, type ConsoleSessionHandle, type SecurityWorld,
} from './security-world.ts';

const A = PROD;
const B = SANDBOX;
const NOWHERE = '999-NOT-000';
const ADMIN_PASSWORD = 'tenant-admin-password-0123456789';
let world: SecurityWorld;
/** Admins of A only: a bootstrap session for A, and A's admin 1001 signed in through the IMS. */
let sessions: [string, ConsoleSessionHandle & { browser?: TestBrowser }][];

before(async () => {
  world = await startSecurityWorld();
  const bootstrap = await bootstrapSession(world, A);
  // 1001 is the same person as B's admin 9000 (one IMS account); only A has migrated them, so only A is theirs.
  const admin = await migrateAdmin(world, A, '1001', ADMIN_PASSWORD);
  sessions = [['bootstrap session of A', bootstrap], ['IMS session of A\'s admin', await imsConsoleSession(world, admin.email, ADMIN_PASSWORD)]];
});

after(async () => {
  await world?.close();
});

/** What a console request answers, the live stream read for its first message only. */
async function answer(path: string, init: Parameters<typeof consoleFetch>[2] = {}): Promise<{ status: number; type: string; body: string }> {
  const controller = new AbortController();
  const r = await fetch(`${world.url}${path}`, {
    method: init.method ?? 'GET', redirect: 'manual', signal: controller.signal,
    headers: { ...(init.cookie ? { cookie: init.cookie } : {}), ...(typeof init.body === 'string' ? { 'content-type': 'application/x-www-form-urlencoded' } : {}), ...init.headers },
    ...(init.body !== undefined ? { body: init.body } : {}),
  });
  const type = r.headers.get('content-type') ?? '';
  if (!type.startsWith('text/event-stream')) return { status: r.status, type, body: await r.text() };
  const reader = r.body!.getReader();
  let body = '';
  while (!body.includes('event: status')) body += new TextDecoder().decode((await reader.read()).value);
  controller.abort();
  return { status: r.status, type, body };
}

/** A realistic form for any action, with the session's valid token (the check that must stop it is authorisation). */
const actionForm = (s: ConsoleSessionHandle, userIds: string[] = ['9001']) =>
  new URLSearchParams([['csrf', s.csrf], ['consent', 'yes'], ['date', '2099-01-01'], ['action', 'skip'], ['reason', 'tenant test'], ['acknowledge', 'yes'], ...userIds.map((u): [string, string] => ['user', u])]).toString();

test('console: every route of subscription B answers A\'s admin exactly as a subscription that does not exist', async (t) => {
  for (const [who, s] of sessions) {
    for (const r of CONSOLE_SUBSCRIPTION_ROUTES) {
      await t.test(`${r.method} ${subscriptionPath(B, r.path)} (${who})`, async () => {
        const post = r.method === 'POST';
        if (!post) {
          // Not vacuous: the same route of A answers this session.
          const own = await answer(subscriptionPath(A, r.path), { cookie: s.cookie });
          assert.equal(own.status, 200, `${r.path} of A`);
        }
        const init = { method: r.method, cookie: s.cookie, ...(post ? { body: actionForm(s) } : {}) };
        const before = await fingerprint(world);
        const theirs = await answer(subscriptionPath(B, r.path), init);
        const missing = await answer(subscriptionPath(NOWHERE, r.path), init);
        assert.equal(theirs.status, 404);
        assert.deepEqual(theirs, missing, 'B is indistinguishable from a subscription that does not exist');
        assert.doesNotMatch(theirs.body, /sandbox|123-ABC-999/i);
        for (const alias of [encodeURIComponent(B).replace(/\d/g, (d) => `%3${d}`), `${B}%2F`, B.toLowerCase(), `${B}%00`, ` ${B}`]) {
          const other = await answer(`/console/s/${alias}${r.path}`, init);
          assert.equal(other.status, 404, `alias ${alias}`);
        }
        assert.deepEqual(await fingerprint(world), before, 'nothing changed');
      });
    }
  }
});

test('console: A\'s own routes never reach into B, whatever they are given', async (t) => {
  const [, s] = sessions[0]!;
  const bUsers = (await world.store.kysely.selectFrom('mig_users').select('user_id').where('subscription_id', '=', B).execute()).map((u) => u.user_id);
  await t.test('GET /console/ lists A only', async () => {
    for (const [who, session] of sessions) {
      const home = await answer('/console/', { cookie: session.cookie });
      assert.doesNotMatch(home.body, /123-ABC-999|sandbox/i, who);
    }
  });
  for (const r of CONSOLE_SUBSCRIPTION_ROUTES.filter((x) => x.method === 'GET')) {
    const path = `${subscriptionPath(A, r.path)}?subscription=${B}&subscriptionId=${B}&id=${B}&q=9001&actor=admin%3A*&state=eligible`;
    await t.test(`GET ${path}`, async () => {
      const own = await answer(path, { cookie: s.cookie });
      assert.equal(own.status, 200);
      assert.doesNotMatch(own.body, /123-ABC-999|Acme Marketing \(sandbox\)/);
    });
  }
  for (const r of CONSOLE_SUBSCRIPTION_ROUTES.filter((x) => x.method === 'POST')) {
    const path = subscriptionPath(A, r.path);
    await t.test(`POST ${path} with B's user ids`, async () => {
      const before = await world.store.kysely.selectFrom('mig_users').selectAll().where('subscription_id', '=', B).orderBy('user_id').execute();
      const res = await answer(`${path}?subscription=${B}`, { method: 'POST', cookie: s.cookie, body: `${actionForm(s, bUsers)}&subscriptionId=${B}` });
      assert.notEqual(res.status, 404);
      const afterRows = await world.store.kysely.selectFrom('mig_users').selectAll().where('subscription_id', '=', B).orderBy('user_id').execute();
      assert.deepEqual(afterRows, before, 'B\'s users are untouched');
      assert.equal((await world.store.listAudit({ subscriptionId: B })).filter((e) => e.actor.startsWith('admin:')).length, 0, 'nothing of A\'s admin in B\'s audit');
    });
  }
  await world.server.console.runs.idle();
});

interface OrgB { orgId: string; token: string; userId: string; email: string; groupId: string }
let madeOrgB: Promise<OrgB> | undefined;
const orgB = (): Promise<OrgB> => (madeOrgB ??= makeOrgB());

/** Org B: its own org, domain, a user and a product profile, made through SCIM with B's own token. */
async function makeOrgB(): Promise<OrgB> {
  const org = await createStoreImsDirectory(world.store).createOrg({ name: 'Other Corp' });
  await createStoreImsDirectory(world.store).claimDomain(org.id, 'other.example', 'cli:test');
  const { token } = await orgToken(world, org.id);
  const scim = (method: string, path: string, body?: unknown) => fetch(`${world.url}${SCIM_BASE}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
  const email = 'bob@other.example';
  const user = (await (await scim('POST', '/Users', userBody(email, { externalId: 'b-1' }))).json()) as { id: string };
  const group = (await (await scim('POST', '/Groups', groupBody('B profile', 'B-SUB', [user.id]))).json()) as { id: string };
  assert.ok(user.id && group.id, 'org B has a user and a profile');
  return { orgId: org.id, token, userId: user.id, email, groupId: group.id };
}

/** Everything of org B, for `deepEqual` before and after. */
async function stateOf(orgId: string): Promise<string> {
  const db = world.store.kysely;
  const rows = {
    members: await db.selectFrom('ims_org_members').selectAll().where('org_id', '=', orgId).orderBy('account_id').execute(),
    accounts: await db.selectFrom('ims_accounts').selectAll().where('id', 'in', db.selectFrom('ims_org_members').select('account_id').where('org_id', '=', orgId)).orderBy('id').execute(),
    profiles: await db.selectFrom('ims_profiles').selectAll().where('org_id', '=', orgId).execute(),
    profileMembers: await db.selectFrom('ims_profile_members').selectAll().where('profile_id', 'in', db.selectFrom('ims_profiles').select('id').where('org_id', '=', orgId)).execute(),
    domains: await db.selectFrom('ims_org_domains').selectAll().where('org_id', '=', orgId).execute(),
  };
  return createHash('sha256').update(JSON.stringify(rows)).digest('hex');
}

test('SCIM: org A\'s token reads and changes nothing of org B, on every route', async (t) => {
  const aOrg = (await world.store.kysely.selectFrom('mig_subscriptions').select('org_id').where('subscription_id', '=', A).executeTakeFirstOrThrow()).org_id!;
  const a = await orgToken(world, aOrg);
  const b = await orgB();
  const before = await stateOf(b.orgId);
  const bodies: Record<string, (collection: string) => unknown> = {
    POST: (c) => (c === 'Users' ? userBody(b.email, { externalId: 'b-1' }) : c === 'Bulk' ? {
      // Every kind of operation, about B's user and group: each must answer as for ids that never existed.
      schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
      Operations: [
        { method: 'PATCH', path: `/Users/${b.userId}`, data: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: false }] } },
        { method: 'PUT', path: `/Users/${b.userId}`, data: userBody(b.email, { name: { givenName: 'Pwned' } }) },
        { method: 'PATCH', path: `/Groups/${b.groupId}`, data: { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: b.userId }] }] } },
        { method: 'POST', path: '/Groups', bulkId: 'g', data: groupBody('stolen', 'B-SUB', [b.userId]) },
        { method: 'DELETE', path: `/Groups/${b.groupId}` },
        { method: 'DELETE', path: `/Users/${b.userId}` },
      ],
    } : groupBody('stolen', 'B-SUB', [b.userId])),
    PUT: (c) => (c === 'Users' ? userBody(b.email, { name: { givenName: 'Pwned' } }) : groupBody('mine', 'X', [b.userId])),
    PATCH: () => ({ schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: false }, { op: 'add', path: 'members', value: [{ value: b.userId }] }] }),
  };
  const search = { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter: `userName eq "${b.email}" or externalId eq "b-1" or displayName eq "B profile"` };
  const idOf = (r: Route, ids: { userId: string; groupId: string }) => (r.path.startsWith('/Groups/') ? ids.groupId : r.path.startsWith('/Users/') ? ids.userId : 'User');
  /** The request of route `r` about the given user and group ids. */
  const send = async (r: Route, ids: { userId: string; groupId: string }) => {
    const collection = r.path.split('/')[1]!;
    const path = r.path.replace('{id}', idOf(r, ids));
    const query = r.method === 'GET' && !r.path.includes('{id}') ? `?filter=${encodeURIComponent(search.filter)}` : '';
    const body = path.endsWith('.search') ? search : bodies[r.method]?.(collection);
    const res = await fetch(`${world.url}${SCIM_BASE}${path}${query}`, {
      method: r.method, headers: { authorization: `Bearer ${a.token}`, 'content-type': 'application/scim+json' }, ...(body ? { body: JSON.stringify(body).replaceAll(b.userId, ids.userId).replaceAll(b.groupId, ids.groupId) } : {}),
    });
    return { status: res.status, text: (await res.text()).replaceAll(ids.userId, '<user>').replaceAll(ids.groupId, '<group>') };
  };
  for (const r of SCIM_ROUTES) {
    const tenantResource = r.path.includes('{id}') && idOf(r, b) !== 'User';
    await t.test(`${r.method} ${SCIM_BASE}${r.path.replace('{id}', idOf(r, b))}`, async () => {
      const theirs = await send(r, b);
      // B's ids answer exactly as ids that never existed (each answer with its own id masked).
      const phantom = await send(r, { userId: randomUUID(), groupId: randomUUID() });
      assert.deepEqual(theirs, phantom, 'B\'s resources are indistinguishable from missing ones');
      if (tenantResource) assert.equal(theirs.status, 404);
      assert.ok(!theirs.text.includes(b.orgId), 'the answer names B\'s organization');
      if (r.method === 'GET' && theirs.status === 200 && r.guard === 'bearer') assert.equal((JSON.parse(theirs.text) as { totalResults: number }).totalResults, 0, 'B is not listed');
      assert.equal(await stateOf(b.orgId), before, 'org B is unchanged');
    });
  }
  await t.test('a token whose org claim was edited is refused', async () => {
    const [h, p, sig] = a.token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, org_id: b.orgId })).toString('base64url')}.${sig}`;
    const res = await fetch(`${world.url}${SCIM_BASE}/Users/${b.userId}`, { headers: { authorization: `Bearer ${forged}` } });
    assert.equal(res.status, 401);
  });
  await t.test('B\'s own token still sees its user (the ids are real)', async () => {
    const res = await fetch(`${world.url}${SCIM_BASE}/Users/${b.userId}`, { headers: { authorization: `Bearer ${b.token}` } });
    assert.equal(res.status, 200);
  });
});

/** An Admin API route with its placeholders filled (resources `ids`, in the org named by `orgId`). */
const adminPath = (r: Route, orgId: string, ids: { userId: string; groupId: string }) => `${ADMIN_API_BASE}${r.path.replace('{orgId}', encodeURIComponent(orgId)).replace('{userId}', ids.userId).replace('{profileId}', ids.groupId).replace('{domain}', 'other.example')}`;

test('Admin API: org A\'s token reads and changes nothing of org B, on every route', async (t) => {
  const aOrg = (await world.store.kysely.selectFrom('mig_subscriptions').select('org_id').where('subscription_id', '=', A).executeTakeFirstOrThrow()).org_id!;
  const a = await orgToken(world, aOrg);
  const b = await orgB();
  const before = await stateOf(b.orgId);
  /** Route `r` for org `orgId` about `ids`, as A's client; the answer with those ids masked. */
  const send = async (r: Route, orgId: string, ids: { userId: string; groupId: string }) => {
    const json = r.path.endsWith('users.csv') ? undefined : { email: b.email, domain: 'other.example', name: 'stolen', subscriptionId: 'B-SUB', accountIds: [ids.userId] };
    const res = await fetch(`${world.url}${adminPath(r, orgId, ids)}`, {
      method: r.method, headers: { authorization: `Bearer ${a.token}`, 'content-type': json ? 'application/json' : 'text/csv' },
      ...(r.method === 'GET' || r.method === 'DELETE' ? {} : { body: json ? JSON.stringify(json) : `Email\r\n${b.email}\r\n` }),
    });
    const text = (await res.text()).replaceAll(orgId, '<org>').replaceAll(encodeURIComponent(orgId), '<org>').replaceAll(ids.userId, '<user>').replaceAll(ids.groupId, '<group>');
    return { status: res.status, text };
  };
  for (const r of ADMIN_API_ROUTES) {
    const path = adminPath(r, b.orgId, b);
    await t.test(`${r.method} ${path}`, async () => {
      // Not vacuous: A's token is answered on A's own organization.
      const own = await fetch(`${world.url}${ADMIN_API_BASE}/orgs/${encodeURIComponent(aOrg)}`, { headers: { authorization: `Bearer ${a.token}` } });
      assert.equal(own.status, 200, 'the Admin API answers A about A');
      const phantom = () => ({ userId: randomUUID(), groupId: randomUUID() });
      // B's organization answers exactly as one that does not exist.
      const theirs = await send(r, b.orgId, b);
      assert.equal(theirs.status, 404);
      assert.deepEqual(theirs, await send(r, randomUUID(), phantom()), 'org B is indistinguishable from a missing org');
      // B's users and profiles, named under A's own organization, answer exactly as ids that never existed.
      if (r.path.includes('{userId}') || r.path.includes('{profileId}')) {
        const named = await send(r, aOrg, b);
        assert.equal(named.status, 404);
        assert.deepEqual(named, await send(r, aOrg, phantom()), 'B\'s resources are indistinguishable from missing ones');
      } else {
        const own = await send(r, aOrg, b);
        for (const secret of [b.userId, b.groupId, b.orgId]) assert.ok(!own.text.includes(secret), `the answer names B's ${secret}`);
      }
      assert.equal(await stateOf(b.orgId), before, 'org B is unchanged');
    });
  }
  await t.test('POST /ims/admin/token issues tokens on the composed server', async () => {
    const client = await orgToken(world, aOrg);
    const res = await fetch(`${world.url}/ims/admin/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret }) });
    assert.equal(res.status, 200);
  });
});
