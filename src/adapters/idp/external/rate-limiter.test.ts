import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRateLimiter } from './rate-limiter.ts';
import { createSemaphore } from './semaphore.ts';

test('10 requests a minute with burst 1: evenly 6 s apart on a virtual clock', async () => {
  let now = 0;
  const starts: number[] = [];
  const limiter = createRateLimiter({ requestsPerMinute: 10, now: () => now, sleep: async (ms) => { now += ms; } });
  await Promise.all(Array.from({ length: 5 }, async () => {
    await limiter.take();
    starts.push(now);
  }));
  assert.deepEqual(starts, [0, 6000, 12000, 18000, 24000]);
});

test('a burst lets that many go at once, then the rate holds', async () => {
  let now = 0;
  const starts: number[] = [];
  const limiter = createRateLimiter({ requestsPerMinute: 60, burst: 3, now: () => now, sleep: async (ms) => { now += ms; } });
  for (let i = 0; i < 5; i++) {
    await limiter.take();
    starts.push(now);
  }
  assert.deepEqual(starts, [0, 0, 0, 1000, 2000]);
});

test('semaphore: never more than the limit at once, all tasks run', async () => {
  const semaphore = createSemaphore(3);
  let active = 0;
  let peak = 0;
  const results = await Promise.all(Array.from({ length: 20 }, (_, i) => semaphore.run(async () => {
    active++;
    peak = Math.max(peak, active);
    await new Promise((r) => setTimeout(r, 2));
    active--;
    return i;
  })));
  assert.equal(peak, 3);
  assert.equal(results.length, 20);
  assert.equal(semaphore.inFlight, 0);
});
