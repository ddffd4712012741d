import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cutoverUser } from './cutover.ts';
import type { CutoverStore, LoginMode } from './link-store.ts';
import { isProductKitError } from './product-kit-error.ts';

function memoryStore() {
  const users = new Map([['u1', { apiOnly: false, linked: true }], ['u2', { apiOnly: false, linked: false }], ['api', { apiOnly: true, linked: false }]]);
  const modes = new Map<string, LoginMode>();
  const sessions = new Map([['u1', 2]]);
  const tokens = new Map([['u1', 1]]);
  const steps: string[] = [];
  const store: CutoverStore = {
    async describeUser(id) {
      return users.get(id);
    },
    async setLoginMode(id, mode) {
      steps.push('mode');
      modes.set(id, mode);
    },
    async revokeLegacySessions(id) {
      steps.push('sessions');
      const n = sessions.get(id) ?? 0;
      sessions.delete(id);
      return n;
    },
    async dropPendingAccountTokens(id) {
      steps.push('tokens');
      const n = tokens.get(id) ?? 0;
      tokens.delete(id);
      return n;
    },
  };
  return { store, modes, steps };
}

test('cutover: mode first, then sessions, then tokens; a repeat finds nothing left', async () => {
  const { store, modes, steps } = memoryStore();
  assert.deepEqual(await cutoverUser(store, 'u1'), { userId: 'u1', revokedSessions: 2, droppedTokens: 1 });
  assert.deepEqual(steps, ['mode', 'sessions', 'tokens']);
  assert.equal(modes.get('u1'), 'ims');
  assert.deepEqual(await cutoverUser(store, 'u1'), { userId: 'u1', revokedSessions: 0, droppedTokens: 0 });
});

test('cutover refuses users it would lock out or who keep their API credentials', async () => {
  const { store, modes } = memoryStore();
  await assert.rejects(cutoverUser(store, 'u2'), (e) => isProductKitError(e, 'not_linked'));
  await assert.rejects(cutoverUser(store, 'api'), (e) => isProductKitError(e, 'api_only_user'));
  await assert.rejects(cutoverUser(store, 'nobody'), (e) => isProductKitError(e, 'not_found'));
  assert.equal(modes.size, 0);
});
