// Issue 15, item 1: on the real `rehome serve` (a child process, the operator's default SQLite store), using only
// the CLI and HTTP, an operator creates orgs and API clients, the client gets a token at the printed token endpoint
// with HTTP Basic and provisions over SCIM at the printed SCIM URL; another org's token sees none of it; revoking
// the client stops its token at once. Every step is audited, and no secret is ever written to the audit log.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openStore } from '../../src/app/rehome-store.ts';
import { ROOT, tempDir, type CliRun } from '../support/rehome-cli.ts';

// Made at load: a directory made in `before` with an `after` registered there would be gone before the tests run.
const dir = tempDir({ after }, 'rehome-serve-');
let url: string;
let serve: ChildProcess;
let env: Record<string, string>;

/** A port free right now: the CLI must be configured like the server (REHOME_PORT) to print its URLs. */
async function freePort(): Promise<number> {
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as { port: number };
  probe.close();
  await once(probe, 'close');
  return port;
}

before(async () => {
  const port = await freePort();
  env = { REHOME_PORT: String(port), REHOME_LOG_LEVEL: 'warn' };
  serve = spawn(process.execPath, [join(ROOT, 'bin/rehome.ts'), 'serve'], {
    cwd: dir, env: { ...process.env, REHOME_STORE: '', REHOME_DATABASE_URL: '', REHOME_PRODUCT_URL: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  serve.stderr!.on('data', (chunk: Buffer) => { err += chunk.toString(); if (process.env.DEBUG_SERVE) process.stderr.write(chunk); });
  url = await new Promise<string>((resolve, reject) => {
    serve.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (process.env.DEBUG_SERVE) process.stderr.write(chunk);
      const m = /Rehome is serving on (\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    serve.once('exit', (code) => reject(new Error(`rehome serve exited (${code}): ${err}`)));
  });
});

after(async () => {
  if (serve.exitCode === null) {
    serve.kill('SIGTERM');
    await once(serve, 'exit');
  }
});

/**
 * The CLI without blocking this process (runRehome's spawnSync would): while blocked, fetch cannot see the server
 * close an idle keep-alive socket, and its next request would go out on the dead one.
 */
async function cli(...args: string[]): Promise<CliRun> {
  const child = spawn(process.execPath, [join(ROOT, 'bin/rehome.ts'), ...args], {
    cwd: dir, env: { ...process.env, REHOME_STORE: '', REHOME_DATABASE_URL: '', REHOME_PRODUCT_URL: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => { out += chunk.toString(); });
  child.stderr.on('data', (chunk: Buffer) => { err += chunk.toString(); });
  const [code] = await once(child, 'close') as [number | null];
  return { code, out, err };
}
async function cliJson<T>(...args: string[]): Promise<T> {
  const r = await cli(...args, '--format', 'json');
  assert.equal(r.code, 0, `rehome ${args.join(' ')}: ${r.err}`);
  return JSON.parse(r.out) as T;
}

async function token(tokenEndpoint: string, clientId: string, clientSecret: string): Promise<Response> {
  return fetch(tokenEndpoint, {
    method: 'POST',
    // RFC 6749 §2.3.1: id and secret form-urlencoded, then Basic.
    headers: { authorization: `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'client_credentials' }),
  });
}

const scim = (base: string, bearer: string, method: string, path: string, body?: unknown) => fetch(`${base}${path}`, {
  method, headers: { authorization: `Bearer ${bearer}`, ...(body ? { 'content-type': 'application/scim+json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}),
});

interface NewClient { clientId: string; clientSecret: string; orgId: string; scope: string; tokenEndpoint: string; scimUrl: string }

test('CLI org + client, a token over HTTP Basic, SCIM create and list; another org sees nothing; revoke ends the token', async () => {
  const orgA = await cliJson<{ id: string; name: string; domains: string[] }>('ims', 'org', 'create', '--name', 'Org A', '--domain', 'a.test', '--domain', 'Sales.A.test');
  assert.deepEqual(Object.keys(orgA).sort(), ['domains', 'id', 'name']);
  assert.deepEqual(orgA.domains, ['a.test', 'sales.a.test']);
  const orgB = await cliJson<{ id: string }>('ims', 'org', 'create', '--name', 'Org B', '--domain', 'b.test');

  const a = await cliJson<NewClient>('ims', 'client', 'create', '--org', orgA.id, '--name', 'Okta provisioning', '--scope', 'scim');
  assert.deepEqual(Object.keys(a).sort(), ['clientId', 'clientSecret', 'orgId', 'scimUrl', 'scope', 'tokenEndpoint']);
  assert.equal(a.orgId, orgA.id);
  assert.equal(a.scope, 'scim');
  assert.equal(a.tokenEndpoint, `${url}/ims/admin/token`, 'the token endpoint of the running server');
  assert.equal(a.scimUrl, `${url}/scim/v2`);
  const b = await cliJson<NewClient>('ims', 'client', 'create', '--org', orgB.id, '--name', 'Entra');

  const issued = await token(a.tokenEndpoint, a.clientId, a.clientSecret);
  assert.equal(issued.status, 200, 'the token endpoint is reached ahead of the OIDC provider');
  const grant = await issued.json() as { access_token: string; token_type: string; expires_in: number };
  assert.equal(grant.token_type, 'Bearer');
  assert.equal(typeof grant.access_token, 'string');
  assert.ok(grant.expires_in > 0);
  assert.equal((await token(a.tokenEndpoint, a.clientId, 'wrong')).status, 401);

  const created = await scim(a.scimUrl, grant.access_token, 'POST', '/Users', {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'amy@a.test', externalId: 'okta-1',
    name: { givenName: 'Amy', familyName: 'Lee' }, emails: [{ value: 'amy@a.test', type: 'work', primary: true }], active: true,
  });
  assert.equal(created.status, 201);
  const amy = await created.json() as { id: string };
  const listed = await (await scim(a.scimUrl, grant.access_token, 'GET', `/Users?filter=${encodeURIComponent('userName eq "amy@a.test"')}`)).json() as { totalResults: number; Resources: { id: string }[] };
  assert.equal(listed.totalResults, 1);
  assert.equal(listed.Resources[0]!.id, amy.id);

  const other = await (await (await token(b.tokenEndpoint, b.clientId, b.clientSecret)).json() as { access_token: string }).access_token;
  const seen = await (await scim(b.scimUrl, other, 'GET', '/Users')).json() as { totalResults: number };
  assert.equal(seen.totalResults, 0, 'org B sees none of org A\'s users');
  assert.equal((await scim(b.scimUrl, other, 'GET', `/Users/${amy.id}`)).status, 404);

  const clients = await cliJson<{ clientId: string; orgId: string; revokedAt: string | null }[]>('ims', 'client', 'list', '--org', orgA.id);
  assert.deepEqual(clients.map((c) => [c.clientId, c.revokedAt]), [[a.clientId, null]]);
  assert.doesNotMatch((await cli('ims', 'client', 'list')).out, /rhs_/, 'no secret is ever listed');
  const revoked = await cliJson<{ revokedAt: string | null }>('ims', 'client', 'revoke', '--client-id', a.clientId);
  assert.ok(revoked.revokedAt);
  assert.equal((await scim(a.scimUrl, grant.access_token, 'GET', '/Users')).status, 401, 'a revoked client\'s token stops at once');
  assert.equal((await token(a.tokenEndpoint, a.clientId, a.clientSecret)).status, 401);
});

test('an admin-scoped client reaches the Admin API of the running server', async () => {
  const org = await cliJson<{ id: string }>('ims', 'org', 'create', '--name', 'Org C');
  const c = await cliJson<NewClient>('ims', 'client', 'create', '--org', org.id, '--name', 'tools', '--scope', 'scim admin');
  assert.equal(c.scope, 'scim admin');
  const bearer = (await (await token(c.tokenEndpoint, c.clientId, c.clientSecret)).json() as { access_token: string }).access_token;
  const response = await fetch(`${url}/ims/admin/v1/orgs/${org.id}`, { headers: { authorization: `Bearer ${bearer}` } });
  assert.equal(response.status, 200);
  assert.equal((await response.json() as { name: string }).name, 'Org C');
});

interface ClientToken { clientId: string; orgId: string; bearerToken: string; bearerTokenExpiresAt: string; scimUrl: string }

test('a long-lived SCIM token (Okta\'s header, Entra\'s Secret Token): SCIM only, replaced by the next one, ended by revoke', async () => {
  const org = await cliJson<{ id: string }>('ims', 'org', 'create', '--name', 'Org T', '--domain', 't.test');
  const c = await cliJson<NewClient & { bearerToken: string; bearerTokenExpiresAt: string }>('ims', 'client', 'create', '--org', org.id, '--name', 'Entra', '--scope', 'scim admin', '--token-days', '30');
  assert.match(c.bearerToken, /^rht_/);
  const days = (Date.parse(c.bearerTokenExpiresAt) - Date.now()) / 86_400_000;
  assert.ok(days > 29.9 && days <= 30, `expires in 30 days (${days})`);
  const users = (bearer: string) => scim(c.scimUrl, bearer, 'GET', '/Users');
  assert.equal((await users(c.bearerToken)).status, 200, 'the pasted token works on the SCIM URL with no token request');
  const created = await scim(c.scimUrl, c.bearerToken, 'POST', '/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'tia@t.test' });
  assert.equal(created.status, 201);
  const admin = await fetch(`${url}/ims/admin/v1/orgs/${org.id}`, { headers: { authorization: `Bearer ${c.bearerToken}` } });
  assert.equal(admin.status, 403, 'a long-lived token acts with the scim scope only, whatever the client has');

  const next = await cliJson<ClientToken>('ims', 'client', 'token', '--client-id', c.clientId);
  assert.notEqual(next.bearerToken, c.bearerToken);
  assert.ok(Math.abs((Date.parse(next.bearerTokenExpiresAt) - Date.now()) / 86_400_000 - 365) < 0.1, 'a year by default');
  assert.equal((await users(c.bearerToken)).status, 401, 'the previous token stops at once');
  assert.equal((await users(next.bearerToken)).status, 200);
  const listed = await cliJson<{ clientId: string; tokenExpiresAt: string | null }[]>('ims', 'client', 'list', '--org', org.id);
  assert.deepEqual(listed.map((x) => x.tokenExpiresAt), [next.bearerTokenExpiresAt]);
  assert.doesNotMatch((await cli('ims', 'client', 'list')).out, /rht_/, 'no token is ever listed');
  await cliJson('ims', 'client', 'revoke', '--client-id', c.clientId);
  assert.equal((await users(next.bearerToken)).status, 401, 'revoking the client ends its token');
  for (const [args, pattern] of [
    [['ims', 'client', 'token', '--client-id', c.clientId], /revoked/],
    [['ims', 'client', 'token', '--client-id', 'rhc_nope'], /not_found/],
    [['ims', 'client', 'create', '--org', org.id, '--name', 'x', '--token-days', '731'], /1 to 730 days/],
    [['ims', 'client', 'create', '--org', org.id, '--name', 'x', '--scope', 'admin', '--token-days', '5'], /scim scope/],
    [['ims', 'client', 'create', '--org', org.id, '--name', 'x', '--token-days', 'soon'], /whole number/],
  ] as const) {
    const r = await cli(...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, pattern);
  }
});

test('refusals exit 2 with their code and write nothing; every change is audited without a secret', async () => {
  const before = (await cliJson<unknown[]>('ims', 'client', 'list')).length;
  for (const [args, pattern] of [
    [['ims', 'org', 'create', '--name', 'Free', '--domain', 'gmail.com'], /free_mail_domain/],
    [['ims', 'org', 'create', '--name', 'Taken', '--domain', 'fresh.test', '--domain', 'a.test'], /domain_claimed/],
    [['ims', 'org', 'create', '--name', 'Bad', '--domain', 'not a domain'], /invalid_input/],
    [['ims', 'org', 'create', '--domain', 'x.test'], /--name NAME is required/],
    [['ims', 'client', 'create', '--org', 'no-such-org', '--name', 'x'], /not_found/],
    [['ims', 'client', 'create', '--org', 'no-such-org', '--name', 'x', '--scope', 'root'], /invalid_request/],
    [['ims', 'client', 'revoke', '--client-id', 'rhc_nope'], /not_found/],
    [['ims', 'client', 'delete'], /say what to do/],
  ] as const) {
    const r = await cli(...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, pattern);
  }
  assert.equal((await cliJson<unknown[]>('ims', 'client', 'list')).length, before);
  // The refused org with fresh.test was not left behind: the domain is still free for another org.
  assert.deepEqual((await cliJson<{ domains: string[] }>('ims', 'org', 'create', '--name', 'Fresh', '--domain', 'fresh.test')).domains, ['fresh.test']);

  serve.kill('SIGTERM');
  await once(serve, 'exit');
  await using store = await openStore({ kind: 'sqlite', path: join(dir, '.rehome/rehome.db') });
  const audit = await store.listAudit();
  const actions = audit.map((e) => e.action);
  for (const a of ['ims:org_created', 'ims:client_created', 'ims:client_revoked', 'ims:client_token_issued']) assert.ok(actions.includes(a), a);
  assert.equal(actions.filter((a) => a === 'ims:org_created').length, 5, 'orgs A, B, C, T and Fresh; no refused one');
  assert.equal(actions.filter((a) => a === 'ims:client_token_issued').length, 2, 'the token at create and the next one');
  assert.doesNotMatch(JSON.stringify(audit), /rhs_|rht_/);
});
