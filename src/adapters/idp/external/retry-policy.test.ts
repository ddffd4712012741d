import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backoffDelay, parseRetryAfter } from './retry-policy.ts';

test('Retry-After: delay-seconds and HTTP-date (RFC 9110 section 10.2.3)', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');
  assert.equal(parseRetryAfter('7', now), 7000);
  assert.equal(parseRetryAfter('Wed, 01 Jan 2025 00:00:30 GMT', now), 30_000);
  assert.equal(parseRetryAfter('Tue, 31 Dec 2024 23:00:00 GMT', now), 0, 'a date in the past means now');
  assert.equal(parseRetryAfter('soon', now), undefined);
  assert.equal(parseRetryAfter(null, now), undefined);
});

test('full jitter: uniform below an exponentially growing, capped ceiling', () => {
  const options = { baseMs: 100, capMs: 1000 };
  assert.equal(backoffDelay(0, options, () => 0.999), 99);
  assert.equal(backoffDelay(3, options, () => 0.5), 400);
  assert.equal(backoffDelay(10, options, () => 0.5), 500, 'capped');
  assert.equal(backoffDelay(5, options, () => 0), 0);
});
