import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeLoginState, encodeLoginState, isRelativePath, type LoginState } from './login-state.ts';
import { isProductKitError } from './product-kit-error.ts';

const state: LoginState = { state: 's'.repeat(43), nonce: 'n'.repeat(43), codeVerifier: 'v'.repeat(43), returnTo: '/app', context: 'ab12', issuedAt: 1_000_000 };

test('round-trips, and expires after maxAge', () => {
  assert.deepEqual(decodeLoginState(encodeLoginState(state), 1_000_100, 600), state);
  assert.throws(() => decodeLoginState(encodeLoginState(state), 1_000_601, 600), (e) => isProductKitError(e, 'invalid_login_state'));
  assert.throws(() => decodeLoginState(encodeLoginState(state), 999_000, 600), (e) => isProductKitError(e, 'invalid_login_state'), 'issued in the future');  assert.deepEqual(decodeLoginState(encodeLoginState({ ...state, silent: true }), 1_000_100, 600), { ...state, silent: true }, 'a silent login stays silent');
});

test('garbage, short secrets and foreign returnTo values are not trusted', () => {
  for (const value of ['', 'x', Buffer.from('{"v":1}').toString('base64url'), encodeLoginState({ ...state, nonce: 'short' })]) {
    assert.throws(() => decodeLoginState(value, 1_000_000, 600), (e) => isProductKitError(e, 'invalid_login_state'), value);
  }
  assert.equal(decodeLoginState(encodeLoginState({ ...state, returnTo: '//evil.example' }), 1_000_000, 600).returnTo, undefined);
});

test('isRelativePath: same-origin paths only', () => {
  assert.ok(isRelativePath('/x?y#z'));
  for (const bad of ['//evil.example', '/\\evil.example', 'https://evil.example', 'x', '/\n']) assert.ok(!isRelativePath(bad), bad);
});
