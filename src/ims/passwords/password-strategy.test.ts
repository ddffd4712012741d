import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import bcrypt from 'bcryptjs';
import { sqliteTestDatabase, type TestDatabase } from '../../../test/e2e/support/test-databases.ts';
import type { StoreAdapter } from '../../store/open-store.ts';
import type { ImsDirectoryService } from '../directory/ims-directory.ts';
import { createStoreImsDirectory } from '../directory/store-ims-directory.ts';
import { verifyPassword } from './legacy-hash.ts';
import { signInWithLazyMigration, type LegacyPasswordVerifier } from './password-strategy.ts';

let database: TestDatabase;
let store: StoreAdapter;
let directory: ImsDirectoryService;
before(async () => {
  database = sqliteTestDatabase('lazypw');
  store = await database.open();
  directory = createStoreImsDirectory(store);
});
after(async () => {
  await store[Symbol.asyncDispose]();
  await database.drop();
});

/** The product's own password check, in process: product user id -> bcrypt hash, counting calls. */
function productVerifier(users: Record<string, string>) {
  const calls: string[] = [];
  const verifier: LegacyPasswordVerifier = {
    async verify(user, password) {
      calls.push(user.productUserId ?? user.email);
      const hash = user.productUserId === undefined ? undefined : users[user.productUserId];
      return hash !== undefined && bcrypt.compare(password, hash);
    },
  };
  return { verifier, calls };
}

test('lazy: the first sign-in asks the product, stores argon2id, never verifies the email; later ones stay local', async () => {
  const { verifier, calls } = productVerifier({ 'p-1': await bcrypt.hash('legacy-secret', 4) });
  const created = await directory.createAccount({ email: 'lazy@example.test' });
  const account = () => directory.getAccount(created.id).then((a) => a!);

  assert.deepEqual(
    await signInWithLazyMigration({ directory, verifier, strategy: 'lazy', account: await account(), productUserId: 'p-1', password: 'wrong' }),
    { ok: false, reason: 'invalid_credentials' },
  );
  assert.equal((await account()).passwordHash, null);

  const first = await signInWithLazyMigration({ directory, verifier, strategy: 'lazy', account: await account(), productUserId: 'p-1', password: 'legacy-secret' });
  assert.deepEqual(first, { ok: true, migrated: true, rehashed: true });
  const after = await account();
  assert.match(after.passwordHash ?? '', /^\$argon2id\$/);
  assert.equal(after.emailVerified, false, 'knowing a password proves nothing about the mailbox');
  assert.deepEqual(await verifyPassword(after.passwordHash!, 'legacy-secret'), { ok: true, needsRehash: false });

  const second = await signInWithLazyMigration({ directory, verifier, strategy: 'lazy', account: after, productUserId: 'p-1', password: 'legacy-secret' });
  assert.deepEqual(second, { ok: true, migrated: false, rehashed: false });
  assert.deepEqual(calls, ['p-1', 'p-1'], 'the product is not asked once the IMS has a hash');
});

test('import_hashes: an imported bcrypt hash signs in and is replaced by argon2id; email stays unverified', async () => {
  const { verifier, calls } = productVerifier({});
  const created = await directory.createAccount({ email: 'imported@example.test', passwordHash: await bcrypt.hash('kept-password', 4) });
  const result = await signInWithLazyMigration({ directory, verifier, strategy: 'import_hashes', account: created, password: 'kept-password' });
  assert.deepEqual(result, { ok: true, migrated: false, rehashed: true });
  const after = (await directory.getAccount(created.id))!;
  assert.match(after.passwordHash ?? '', /^\$argon2id\$/);
  assert.equal(after.emailVerified, false);
  assert.deepEqual(calls, []);
});

test('invite: no hash means no sign-in, and the product is never asked; disabled accounts are refused', async () => {
  const { verifier, calls } = productVerifier({ 'p-2': await bcrypt.hash('pw-123456', 4) });
  const created = await directory.createAccount({ email: 'invited@example.test' });
  assert.deepEqual(
    await signInWithLazyMigration({ directory, verifier, strategy: 'invite', account: created, productUserId: 'p-2', password: 'pw-123456' }),
    { ok: false, reason: 'no_password' },
  );
  assert.deepEqual(
    await signInWithLazyMigration({ directory, verifier, strategy: 'lazy', account: { ...created, status: 'disabled' }, productUserId: 'p-2', password: 'pw-123456' }),
    { ok: false, reason: 'account_disabled' },
  );
  assert.deepEqual(calls, []);
});
