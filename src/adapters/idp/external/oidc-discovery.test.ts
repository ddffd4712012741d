import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { isIdpError } from '../../../ports/identity-provider.ts';
import { createOidcDiscovery } from './oidc-discovery.ts';

let server: Server;
let origin: string;
let hits = 0;
before(async () => {
  server = createServer((req, res) => {
    hits++;
    const issuer = `${origin}${req.url!.replace('/.well-known/openid-configuration', '')}`;
    if (req.url === '/tenant/.well-known/openid-configuration') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ issuer, token_endpoint: `${issuer}/token` }));
    } else if (req.url === '/liar/.well-known/openid-configuration') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ issuer: 'https://evil.example' }));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

test('fetches <issuer>/.well-known/openid-configuration once and caches it for the TTL', async () => {
  let now = 0;
  const discovery = createOidcDiscovery({ issuer: `${origin}/tenant`, ttlMs: 1000, now: () => now });
  hits = 0;
  const [a, b] = await Promise.all([discovery.get(), discovery.get()]);
  assert.equal(a.token_endpoint, `${origin}/tenant/token`);
  assert.equal(b, a);
  await discovery.get();
  assert.equal(hits, 1);
  now = 1001;
  await discovery.get();
  assert.equal(hits, 2);
});

test('refuses a document naming another issuer (Discovery section 4.3) and a missing one', async () => {
  await assert.rejects(createOidcDiscovery({ issuer: `${origin}/liar` }).get(), (e) => isIdpError(e, 'protocol') && /expected/.test(e.message));
  await assert.rejects(createOidcDiscovery({ issuer: `${origin}/missing` }).get(), (e) => isIdpError(e, 'protocol') && e.status === 404);
});
