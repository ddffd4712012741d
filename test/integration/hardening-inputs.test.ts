// Issue 11 item 5: input files that are not regular files, or hold JSON nested too deep, or values that are too
// long or could reach a path, stop the real `rehome` process with exit 2 and the file named: never a hang, never a
// stack overflow, nothing stored.
import { runRehome, tempDir as tempDirOf } from '../support/rehome-cli.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

const root = new URL('../../', import.meta.url).pathname;
const ex = (f: string) => join(root, 'examples/acme', f);



const inputs = (o: { users?: string; ims?: string; subscription?: string } = {}) => [
  '--users', o.users ?? ex('users.csv'), '--ims', o.ims ?? ex('ims-directory.csv'), '--subscription', o.subscription ?? ex('subscription.json'),
];

function assertRefused(r: { code: number | null; err: string }, path: string, what: RegExp): void {
  assert.equal(r.code, 2, r.err);
  assert.ok(r.err.includes(path), r.err);
  assert.match(r.err, what);
  assert.doesNotMatch(r.err, /Maximum call stack|unexpected error/);
}

test('a FIFO as --users is refused at once (exit 2, named), not waited on', { skip: process.platform === 'win32' }, (t) => {
  const dir = tempDir(t);
  const fifo = join(dir, 'users.csv');
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
  assertRefused(rehome(['import', ...inputs({ users: fifo })], dir), fifo, /FIFO \(named pipe\), not a regular file/);
  assert.equal(existsSync(join(dir, '.rehome')), false, 'nothing stored');
});

test('a device, a directory and a socket as inputs are refused with exit 2 and the path named', { skip: !existsSync('/dev/zero') }, async (t) => {
  const dir = tempDir(t);
  assertRefused(rehome(['readiness', ...inputs({ ims: '/dev/zero' })], dir), '/dev/zero', /character device, not a regular file/);
  mkdirSync(join(dir, 'subscription.json'));
  assertRefused(rehome(['readiness', ...inputs({ subscription: join(dir, 'subscription.json') })], dir), join(dir, 'subscription.json'), /a directory, not a regular file/);
  const socket = join(dir, 'users.csv');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  t.after(() => server.close());
  assertRefused(rehome(['readiness', ...inputs({ users: socket })], dir), socket, /a socket, not a regular file/);
});

test('a subscription nested 100,000 levels deep is exit 2 at its line and column, not a stack overflow', (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'subscription.json');
  writeFileSync(file, `{\n  "id": ${'['.repeat(100_000)}${']'.repeat(100_000)}\n}\n`);
  assertRefused(rehome(['readiness', ...inputs({ subscription: file })], dir), `${file}:2:${9 + 63}: expected at most 64 levels`, /nested arrays and objects/);
});

test('a users JSON-lines file with one line nested too deep is exit 2 naming that line', (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'users.jsonl');
  const user = (id: string, extra = '') => `{"id":"${id}","login":"${id}","email":"${id}@example.com","email_verified":true,"first_name":"A","last_name":"B","status":"active","api_only":false,"sso":false,"last_login":null,"access":""${extra}}`;
  writeFileSync(file, `${user('1001')}\n${user('1002', `,"prefs":${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}`)}\n`);
  const r = rehome(['import', ...inputs({ users: file })], dir);
  assertRefused(r, `${file}:2:`, /expected at most 64 levels/);
  assert.match(r.err, /Nothing was stored/);
});

test('a subscription id that could reach a path, and an over-long email, are exit 2 at their place; nothing stored', (t) => {
  const dir = tempDir(t);
  const sub = join(dir, 'subscription.json');
  writeFileSync(sub, JSON.stringify({ ...JSON.parse(readFileSync(ex('subscription.json'), 'utf8')), id: '../../etc/passwd' }, null, 2));
  assertRefused(rehome(['import', ...inputs({ subscription: sub })], dir), `${sub}:2:9: id: expected a subscription id`, /"\.\.\/\.\.\/etc\/passwd"/);
  const users = join(dir, 'users.csv');
  const lines = readFileSync(ex('users.csv'), 'utf8').split('\n');
  const cells = lines[1]!.split(',');
  cells[2] = `${'a'.repeat(400)}@example.com`;
  writeFileSync(users, [lines[0], cells.join(','), ...lines.slice(2)].join('\n'));
  assertRefused(rehome(['import', ...inputs({ users })], dir), `${users}:2:`, /email: expected at most 320 characters, got "a{80}…" \(412 characters\)/);
  assert.equal(existsSync(join(dir, '.rehome')), false, 'nothing stored');
});

function rehome(args: string[], cwd: string) {
  return runRehome(args, cwd, { timeoutMs: 30000 });
}

function tempDir(t: { after(fn: () => void): void }): string {
  return tempDirOf(t, 'rehome-hardening-');
}
