import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { compileUrlRules } from '../../src/core/urls/url-rules.ts';
import { createRedirectHandler } from '../../src/redirects/redirect-handler.ts';
import { startRedirectServer } from '../../src/redirects/redirect-server.ts';
import { createMemoryUnmatchedLog } from '../../src/redirects/unmatched-log.ts';
import { subscriptionByHost } from '../../src/redirects/load-url-rules.ts';
import { FRAGMENT_SCRIPT } from '../../src/redirects/fragment-script.ts';

const testRules = {
  allowedHosts: ['new.example'],
  rules: [
    {
      id: 'engage',
      match: { path: '/app-ab12/', fragment: '{report}' },
      target: 'https://new.example/#/@{org}/so:{subscription}/engage/{capture.report}',
      fallback: 'https://new.example/#/@{org}/so:{subscription}/engage',
      org: 'acme',
      subscription: '123-ABC-456',
      query: 'keep',
    },
    { id: 'files', match: { path: '/app-ab12/files/{rest*}' }, target: 'https://new.example/acme/files/{capture.rest}', query: { keep: ['page'] }, status: 308 },
    { id: 'home', match: { path: '/app-cd34/' }, target: 'https://new.example/#/@acme/so:999-XYZ-000/engage' },
  ],
};

/** Sends a raw request line, so targets no HTTP client would send (backslashes, absolute-form) can be tried. */
function raw(port: number, target: string, host = '127.0.0.1'): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(`GET ${target} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`));
    let data = '';
    socket.setEncoding('latin1');
    socket.on('data', (c: string) => { data += c; });
    socket.on('error', reject);
    socket.on('end', () => {
      const [head = '', ...rest] = data.split('\r\n\r\n');
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers: Record<string, string> = {};
      for (const l of lines) {
        const i = l.indexOf(':');
        headers[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim();
      }
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: rest.join('\r\n\r\n') });
    });
  });
}

async function withServer(t: { after(fn: () => Promise<void>): void }, opts: Partial<Parameters<typeof startRedirectServer>[0]> = {}) {
  const unmatched = createMemoryUnmatchedLog({ now: () => new Date('2026-05-01T00:00:00Z') });
  const server = await startRedirectServer({ rules: compileUrlRules(testRules), unmatched, ...opts });
  t.after(() => server.close());
  return { server, port: Number(new URL(server.url).port), unmatched };
}

test('path rules answer 301/308 with the new Location; the query is kept only as the rule says', async (t) => {
  const { server } = await withServer(t);
  let r = await fetch(`${server.url}/app-cd34/`, { redirect: 'manual' });
  assert.equal(r.status, 301);
  assert.equal(r.headers.get('location'), 'https://new.example/#/@acme/so:999-XYZ-000/engage');
  assert.match(r.headers.get('cache-control') ?? '', /max-age=3600/);
  r = await fetch(`${server.url}/app-ab12/files/q1/report.pdf?page=2&token=s3cret`, { redirect: 'manual' });
  assert.equal(r.status, 308);
  assert.equal(r.headers.get('location'), 'https://new.example/acme/files/q1/report.pdf?page=2');
});

test('fragment rules answer with a forwarding page: data block, hashed script, CSP, noscript fallback', async (t) => {
  const { server } = await withServer(t);
  const r = await fetch(`${server.url}/app-ab12/?utm=1`, { redirect: 'manual' });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'text/html; charset=utf-8');
  const csp = r.headers.get('content-security-policy') ?? '';
  const hash = createHash('sha256').update(FRAGMENT_SCRIPT).digest('base64');
  assert.match(csp, new RegExp(`script-src 'sha256-${hash.replace(/[+/]/g, '\\$&')}'`));
  assert.match(csp, /default-src 'none'/);
  assert.equal(r.headers.get('cache-control'), 'no-store');
  const html = await r.text();
  assert.ok(html.includes(`<script>${FRAGMENT_SCRIPT}</script>`), 'the script is served byte for byte (its hash is in the CSP)');
  const data = JSON.parse(/<script type="application\/json" id="rehome-redirect">(.*?)<\/script>/s.exec(html)![1]!);
  assert.equal(data.c.length, 1);
  assert.equal(data.c[0].q, 'utm=1');
  assert.equal(data.fb, 'https://new.example/?utm=1#/@acme/so:123-ABC-456/engage');
  assert.match(html, /<noscript><p><a id="continue" href="https:\/\/new.example\/\?utm=1#\/@acme\/so:123-ABC-456\/engage">/);
  assert.equal((html.match(/<script/g) ?? []).length, 2);
});

