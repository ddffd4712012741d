import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImportError } from './import-error.ts';
import { checkInputFile, readTextFile } from './text-file.ts';

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'rehome-input-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function notRegular(path: string, what: RegExp): (e: unknown) => boolean {
  return (e) => e instanceof ImportError && e.code === 'not_a_regular_file' && e.file === path && e.message.startsWith(`${path}: `) && what.test(e.message);
}

test('a regular file is read; a missing one is file_unreadable, and checkInputFile says false', (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'users.csv'), 'id\n1\n');
  assert.equal(readTextFile(join(dir, 'users.csv')), 'id\n1\n');
  assert.equal(checkInputFile(join(dir, 'missing.csv')), false);
  assert.throws(() => readTextFile(join(dir, 'missing.csv')), { code: 'file_unreadable' });
});

// Opening a FIFO for reading blocks until a writer comes: if the check were missing, this test would hang, not fail.
test('a FIFO is refused without being opened', { skip: process.platform === 'win32', timeout: 10_000 }, (t) => {
  const fifo = join(tempDir(t), 'users.csv');
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
  assert.throws(() => checkInputFile(fifo), notRegular(fifo, /FIFO/));
  assert.throws(() => readTextFile(fifo), notRegular(fifo, /FIFO/));
});

test('devices are refused: /dev/zero would never end, /dev/null reads as empty', { skip: !existsSync('/dev/zero') }, () => {
  for (const device of ['/dev/zero', '/dev/null']) assert.throws(() => readTextFile(device), notRegular(device, /character device/));
});

test('a directory and a socket are refused', { skip: process.platform === 'win32' }, async (t) => {
  const dir = tempDir(t);
  assert.throws(() => readTextFile(dir), notRegular(dir, /a directory/));
  const socket = join(dir, 'sock');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  t.after(() => server.close());
  assert.throws(() => readTextFile(socket), notRegular(socket, /a socket/));
});
