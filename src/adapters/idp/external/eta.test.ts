import assert from 'node:assert/strict';
import { test } from 'node:test';
import { estimateEta, formatDuration } from './eta.ts';

test('100,000 users at 10 per request and 10 requests a minute take ~1000 minutes, whatever the concurrency', () => {
  const eta = estimateEta({ users: 100_000, batchSize: 10, requestsPerMinute: 10, concurrency: 8, latencyMs: 300 });
  assert.equal(eta.requests, 10_000);
  assert.equal(eta.minutes, 1000);
  assert.equal(eta.boundBy, 'rate');
  assert.equal(eta.usersPerMinute, 100);
  assert.equal(formatDuration(eta.ms), '16 h 40 min');
});

test('without a rate limit, latency over concurrency sets the pace', () => {
  const eta = estimateEta({ users: 1000, batchSize: 1, requestsPerBatch: 2, concurrency: 4, latencyMs: 50, requestsPerMinute: null });
  assert.equal(eta.requests, 2000);
  assert.equal(eta.ms, 25_000);
  assert.equal(eta.boundBy, 'latency');
  assert.equal(formatDuration(eta.ms), '25 s');
});

test('partial batches round up; nothing to do takes no time', () => {
  assert.equal(estimateEta({ users: 11, batchSize: 10, concurrency: 1, latencyMs: 100 }).requests, 2);
  assert.deepEqual(estimateEta({ users: 0, batchSize: 10, concurrency: 1, latencyMs: 100, requestsPerMinute: 10 }).ms, 0);
});
