import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openStore } from '../app/rehome-store.ts';
import { parseUserTableQuery, queryUserTable } from './user-table.ts';

const STATES = ['eligible', 'migrated', 'needs_email_verification', 'skipped', 'failed', 'blocked'];

test('the User Migration table stays fast at 100,000 users: every sort, the last page, search and a status filter', async () => {
  await using store = await openStore({ kind: 'sqlite', path: ':memory:' });
  const N = 100_000;
  await store.kysely.transaction().execute(async (tx) => {
    for (let i = 0; i < N; i += 500) {
      await tx.insertInto('mig_users').values(Array.from({ length: Math.min(500, N - i) }, (_, k) => {
        const n = i + k;
        return {
          subscription_id: 'BIG-1', user_id: `u${String(n).padStart(6, '0')}`, state: STATES[n % STATES.length], action: 'create', admin: n < 5 ? 1 : 0,
          email: `person${n}@big.example`, normalized_email: `person${n}@big.example`, first_name: `First${n}`, last_name: `Last${n}`, account_type: 'personal',
          ims_subject: null, attempt: 0, error_code: null, error_message: null, retryable: 0, skip_reason: null, scheduled_for: null, lease_owner: null, lease_until: null,
          updated_at: new Date(Date.UTC(2026, 0, 1) + (n * 7919 % N) * 1000).toISOString(),
        };
      })).execute();
    }
  });
  const timings: Record<string, number> = {};
  const run = async (label: string, qs: string) => {
    const t0 = performance.now();
    const page = await queryUserTable(store.kysely, store.dialect, 'BIG-1', parseUserTableQuery(new URLSearchParams(qs)));
    timings[label] = Math.round((performance.now() - t0) * 10) / 10;
    return page;
  };
  const first = await run('first page by id', '');
  assert.equal(first.total, N);
  assert.equal(first.rows[0]!.user_id, 'u000000');
  const last = await run('last page by id', 'last=1');
  assert.equal(last.rows.at(-1)!.user_id, 'u099999');
  await run('by email', 'sort=email');
  await run('by status, descending', 'sort=status&dir=desc');
  const recent = await run('by last activity, descending, last page', 'sort=activity&dir=desc&last=1');
  assert.equal(recent.rows.length, 50);
  const found = await run('search one person', 'q=person99999@');
  assert.equal(found.total, 1);
  const failed = await run('failed only, last page', 'state=failed&last=1');
  assert.ok(failed.rows.every((r) => r.state === 'failed'));
  console.log('user table at 100,000 users (ms):', JSON.stringify(timings));
  for (const [label, ms] of Object.entries(timings)) assert.ok(ms < 1000, `${label} took ${ms} ms`);
});
