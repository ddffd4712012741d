import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, test } from 'node:test';
import { isIdpError } from '../../../ports/identity-provider.ts';
import { createScimClient, type ScimClientOptions } from './scim-client.ts';

type Step = (req: IncomingMessage, res: ServerResponse) => void;
let script: Step[] = [];
let seen: { method: string; url: string; auth: string }[] = [];
let server: Server;
let base: string;

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Step => (_req, res) => {
  res.writeHead(status, { 'content-type': 'application/scim+json', ...headers }).end(JSON.stringify(body));
};
const ok = json(200, { totalResults: 0, Resources: [] });
const scimError = (status: number, scimType: string | undefined, detail: string) =>
  json(status, { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: String(status), scimType, detail });

before(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.url === '/token') {
        seen.push({ method: req.method!, url: req.url, auth: req.headers.authorization ?? '' });
        json(200, { access_token: `tok-${seen.filter((s) => s.url === '/token').length}`, token_type: 'Bearer', expires_in: 3600 })(req, res);
        return;
      }
      seen.push({ method: req.method!, url: req.url!, auth: req.headers.authorization ?? '' });
      (script.shift() ?? ok)(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  script = [];
  seen = [];
});

function client(extra: Partial<ScimClientOptions> = {}) {
  const sleeps: number[] = [];
  const scim = createScimClient({
    baseUrl: `${base}/scim/v2/`,
    auth: { kind: 'static', token: 'static-token' },
    random: () => 0.5,
    sleep: async (ms) => { sleeps.push(ms); },
    backoff: { baseMs: 100, capMs: 10_000 },
    ...extra,
  });
  return { scim, sleeps };
}

const get = { operation: 'findUser', method: 'GET', path: '/Users', idempotent: true } as const;
const post = { operation: 'createUser', method: 'POST', path: '/Users', body: { userName: 'x' }, idempotent: false } as const;

describe('SCIM client', () => {
  test('429 waits out Retry-After (seconds and HTTP-date), then succeeds; even a POST, which was not processed', async () => {
    const { scim, sleeps } = client({ now: () => Date.parse('2025-01-01T00:00:00Z') });
    script = [json(429, {}, { 'retry-after': '2' }), json(429, {}, { 'retry-after': 'Wed, 01 Jan 2025 00:00:05 GMT' }), json(201, { id: 'u1' })];
    const res = await scim.request(post);
    assert.deepEqual([res.status, res.body], [201, { id: 'u1' }]);
    assert.deepEqual(sleeps, [2000, 5000]);
    assert.equal(seen[0]!.auth, 'Bearer static-token');
  });

  test('5xx on an idempotent request: full-jitter backoff, then success', async () => {
    const { scim, sleeps } = client();
    script = [json(503, {}), json(502, {}), ok];
    assert.equal((await scim.request(get)).status, 200);
    assert.deepEqual(sleeps, [50, 100]);
  });

  test('5xx on a POST is not repeated blindly: the caller must look up first', async () => {
    const { scim, sleeps } = client();
    script = [json(503, {})];
    await assert.rejects(scim.request(post), (e) => isIdpError(e, 'unavailable') && e.retryable && e.status === 503);
    assert.deepEqual(sleeps, []);
    assert.equal(seen.length, 1);
  });

  test('4xx fails at once with the operation, status, scimType and detail', async () => {
    const { scim, sleeps } = client();
    script = [scimError(400, 'invalidFilter', 'filter is malformed')];
    await assert.rejects(scim.request(get), (e) => {
      assert.ok(isIdpError(e, 'invalid_request'));
      assert.equal(e.retryable, false);
      assert.equal(e.scimType, 'invalidFilter');
      assert.equal(e.message, 'findUser: GET /Users answered HTTP 400 (scimType invalidFilter): filter is malformed');
      return true;
    });
    script = [scimError(409, 'uniqueness', 'userName taken')];
    await assert.rejects(scim.request(post), (e) => isIdpError(e, 'conflict') && e.status === 409);
    assert.deepEqual(sleeps, []);
  });

  test('a Retry-After beyond the allowed wait fails `throttled` with the wait, for the caller to schedule', async () => {
    const { scim, sleeps } = client({ maxRetryAfterMs: 60_000 });
    script = [json(429, {}, { 'retry-after': '3600' })];
    await assert.rejects(scim.request(get), (e) => isIdpError(e, 'throttled') && e.retryAfterMs === 3_600_000);
    assert.deepEqual(sleeps, []);
  });

  test('a slow answer times out per attempt; retries are bounded', async () => {
    const { scim } = client({ timeoutMs: 50, maxRetries: 1 });
    const slow: Step = (_req, res) => { setTimeout(() => res.writeHead(200).end('{}'), 300); };
    script = [slow, slow];
    await assert.rejects(scim.request(get), (e) => isIdpError(e, 'timeout') && e.retryable && /within 50 ms/.test(e.message));
    assert.equal(seen.length, 2);
  });

  test('client credentials: one token shared, refreshed once after a 401', async () => {
    const { scim } = client({ auth: { kind: 'client_credentials', tokenEndpoint: `${base}/token`, clientId: 'id:1', clientSecret: 's&cret' } });
    script = [ok, json(401, {}), ok];
    await Promise.all([scim.request(get), scim.request(get)]);
    const tokenCalls = seen.filter((s) => s.url === '/token');
    assert.equal(tokenCalls.length, 2, 'one token for the two parallel calls, one refresh after the 401');
    assert.equal(tokenCalls[0]!.auth, `Basic ${Buffer.from('id%3A1:s%26cret').toString('base64')}`);
    assert.deepEqual(seen.filter((s) => s.url !== '/token').map((s) => s.auth), ['Bearer tok-1', 'Bearer tok-1', 'Bearer tok-2']);
  });

  test('requestsPerMinute spaces real requests on the wire; stats report attempts and latency', async () => {
    const scim = createScimClient({ baseUrl: `${base}/scim/v2`, auth: { kind: 'static', token: 't' }, requestsPerMinute: 1200, concurrency: 4 });
    const started = Date.now();
    await Promise.all(Array.from({ length: 6 }, () => scim.request(get)));
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 240, `6 requests at 20/s took only ${elapsed} ms`);
    const stats = scim.stats();
    assert.equal(stats.attempts, 6);
    assert.equal(stats.retries, 0);
    assert.ok(stats.meanLatencyMs !== null && stats.meanLatencyMs >= 0);
  });

  test('a caller abort stops without retrying', async () => {
    const { scim } = client();
    const controller = new AbortController();
    script = [(_req, res) => { controller.abort(); setTimeout(() => res.writeHead(200).end('{}'), 50); }];
    await assert.rejects(scim.request({ ...get, signal: controller.signal }), (e) => isIdpError(e, 'aborted') && !e.retryable);
  });
});
