// rehome verify: before/after access from files (users CSV, access JSON), from the store's snapshot, and live from
// the reference product's API; exit 3 when anybody lost access.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyCommand } from '../../src/cli/commands/verify.ts';
import { readProductUsers } from '../../src/importers/product-users.ts';
import { accessSnapshotFromUsers } from '../../src/core/access/access-snapshot.ts';
import { openStore } from '../../src/app/rehome-store.ts';
import { seedEngage } from '../../examples/engage/seed.ts';
import { startEngage } from '../../examples/engage/src/engage-server.ts';
import { replaceAccess } from '../../examples/engage/src/users/access-writes.ts';
import { writeExports } from '../../examples/engage/src/exports/export-files.ts';
import { runCommand } from './rewrite-links-support.ts';

const root = new URL('../../', import.meta.url).pathname;
const usersCsv = join(root, 'examples/acme/users.csv');

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'rehome-verify-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('the same export before and after: nobody lost access, exit 0', async (t) => {
  const dir = tempDir(t);
  const r = await runCommand(verifyCommand, ['--before', usersCsv, '--after', usersCsv], dir);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^Access check: 300 users before, 300 after; 300 unchanged, 0 lost access, 0 changed, 0 gained/);
  assert.match(r.out, /Nobody lost access\./);
});

test('lost, reassigned, role changed and missing users are reported per user; exit 3', async (t) => {
  const dir = tempDir(t);
  const after = accessSnapshotFromUsers(readProductUsers(usersCsv));
  const [a, b, c] = after.users;
  const lostGrant = a!.grants.pop()!;
  b!.grants = b!.grants.map((g, i) => (i === 0 ? { ...g, partition: `${g.partition}-2` } : g));
  c!.grants = c!.grants.map((g, i) => (i === 0 ? { ...g, role: 'Viewer' } : g));
  const missing = after.users.splice(3, 1)[0]!;
  after.users.push({ id: 'new-user', grants: [] });
  writeFileSync(join(dir, 'after.json'), JSON.stringify(after));
  const r = await runCommand(verifyCommand, ['--before', usersCsv, '--after', join(dir, 'after.json')], dir);
  assert.equal(r.code, 3, r.err);
  assert.match(r.out, /296 unchanged, 2 lost access, 2 changed, 1 gained/);
  assert.ok(r.out.includes(`LOSS   ${a!.id} <${a!.email}>  lost ${lostGrant.workspace}/${lostGrant.partition}:${lostGrant.role}`), r.out);
  assert.ok(r.out.includes(`LOSS   ${missing.id}`) && r.out.includes('user missing afterwards'));
  assert.match(r.out, new RegExp(`CHANGE ${b!.id} .*partition reassigned in`));
  assert.match(r.out, new RegExp(`CHANGE ${c!.id} .*role changed in .* -> Viewer`));
  assert.match(r.out, /GAIN {3}new-user/);
  assert.match(r.out, /Some users LOST access/);
  const json = await runCommand(verifyCommand, ['--before', usersCsv, '--after', join(dir, 'after.json'), '--format', 'json'], dir);
  const diff = JSON.parse(json.out);
  assert.equal(diff.summary.anyLoss, true);
  assert.deepEqual(diff.summary.bySeverity, { loss: 2, change: 2, gain: 1 });
});

test('bad input: usage and file errors exit 2', async (t) => {
  const dir = tempDir(t);
  assert.equal((await runCommand(verifyCommand, ['--after', usersCsv], dir)).code, 2);
  assert.equal((await runCommand(verifyCommand, ['--before', join(dir, 'nope.csv'), '--after', usersCsv], dir)).code, 2);
  writeFileSync(join(dir, 'bad.json'), JSON.stringify({ users: [{ id: 'x', access: 'not-a-grant' }] }));
  const r = await runCommand(verifyCommand, ['--before', usersCsv, '--after', join(dir, 'bad.json')], dir);
  assert.equal(r.code, 2);
  assert.match(r.err, /bad.json: users\[0\].access: "not-a-grant" is not Workspace\/Partition:Role/);
});

test('before from the stored snapshot, after read live from the product; --save-after keeps the snapshot', async (t) => {
  const dir = tempDir(t);
  const token = 'verify-test-rehome-token-0123456789';
  const engage = await startEngage({ dbPath: join(dir, 'engage.db'), rehomeApiToken: token });
  t.after(() => engage.close());
  const logins = await seedEngage(engage.db, { baseUrl: engage.url, users: 40 });
  const files = writeExports(engage.db, logins.subscriptionId, join(dir, 'export'));
  const users = readProductUsers(files.users);
  {
    await using store = await openStore({ kind: 'sqlite', path: join(dir, 'rehome.db') });
    await store.saveSnapshot({ subscription: { id: logins.subscriptionId, name: 'Acme', timeZone: 'UTC', admins: [], imsOrg: { id: 'O', name: 'Acme', claimedDomains: [], ssoConfigured: false } }, users, ims: { accounts: [] }, sources: {}, at: '2026-04-01T00:00:00Z' });
  }
  writeFileSync(join(dir, 'token'), token);
  const live = ['--before-stored', logins.subscriptionId, '--product-url', `${engage.url}/api/rehome/v1`, '--subscription', logins.subscriptionId, '--product-token-file', join(dir, 'token'), '--db', join(dir, 'rehome.db')];
  const same = await runCommand(verifyCommand, live, dir);
  assert.equal(same.code, 0, same.err + same.out);
  assert.match(same.out, /40 unchanged, 0 lost access/);
  const victim = users.find((u) => u.access.length > 0 && !u.apiOnly)!;
  replaceAccess(engage.db, logins.subscriptionId, victim.id, [{ ...victim.access[0]!, partition: 'Archive' }]);
  const r = await runCommand(verifyCommand, [...live, '--save-after', join(dir, 'after.json')], dir);
  assert.equal(r.code, victim.access.length > 1 ? 3 : 0, r.out);
  assert.match(r.out, new RegExp(`${victim.id} .*partition reassigned in ${victim.access[0]!.workspace} \\(${victim.access[0]!.role}\\): ${victim.access[0]!.partition} -> Archive`));
  const saved = JSON.parse(readFileSync(join(dir, 'after.json'), 'utf8'));
  assert.equal(saved.users.length, 40);
  assert.equal(saved.takenAt, '2026-05-01T09:00:00.000Z');
});
