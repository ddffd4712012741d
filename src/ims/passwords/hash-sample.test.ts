import assert from 'node:assert/strict';
import { pbkdf2Sync } from 'node:crypto';
import { test } from 'node:test';
import bcrypt from 'bcryptjs';
import { checkHashSample } from './hash-sample.ts';

test('a sample passes only when every known password matches (all or nothing)', async () => {
  const good = [
    { hash: await bcrypt.hash('alpha-pass', 4), knownPassword: 'alpha-pass' },
    { hash: `pbkdf2_sha256$1000$salt1$${pbkdf2Sync('beta-pass', 'salt1', 1000, 32, 'sha256').toString('base64')}`, knownPassword: 'beta-pass' },
  ];
  const passed = await checkHashSample(good);
  assert.equal(passed.ok, true);
  assert.deepEqual(passed.families, { bcrypt: 1, 'django-pbkdf2-sha256': 1 });

  const failed = await checkHashSample([...good, { hash: good[0]!.hash, knownPassword: 'wrong' }, { hash: 'md5:abc', knownPassword: 'x' }]);
  assert.equal(failed.ok, false);
  assert.deepEqual(failed.failures.map((f) => [f.index, f.code]), [[2, 'mismatch'], [3, 'unsupported_format']]);
  assert.ok(failed.failures.every((f) => !f.message.includes(good[0]!.hash)));
});

test('an empty sample is not a pass', async () => {
  assert.equal((await checkHashSample([])).ok, false);
});
