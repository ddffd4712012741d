// Issue 11 item 5: `--out FILE` writes only regular files. A device, a FIFO or a directory stops the real `rehome`
// process with exit 2 and the path named, before the report is written, and the special file stays as it was.
import { runRehome, tempDir as tempDirOf } from '../support/rehome-cli.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../../', import.meta.url).pathname;
const ex = (f: string) => join(root, 'examples/acme', f);
const files = ['--users', ex('users.csv'), '--ims', ex('ims-directory.csv'), '--subscription', ex('subscription.json')];



function assertRefused(r: { code: number | null; err: string }, path: string, what: RegExp): void {
  assert.equal(r.code, 2, r.err);
  assert.ok(r.err.includes(`${path}: output goes only to a regular file`), r.err);
  assert.match(r.err, what);
}

test('--out /dev/full and --out /dev/null: exit 2, the device named and left a device', { skip: !existsSync('/dev/full') }, (t) => {
  const dir = tempDir(t);
  for (const device of ['/dev/full', '/dev/null']) {
    const before = statSync(device);
    assertRefused(rehome(['readiness', ...files, '--format', 'json', '--out', device], dir), device, /character device; nothing was written/);
    const after = statSync(device);
    assert.ok(after.isCharacterDevice(), `${device} is still a device`);
    assert.equal(after.ino, before.ino);
  }
  assert.deepEqual(readdirSync(dir), [], 'no temporary file left');
});

test('--out naming a directory or a FIFO: exit 2, nothing written, no hang', { skip: process.platform === 'win32' }, (t) => {
  const dir = tempDir(t);
  mkdirSync(join(dir, 'reports'));
  assertRefused(rehome(['readiness', ...files, '--out', 'reports'], dir), 'reports', /a directory/);
  assert.equal(spawnSync('mkfifo', [join(dir, 'pipe')]).status, 0);
  assertRefused(rehome(['readiness', ...files, '--out', 'pipe'], dir), 'pipe', /FIFO/);
  assert.ok(statSync(join(dir, 'pipe')).isFIFO());
  assert.deepEqual(readdirSync(dir).sort(), ['pipe', 'reports']);
  assert.deepEqual(readdirSync(join(dir, 'reports')), []);
});

test('a regular --out file is still written whole (exit 3: the example has blocked users)', (t) => {
  const dir = tempDir(t);
  const r = rehome(['readiness', ...files, '--format', 'json', '--out', 'r.json'], dir);
  assert.equal(r.code, 3, r.err);
  assert.equal((JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')) as { summary: { total: number } }).summary.total, 300);
  assert.deepEqual(readdirSync(dir), ['r.json']);
});

function rehome(args: string[], cwd: string) {
  return runRehome(args, cwd, { timeoutMs: 30000 });
}

function tempDir(t: { after(fn: () => void): void }): string {
  return tempDirOf(t, 'rehome-hardening-');
}
