import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_BULK_OPERATIONS, NO_BULK, readCapabilities } from './scim-capabilities.ts';

const config = (bulk: unknown, filter: unknown = { supported: true, maxResults: 200 }) => ({ bulk, filter });

test('Bulk is used when advertised with room for two operations, a payload limit and filtering', () => {
  assert.deepEqual(readCapabilities(config({ supported: true, maxOperations: 100, maxPayloadSize: 1_048_576 })), {
    bulk: { maxOperations: 100, maxPayloadSize: 1_048_576 }, lookupChunk: 50,
  });
  // A server allowing more than we ever send is capped; a small maxResults shrinks the look-ups (two hits per value fit).
  assert.deepEqual(readCapabilities(config({ supported: true, maxOperations: 50_000, maxPayloadSize: 10 }, { supported: true, maxResults: 20 })), {
    bulk: { maxOperations: MAX_BULK_OPERATIONS, maxPayloadSize: 10 }, lookupChunk: 10,
  });
});

test('anything less is no Bulk: unsupported, one operation, no payload size, no filtering, garbage', () => {
  for (const body of [
    config({ supported: false, maxOperations: 100, maxPayloadSize: 1000 }),
    config({ supported: true, maxOperations: 1, maxPayloadSize: 1000 }),
    config({ supported: true, maxOperations: 100, maxPayloadSize: 0 }),
    config({ supported: true, maxOperations: '100', maxPayloadSize: 1000 }),
    config({ supported: true, maxOperations: 100, maxPayloadSize: 1000 }, { supported: false }),
    {}, null, 'not json',
  ]) assert.deepEqual(readCapabilities(body), NO_BULK, JSON.stringify(body));
});