test('the page data cannot break out of its script element', async (t) => {
  const { port } = await withServer(t);
  const r = await raw(port, '/app-ab12/?q=</script><script>alert(1)</script>');
  assert.equal(r.status, 200);
  assert.equal((r.body.match(/<script/g) ?? []).length, 2);
  assert.ok(!r.body.includes('</script><script>alert'));
});

const attacks = [
  '//evil.example/app-ab12/files/x',
  '/app-ab12/files//evil.example/x',
  '/app-ab12/files/https:evil.example',
  '/app-ab12/files/https://evil.example',
  '/app-ab12/files/@evil.example',
  '/app-ab12/files/user:pass@evil.example',
  '/app-ab12/files/%2F%2Fevil.example',
  '/app-ab12/files/%40evil.example',
  '/app-ab12/files/..%2F..%2F..%2Fevil',
];
for (const target of attacks) {
  test(`no open redirect: ${target} never leaves the allow-list`, async (t) => {
    const { port } = await withServer(t);
    const r = await raw(port, target);
    if (r.status >= 300 && r.status < 400) {
      const location = new URL(r.headers.location!);
      assert.equal(location.origin, 'https://new.example', r.headers.location);
      assert.equal(location.username + location.password, '');
    } else {
      assert.ok(r.status === 404 || r.status === 400, String(r.status));
    }
  });
}

const refused = [
  ['encoded CR LF', '/app-ab12/files/%0d%0aLocation:%20https://evil.example'],
  ['encoded NUL', '/app-ab12/files/a%00b'],
  ['raw backslash', '/app-ab12/files/\\evil.example'],
  ['encoded backslash', '/app-ab12/files/%5C%5Cevil.example'],
  ['bad UTF-8 escape', '/app-ab12/files/%E0%A4%A'],
  ['absolute-form target', 'http://evil.example/app-ab12/files/x'],
  ['encoded DEL', '/app-ab12/files/%7F'],
] as const;
for (const [name, target] of refused) {
  test(`refused with a 400 page: ${name}`, async (t) => {
    const { port } = await withServer(t);
    const r = await raw(port, target);
    assert.equal(r.status, 400);
    assert.equal(r.headers.location, undefined);
    assert.match(r.body, /This link cannot be forwarded/);
    assert.ok(!r.body.includes('evil'), 'the page does not echo the request');
  });
}

test('rules naming hosts ignore other Host headers', async (t) => {
  const rules = compileUrlRules({ allowedHosts: ['new.example'], rules: [{ match: { hosts: ['old.example'], path: '/a' }, target: 'https://new.example/a' }] });
  const server = await startRedirectServer({ rules });
  t.after(() => server.close());
  const port = Number(new URL(server.url).port);
  assert.equal((await raw(port, '/a', 'old.example')).status, 301);
  assert.equal((await raw(port, '/a', 'OLD.example:80')).status, 301);
  assert.equal((await raw(port, '/a', 'evil.example')).status, 404);
  assert.equal((await raw(port, '/a', 'old.example@evil.example')).status, 404);
});

test('unmatched URLs are counted per path pattern, without query values', async (t) => {
  const { server, port } = await withServer(t);
  for (const id of ['12345', '67890']) {
    const r = await fetch(`${server.url}/old/report/${id}?token=s3cret&view=full`);
    assert.equal(r.status, 404);
    assert.match(await r.text(), /no new address yet/);
  }
  await raw(port, '/old/report/1', 'other.host:8080');
  const r = await fetch(`${server.url}/redirects/unmatched.json`);
  assert.equal(r.status, 200);
  const text = await r.text();
  assert.ok(!text.includes('s3cret'));
  assert.deepEqual(JSON.parse(text).entries, [
    { host: new URL(server.url).host, pattern: '/old/report/{n}', count: 2, queryNames: ['token', 'view'], firstSeen: '2026-05-01T00:00:00.000Z', lastSeen: '2026-05-01T00:00:00.000Z' },
    { host: 'other.host:8080', pattern: '/old/report/{n}', count: 1, queryNames: [], firstSeen: '2026-05-01T00:00:00.000Z', lastSeen: '2026-05-01T00:00:00.000Z' },
  ]);
});

test('the unmatched log can require a bearer token', async (t) => {
  const { server } = await withServer(t, { unmatchedAccess: { bearerToken: 'sekret-token' } });
  assert.equal((await fetch(`${server.url}/redirects/unmatched.json`)).status, 403);
  assert.equal((await fetch(`${server.url}/redirects/unmatched.json`, { headers: { authorization: 'Bearer wrong' } })).status, 403);
  assert.equal((await fetch(`${server.url}/redirects/unmatched.json`, { headers: { authorization: 'Bearer sekret-token' } })).status, 200);
  assert.equal((await fetch(`${server.url}/redirects/unmatched.json`, { method: 'POST', headers: { authorization: 'Bearer sekret-token' } })).status, 405);
});

