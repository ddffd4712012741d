import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliError } from './cli-error.ts';
import { writeOutputFile } from './write-output.ts';

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'rehome-out-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function refused(path: string, what: RegExp): (e: unknown) => boolean {
  return (e) => e instanceof CliError && e.code === 'output_not_a_file' && e.exitCode === 2 && e.message.startsWith(`${path}: `) && what.test(e.message);
}

test('a new file and an existing one are written whole; the existing one keeps its mode; no temporary file stays', (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'report.json');
  writeOutputFile(path, 'first\n');
  assert.equal(readFileSync(path, 'utf8'), 'first\n');
  chmodSync(path, 0o600);
  writeOutputFile(path, 'second\n');
  assert.equal(readFileSync(path, 'utf8'), 'second\n');
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.deepEqual(readdirSync(dir), ['report.json']);
});

test('devices are refused and left as they are: /dev/full, /dev/null', { skip: !existsSync('/dev/full') }, () => {
  for (const device of ['/dev/full', '/dev/null']) {
    const before = statSync(device);
    assert.throws(() => writeOutputFile(device, 'report'), refused(device, /character device/));
    const after = statSync(device);
    assert.ok(after.isCharacterDevice());
    assert.equal(after.rdev, before.rdev);
    assert.equal(after.ino, before.ino);
  }
});

test('a directory is refused', (t) => {
  const dir = tempDir(t);
  mkdirSync(join(dir, 'reports'));
  assert.throws(() => writeOutputFile(join(dir, 'reports'), 'x'), refused(join(dir, 'reports'), /a directory/));
  assert.deepEqual(readdirSync(dir), ['reports']);
});

test('a FIFO is refused without being opened (no reader: opening it would block forever)', { skip: process.platform === 'win32' }, (t) => {
  const dir = tempDir(t);
  const fifo = join(dir, 'pipe');
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
  assert.throws(() => writeOutputFile(fifo, 'x'), refused(fifo, /FIFO/));
  assert.ok(statSync(fifo).isFIFO());
  assert.deepEqual(readdirSync(dir), ['pipe']);
});

test('a socket is refused and stays a socket', { skip: process.platform === 'win32' }, async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'sock');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(path, resolve));
  t.after(() => server.close());
  assert.throws(() => writeOutputFile(path, 'x'), refused(path, /socket/));
  assert.ok(statSync(path).isSocket());
});

test('a symlink to a device is refused too (the target decides)', { skip: !existsSync('/dev/null') }, (t) => {
  const dir = tempDir(t);
  const link = join(dir, 'out.json');
  symlinkSync('/dev/null', link);
  assert.throws(() => writeOutputFile(link, 'x'), refused(link, /character device/));
  assert.ok(statSync('/dev/null').isCharacterDevice());
});

test('an unwritable place is output_unwritable (exit 1) and leaves nothing behind', (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'missing-dir', 'report.json');
  assert.throws(() => writeOutputFile(path, 'x'), (e: unknown) => e instanceof CliError && e.code === 'output_unwritable' && e.exitCode === 1);
  assert.deepEqual(readdirSync(dir), []);
});
