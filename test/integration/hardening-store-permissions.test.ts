// Issue 11 item 5: the SQLite store holds user data and password hashes. The real `rehome` process creates it 0600
// in a 0700 directory, and refuses (non-zero exit, the path and the exact chmod named) one open to group or others.
import { runRehome, tempDir as tempDirOf } from '../support/rehome-cli.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../../', import.meta.url).pathname;
const ex = (f: string) => join(root, 'examples/acme', f);
const mode = (path: string): number => statSync(path).mode & 0o777;



test('rehome import creates .rehome 0700 and the store 0600', { skip: process.platform === 'win32' }, (t) => {
  const dir = tempDir(t);
  const r = rehome(['import', '--users', ex('users.csv'), '--ims', ex('ims-directory.csv'), '--subscription', ex('subscription.json')], dir);
  assert.equal(r.code, 0, r.err);
  assert.equal(mode(join(dir, '.rehome')), 0o700);
  assert.equal(mode(join(dir, '.rehome', 'rehome.db')), 0o600);
});

test('a store file open to others is refused: non-zero exit, store_permissions, the path and chmod 600', { skip: process.platform === 'win32' }, (t) => {
  const dir = tempDir(t);
  const db = join(dir, 'rehome.db');
  writeFileSync(db, '');
  chmodSync(db, 0o644);
  const r = rehome(['status', '--subscription', '123-ABC-456', '--db', db], dir);
  assert.notEqual(r.code, 0);
  assert.match(r.err, /store_permissions/);
  assert.ok(r.err.includes(`Run: chmod 600 ${db}`), r.err);
  assert.equal(mode(db), 0o644, 'Rehome does not change it itself');
});

test('a store directory open to group is refused with chmod 700; after the chmod the store opens', { skip: process.platform === 'win32' }, (t) => {
  const dir = tempDir(t);
  const shared = join(dir, 'shared');
  mkdirSync(shared);
  chmodSync(shared, 0o750);
  const args = ['status', '--subscription', '123-ABC-456', '--db', join(shared, 'rehome.db')];
  const refused = rehome(args, dir);
  assert.notEqual(refused.code, 0);
  assert.ok(refused.err.includes(`Run: chmod 700 ${shared}`), refused.err);
  chmodSync(shared, 0o700);
  const opened = rehome(args, dir);
  assert.doesNotMatch(opened.err, /store_permissions/);
  assert.equal(mode(join(shared, 'rehome.db')), 0o600);
});

function rehome(args: string[], cwd: string) {
  return runRehome(args, cwd, { timeoutMs: 60000 });
}

function tempDir(t: { after(fn: () => void): void }): string {
  return tempDirOf(t, 'rehome-hardening-');
}
