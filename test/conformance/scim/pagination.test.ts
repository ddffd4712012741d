/** Pagination (RFC 7644 §3.4.2.4): startIndex is 1-based, count caps the page, totalResults counts all matches. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startScimTestServer, userBody, type ScimTestServer, type TestOrg } from './scim-test-server.ts';

let server: ScimTestServer;
let org: TestOrg;

before(async () => {
  server = await startScimTestServer();
  org = await server.createOrg('Acme', { domains: ['example.com'] });
  for (let i = 1; i <= 25; i++) await server.scim(org.token, 'POST', '/Users', userBody(`user${String(i).padStart(2, '0')}@example.com`));
});
after(async () => {
  assert.deepEqual(server.internalErrors, []);
  await server[Symbol.asyncDispose]();
});

test('RFC 7644 §3.4.2.4: pages of count from startIndex, totalResults over all pages, no overlap', async () => {
  const seen: string[] = [];
  for (let start = 1; start <= 25; start += 10) {
    const page = await server.scim(org.token, 'GET', `/Users?startIndex=${start}&count=10`);
    assert.equal(page.status, 200);
    assert.equal(page.body.totalResults, 25);
    assert.equal(page.body.startIndex, start);
    assert.equal(page.body.itemsPerPage, page.body.Resources.length);
    seen.push(...page.body.Resources.map((u: { id: string }) => u.id));
  }
  assert.equal(seen.length, 25);
  assert.equal(new Set(seen).size, 25);
});

test('RFC 7644 §3.4.2.4: startIndex below 1 is read as 1; count 0 returns only totalResults', async () => {
  const zero = await server.scim(org.token, 'GET', '/Users?startIndex=0&count=3');
  assert.equal(zero.body.startIndex, 1);
  assert.equal(zero.body.Resources.length, 3);
  const countOnly = await server.scim(org.token, 'GET', '/Users?count=0');
  assert.equal(countOnly.body.totalResults, 25);
  assert.deepEqual(countOnly.body.Resources, []);
  const negative = await server.scim(org.token, 'GET', '/Users?count=-5');
  assert.equal(negative.body.itemsPerPage, 0);
});

test('past the end: an empty page with the true total', async () => {
  const page = await server.scim(org.token, 'GET', '/Users?startIndex=100&count=10');
  assert.equal(page.body.totalResults, 25);
  assert.deepEqual(page.body.Resources, []);
});

test('pagination combines with a filter', async () => {
  const page = await server.scim(org.token, 'GET', `/Users?filter=${encodeURIComponent('userName sw "user1"')}&startIndex=2&count=3`);
  assert.equal(page.body.totalResults, 10);
  const all = await server.scim(org.token, 'GET', `/Users?filter=${encodeURIComponent('userName sw "user1"')}`);
  const names = (r: { userName: string }[]) => r.map((u) => u.userName);
  assert.deepEqual(names(page.body.Resources), names(all.body.Resources).slice(1, 4));
  assert.ok(names(page.body.Resources).every((n) => n.startsWith('user1')));
});

test('a count above the advertised maximum is capped; a non-integer is 400 invalidValue', async () => {
  const big = await server.scim(org.token, 'GET', '/Users?count=100000');
  assert.equal(big.status, 200);
  const bad = await server.scim(org.token, 'GET', '/Users?count=ten');
  assert.equal(bad.status, 400);
  assert.equal(bad.body.scimType, 'invalidValue');
});
