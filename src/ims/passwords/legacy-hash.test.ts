import assert from 'node:assert/strict';
import { pbkdf2Sync, randomBytes, scryptSync } from 'node:crypto';
import { describe, test } from 'node:test';
import { hash as argon2Hash } from '@node-rs/argon2';
import bcrypt from 'bcryptjs';
import { hashPassword, identifyHash, LegacyHashError, verifyPassword } from './legacy-hash.ts';

const b64 = (buf: Buffer) => buf.toString('base64').replace(/=+$/, '');

async function assertVerifies(hash: string, password: string, needsRehash = true) {
  assert.deepEqual(await verifyPassword(hash, password), { ok: true, needsRehash });
  assert.equal((await verifyPassword(hash, `${password}x`)).ok, false);
}

describe('bcrypt', () => {
  test('hashes made by bcryptjs, in $2a$, $2b$ and $2y$ spellings', async () => {
    const hash = await bcrypt.hash('correct horse', 4);
    await assertVerifies(hash, 'correct horse');
    await assertVerifies(hash.replace(/^\$2b\$/, '$2a$'), 'correct horse');
    await assertVerifies(hash.replace(/^\$2b\$/, '$2y$'), 'correct horse');
  });
  test('published vectors (OpenWall crypt_blowfish test set)', async () => {
    await assertVerifies('$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW', 'U*U');
    await assertVerifies('$2a$05$CCCCCCCCCCCCCCCCCCCCC.VGOzA784oUp/Z0DY336zx7pLYAy0lwK', 'U*U*');
  });
});

describe('argon2', () => {
  test('current argon2id needs no rehash; weaker parameters and argon2i do', async () => {
    await assertVerifies(await hashPassword('pässwörd'), 'pässwörd', false);
    await assertVerifies(await argon2Hash('pässwörd', { memoryCost: 4096, timeCost: 1 }), 'pässwörd', true);
  });
  test('published vectors (phc-winner-argon2 README and test suite)', async () => {
    await assertVerifies('$argon2i$v=19$m=65536,t=2,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG', 'password');
    await assertVerifies('$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc', 'password', false);
  });
});

describe('scrypt', () => {
  test('PHC strings made with node:crypto', async () => {
    const salt = randomBytes(16);
    const key = scryptSync('s3cret', salt, 32, { N: 2 ** 14, r: 8, p: 1 });
    await assertVerifies(`$scrypt$ln=14,r=8,p=1$${b64(salt)}$${b64(key)}`, 's3cret');
  });
  test('published vectors: RFC 7914 section 12 in PHC form, and passlib documentation', async () => {
    const rfc = Buffer.from('fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640', 'hex');
    await assertVerifies(`$scrypt$ln=10,r=8,p=16$${b64(Buffer.from('NaCl'))}$${b64(rfc)}`, 'password');
    await assertVerifies('$scrypt$ln=16,r=8,p=1$aM15713r3Xsvxbi31lqr1Q$nFNh2CVHVjNldFVKDHDlm4CbdRSCdEBsjjJxD+iCs5E', 'password');
  });
});

describe('PBKDF2-SHA256', () => {
  test('PHC ($pbkdf2-sha256$i=) and passlib ($pbkdf2-sha256$N$, adapted base64) strings made with node:crypto', async () => {
    const salt = randomBytes(16);
    const key = pbkdf2Sync('hunter2!', salt, 1000, 32, 'sha256');
    await assertVerifies(`$pbkdf2-sha256$i=1000$${b64(salt)}$${b64(key)}`, 'hunter2!');
    await assertVerifies(`$pbkdf2-sha256$1000$${b64(salt).replace(/\+/g, '.')}$${b64(key).replace(/\+/g, '.')}`, 'hunter2!');
  });
  test('published vector: RFC 7914 section 11 (P="Password", S="NaCl", c=80000) in PHC form', async () => {
    const key = Buffer.from('4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d', 'hex');
    await assertVerifies(`$pbkdf2-sha256$i=80000$${b64(Buffer.from('NaCl'))}$${b64(key)}`, 'Password');
  });
  test('Django: generated, and the vector from Django\'s own hasher tests', async () => {
    const key = pbkdf2Sync('pw', 'abc123salt', 2000, 32, 'sha256').toString('base64');
    await assertVerifies(`pbkdf2_sha256$2000$abc123salt$${key}`, 'pw');
    await assertVerifies('pbkdf2_sha256$10000$seasalt$CWWFdHOWwPnki7HvkcqN9iA2T3KLW1cf2uZ5kvArtVY=', 'lètmein');
  });
});

describe('formats', () => {
  test('identifies each family', () => {
    assert.equal(identifyHash('$2y$10$abc'), 'bcrypt');
    assert.equal(identifyHash('$argon2id$v=19$m=1,t=1,p=1$x$y'), 'argon2');
    assert.equal(identifyHash('$scrypt$ln=1,r=1,p=1$x$y'), 'scrypt');
    assert.equal(identifyHash('$pbkdf2-sha256$i=1$x$y'), 'pbkdf2-sha256');
    assert.equal(identifyHash('pbkdf2_sha256$1$x$y'), 'django-pbkdf2-sha256');
    assert.equal(identifyHash('5f4dcc3b5aa765d61d8327deb882cf99'), undefined);
  });
  test('unsupported and malformed hashes throw coded errors that never echo the hash', async () => {
    await assert.rejects(verifyPassword('5f4dcc3b5aa765d61d8327deb882cf99', 'x'),
      (e) => e instanceof LegacyHashError && e.code === 'unsupported_format' && !e.message.includes('5f4dcc3b5aa7'));
    await assert.rejects(verifyPassword('$scrypt$ln=40,r=8,p=1$c2FsdA$aGFzaA', 'x'), (e) => e instanceof LegacyHashError && e.code === 'malformed_hash');
    await assert.rejects(verifyPassword('$pbkdf2-sha256$i=999999999$c2FsdA$aGFzaA', 'x'), (e) => e instanceof LegacyHashError && e.code === 'malformed_hash');
    await assert.rejects(verifyPassword('$2a$05$short', 'x'), (e) => e instanceof LegacyHashError && e.code === 'malformed_hash');
    await assert.rejects(verifyPassword('$argon2id$nonsense', 'x'), (e) => e instanceof LegacyHashError && e.code === 'malformed_hash');
  });
});
