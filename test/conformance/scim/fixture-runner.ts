/**
 * Issue 15 item 3: replays a real provisioning client's recorded SCIM request sequences (JSON files under
 * `fixtures/`) against the real `rehome serve`, set up as docs/scim.md tells an admin: `rehome ims org create`,
 * `rehome ims client create`, a token from the printed token endpoint with HTTP Basic, then only HTTP on the
 * printed SCIM URL. One node:test test per fixture file, so a new sequence is a new JSON file.
 *
 * A fixture: `{ "description", "source", "steps": [Step...] }`. A step:
 * - `name`, `method`, `path` (after `scimUrl`, query included), optional `headers` and `body`;
 * - `status`: the expected status (or a list of acceptable ones, as the client accepts 200 or 204);
 * - `expect`: `{ "<JSON Pointer>": value }` checked on the response body (RFC 6901, e.g. `/Resources/0/id`);
 *   the value `"$present"` only asks that it exists, `"$absent"` that it does not;
 * - `save`: `{ "<name>": "<JSON Pointer>" }` keeps a response value for later steps as `{{name}}`.
 * `{{name}}` is replaced in paths, headers and body strings (ids returned by earlier steps, and `{{run}}`, unique
 * per run). Every JSON answer must be `application/scim+json` (Entra ID requires it).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ROOT, runRehome, tempDir } from '../../support/rehome-cli.ts';

export interface FixtureStep {
  name: string;
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: unknown;
  status: number | number[];
  expect?: Record<string, unknown>;
  save?: Record<string, string>;
}

export interface Fixture {
  description: string;
  source: string;
  steps: FixtureStep[];
}

const FIXTURES = new URL('./fixtures/', import.meta.url).pathname;

/** Registers one test per `fixtures/<prefix>*.json`, each against its own org on one `rehome serve`. */
export function runFixtures(prefix: string, orgDomain: string): void {
  const files = readdirSync(FIXTURES).filter((f) => f.startsWith(prefix) && f.endsWith('.json')).sort();
  assert.ok(files.length > 0, `no fixtures/${prefix}*.json`);
  const dir = tempDir({ after }, `rehome-fixtures-${prefix}`);
  const clients = new Map<string, Record<string, string>>();
  let serve: ChildProcess;

  before(async () => {
    const env = { REHOME_PORT: String(await freePort()), REHOME_LOG_LEVEL: 'warn' };
    // docs/scim.md "Connect Okta or Entra ID", step 1: the operator's CLI, one org (own claimed domain) per fixture.
    // Run before the server starts: a blocking CLI run would keep fetch from seeing idle keep-alive sockets close.
    const cli = (...args: string[]) => {
      const r = runRehome([...args, '--format', 'json'], dir, { env });
      assert.equal(r.code, 0, `rehome ${args.join(' ')}: ${r.err}`);
      return JSON.parse(r.out) as Record<string, string>;
    };
    for (const [index, file] of files.entries()) {
      const domain = `${index + 1}.${orgDomain}`;
      const org = cli('ims', 'org', 'create', '--name', file, '--domain', domain);
      clients.set(file, { ...cli('ims', 'client', 'create', '--org', org.id!, '--name', `${file} provisioning`), domain });
    }
    serve = spawn(process.execPath, [join(ROOT, 'bin/rehome.ts'), 'serve'], {
      cwd: dir, env: { ...process.env, REHOME_STORE: '', REHOME_DATABASE_URL: '', REHOME_PRODUCT_URL: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    serve.stderr!.on('data', (chunk: Buffer) => { err += chunk.toString(); });
    await new Promise<void>((resolve, reject) => {
      serve.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (/Rehome is serving on \S+/.test(out)) resolve();
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

  /** docs/scim.md step 2: a token from the printed token endpoint, the client authenticated with HTTP Basic. */
  async function connect(file: string): Promise<{ scimUrl: string; token: string; domain: string }> {
    const client = clients.get(file)!;
    const basic = Buffer.from(`${encodeURIComponent(client.clientId!)}:${encodeURIComponent(client.clientSecret!)}`).toString('base64');
    const response = await fetch(client.tokenEndpoint!, {
      method: 'POST', headers: { authorization: `Basic ${basic}` }, body: new URLSearchParams({ grant_type: 'client_credentials' }),
    });
    assert.equal(response.status, 200, await response.clone().text());
    return { scimUrl: client.scimUrl!, token: ((await response.json()) as { access_token: string }).access_token, domain: client.domain! };
  }

  for (const file of files) {
    const fixture = JSON.parse(readFileSync(join(FIXTURES, file), 'utf8')) as Fixture;
    test(`${file}: ${fixture.description}`, async () => {
      const { scimUrl, token, domain } = await connect(file);
      // `{{domain}}` is the org's claimed domain, so fixture users are accounts the org owns.
      const vars = new Map<string, string>([['run', String(Date.now())], ['domain', domain]]);
      for (const [index, step] of fixture.steps.entries()) {
        const where = `${file} step ${index + 1} "${step.name}"`;
        const body = step.body === undefined ? undefined : JSON.stringify(fill(step.body, vars));
        const headers: Record<string, string> = { authorization: `Bearer ${token}`, ...(fill(step.headers ?? {}, vars) as Record<string, string>) };
        if (body !== undefined) headers['content-type'] ??= 'application/scim+json';
        const response = await fetch(`${scimUrl}${fill(step.path, vars) as string}`, { method: step.method, headers, ...(body === undefined ? {} : { body }) });
        const text = await response.text();
        const json: unknown = text === '' ? undefined : JSON.parse(text);
        const allowed = Array.isArray(step.status) ? step.status : [step.status];
        assert.ok(allowed.includes(response.status), `${where}: ${step.method} ${step.path} answered ${response.status}, expected ${allowed.join(' or ')}: ${text}`);
        if (text !== '') assert.match(response.headers.get('content-type') ?? '', /^application\/scim\+json/, `${where}: content-type`);
        for (const [pointer, expected] of Object.entries(step.expect ?? {})) {
          const actual = resolve(json, pointer);
          if (expected === '$present') assert.notEqual(actual, undefined, `${where}: ${pointer} is missing in ${text}`);
          else if (expected === '$absent') assert.equal(actual, undefined, `${where}: ${pointer} should be absent in ${text}`);
          else assert.deepEqual(actual, fill(expected, vars), `${where}: ${pointer} in ${text}`);
        }
        for (const [name, pointer] of Object.entries(step.save ?? {})) {
          const value = resolve(json, pointer);
          assert.ok(typeof value === 'string' || typeof value === 'number', `${where}: nothing to save at ${pointer} in ${text}`);
          vars.set(name, String(value));
        }
      }
    });
  }
}

/** Replaces `{{name}}` in every string of a JSON value. */
function fill(value: unknown, vars: Map<string, string>): unknown {
  if (typeof value === 'string') {
    return value.replace(/\{\{(\w+)\}\}/g, (_whole, name: string) => {
      const v = vars.get(name);
      assert.ok(v !== undefined, `no saved value {{${name}}} yet`);
      return v;
    });
  }
  if (Array.isArray(value)) return value.map((v) => fill(v, vars));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v, vars)]));
  return value;
}

/** RFC 6901 JSON Pointer. */
function resolve(value: unknown, pointer: string): unknown {
  if (pointer === '') return value;
  let current = value;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

async function freePort(): Promise<number> {
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as { port: number };
  probe.close();
  await once(probe, 'close');
  return port;
}
