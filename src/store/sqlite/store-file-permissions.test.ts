import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { openStoreWith } from '../open-store.ts';
import { StoreError } from '../store-error.ts';
import { prepareStoreFile } from './store-file-permissions.ts';

const mode = (path: string): number => statSync(path).mode & 0o777;

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'rehome-perm-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('a new store: directory 0700, database, -wal and -shm 0600, whatever the umask leaves', async (t) => {
  const root = tempDir(t);
  const path = join(root, 'a', 'b', 'rehome.db');
  // umask 0 would let a plain mkdir/open give 0777/0666: the modes must come from Rehome, not from the umask.
  const before = process.umask(0);
  try {
    await using store = await openStoreWith({ kind: 'sqlite', path }, []);
    await sql`create table t (x)`.execute(store.kysely);
    await sql`insert into t values (1)`.execute(store.kysely);
    assert.equal(mode(join(root, 'a')), 0o700);
    assert.equal(mode(join(root, 'a', 'b')), 0o700);
    assert.equal(mode(path), 0o600);
    assert.equal(mode(`${path}-wal`), 0o600);
    assert.equal(mode(`${path}-shm`), 0o600);
  } finally {
    process.umask(before);
  }
});

test('an existing store open to group or others is refused with the chmod that fixes it', async (t) => {
  const root = tempDir(t);
  const dir = join(root, 'store dir');
  mkdirSync(dir, { mode: 0o700 });
  const path = join(dir, 'rehome.db');
  writeFileSync(path, '');
  chmodSync(path, 0o644);
  await assert.rejects(openStoreWith({ kind: 'sqlite', path }, []), (e: unknown) => {
    assert.ok(e instanceof StoreError);
    assert.equal(e.code, 'store_permissions');
    assert.ok(e.message.includes(`chmod 600 '${path}'`), e.message);
    assert.match(e.message, /mode 644/);
    return true;
  });
  assert.equal(mode(path), 0o644, 'refusing changes nothing');
});

test('a loose directory, or a loose -wal beside a tight database, is refused too', (t) => {
  const root = tempDir(t);
  const dir = join(root, 'shared');
  mkdirSync(dir);
  chmodSync(dir, 0o750);
  const path = join(dir, 'rehome.db');
  assert.throws(() => prepareStoreFile(path), (e: unknown) => e instanceof StoreError && e.code === 'store_permissions' && e.message.includes(`chmod 700 ${dir}`));
  chmodSync(dir, 0o700);
  prepareStoreFile(path);
  writeFileSync(`${path}-wal`, '', { mode: 0o640 });
  chmodSync(`${path}-wal`, 0o640);
  assert.throws(() => prepareStoreFile(path), (e: unknown) => e instanceof StoreError && e.code === 'store_permissions' && e.message.includes(`chmod 600 ${path}-wal`));
});

test('a tight existing store opens; :memory: needs no file at all', async (t) => {
  const root = tempDir(t);
  const path = join(root, 'rehome.db');
  writeFileSync(path, '', { mode: 0o600 });
  await using store = await openStoreWith({ kind: 'sqlite', path }, []);
  assert.equal(mode(path), 0o600);
  await using memory = await openStoreWith({ kind: 'sqlite', path: ':memory:' }, []);
  assert.equal(memory.dialect, 'sqlite');
  assert.equal(store.dialect, 'sqlite');
});

test('a path that is a directory stays store_unavailable (SQLite refuses it), not a permissions error', async (t) => {
  const root = tempDir(t);
  await assert.rejects(openStoreWith({ kind: 'sqlite', path: root }, []), { name: 'StoreError', code: 'store_unavailable' });
});