test('mounted: answers matched old URLs, leaves everything else to the next handler', async (t) => {
  const unmatched = createMemoryUnmatchedLog();
  const rules = compileUrlRules({ allowedHosts: ['new.example'], rules: [{ match: { hosts: ['old.example'], path: '/a' }, target: 'https://new.example/a' }] });
  const handle = createRedirectHandler({ rules, unmatched, mode: 'mounted' });
  const server = createServer(async (req, res) => {
    if (await handle(req, res)) return;
    res.writeHead(418).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));
  const port = (server.address() as AddressInfo).port;
  assert.equal((await raw(port, '/a', 'old.example')).status, 301);
  assert.equal((await raw(port, '/ims/login', '127.0.0.1')).status, 418);
  assert.equal((await raw(port, '/b', 'old.example')).status, 418);
  assert.equal((await raw(port, 'http://x/a', 'old.example')).status, 418);
  assert.deepEqual(unmatched.list().map((e) => [e.host, e.pattern]), [['old.example', '/b']]);
});

test('mounted with a guide: an unmatched old URL gets a page with the product\'s new home and the help page, and is still logged without its values', async (t) => {
  const unmatched = createMemoryUnmatchedLog();
  const rules = compileUrlRules({ allowedHosts: ['new.example'], rules: [{ match: { hosts: ['old.example', 'other.example'], path: '/a' }, target: 'https://new.example/a' }] });
  const guide = { productName: 'Engage', productUrl: 'https://new.example/', helpUrl: (host: string) => (host === 'old.example' ? 'https://rehome.example/help/123-ABC-456' : undefined) };
  const handle = createRedirectHandler({ rules, unmatched, mode: 'mounted', guide });
  const server = createServer(async (req, res) => {
    if (await handle(req, res)) return;
    res.writeHead(418).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));
  const port = (server.address() as AddressInfo).port;

  const page = await raw(port, '/reports/12345?token=s3cret', 'old.example');
  assert.equal(page.status, 404);
  assert.match(page.body, /This link has no new address yet/);
  assert.match(page.body, /Engage's new home: <a id="product-home" href="https:\/\/new\.example\/">/);
  assert.match(page.body, /<a id="help-page" href="https:\/\/rehome\.example\/help\/123-ABC-456">What changes for you<\/a>/);
  assert.match(page.body, /without anything that identifies you/);
  assert.doesNotMatch(page.body, /s3cret/);
  assert.doesNotMatch((await raw(port, '/b', 'other.example')).body, /help-page/, 'a host whose rules name no one subscription links no help page');
  assert.equal((await raw(port, '/ims/login', '127.0.0.1')).status, 418, 'other hosts are still left to the next handler');
  assert.deepEqual(unmatched.list().map((e) => [e.host, e.pattern, e.queryNames]).sort(), [['old.example', '/reports/{n}', ['token']], ['other.example', '/b', []]]);

  // The service sends people only where its rules may: a product home outside the allow-list is not linked.
  const elsewhere = createRedirectHandler({ rules, mode: 'mounted', guide: { ...guide, productUrl: 'https://evil.example/' } });
  const body = await new Promise<string>((resolve) => {
    const s = createServer(async (req, res) => { await elsewhere(req, res); });
    s.listen(0, '127.0.0.1', async () => {
      const r = await raw((s.address() as AddressInfo).port, '/zzz', 'old.example');
      s.closeAllConnections();
      s.close(() => resolve(r.body));
    });
  });
  assert.doesNotMatch(body, /evil\.example/);
  assert.match(body, /help-page/);
});

test('subscriptionByHost: a host whose rules name one subscription links its help page; none or several, no page', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rules-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'rules.json');
  writeFileSync(file, JSON.stringify({ rules: [
    { match: { hosts: ['Old.example'], path: '/a' }, target: 'https://new.example/a', subscription: 'S1' },
    { match: { hosts: ['old.example', 'shared.example'], path: '/b' }, target: 'https://new.example/b', subscription: 'S1' },
    { match: { hosts: ['shared.example'], path: '/c' }, target: 'https://new.example/c', subscription: 'S2' },
    { match: { hosts: ['plain.example'], path: '/d' }, target: 'https://new.example/d' },
  ] }));
  assert.deepEqual([...subscriptionByHost(file)], [['old.example', 'S1']]);
});
