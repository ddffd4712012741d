import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createMigrationNotices } from './migration-notices.ts';

const NOTICE = {
  subscriptionId: '123-ABC-456', subscriptionName: 'Acme Marketing (production)', phase: 'announced', migrationDate: '2026-12-13', startsAt: '2026-12-13T08:00:00.000Z',
  timeZone: 'America/Los_Angeles', dateText: 'Sunday, 13 December 2026', startText: '13 December 2026 at 00:00 GMT-8',
  helpUrl: 'https://rehome.example/help/123-ABC-456', imsName: 'Acme ID', brandText: 'Continue with Acme ID', productUrl: 'https://engage.example/',
};

/** A Rehome stand-in: answers from `reply`, counts the calls. */
function rehome(reply: () => Response | Promise<Response>) {
  const calls: string[] = [];
  const fetchStub = (async (input: string | URL | Request) => {
    calls.push(String(input));
    return reply();
  }) as typeof fetch;
  return { calls, fetch: fetchStub };
}

test('asks Rehome\'s notice once per ttl per subscription, and keeps the answer', async () => {
  let clock = 0;
  const r = rehome(() => Response.json(NOTICE));
  const notices = createMigrationNotices({ rehomeUrl: 'https://rehome.example/', fetch: r.fetch, now: () => clock, ttlSeconds: 60 });
  assert.deepEqual(await notices.get('123-ABC-456'), NOTICE);
  await notices.get('123-ABC-456');
  assert.deepEqual(r.calls, ['https://rehome.example/help/123-ABC-456/notice.json']);
  clock = 61_000;
  await Promise.all([notices.get('123-ABC-456'), notices.get('123-ABC-456')]);
  assert.equal(r.calls.length, 2, 'after the ttl, one request however many pages ask at once');
});

test('never throws: Rehome down or garbled keeps the last notice (or none), and is asked again a minute later', async () => {
  let clock = 0;
  let answer: () => Response = () => Response.json(NOTICE);
  const r = rehome(() => answer());
  const notices = createMigrationNotices({ rehomeUrl: 'https://rehome.example', fetch: r.fetch, now: () => clock, ttlSeconds: 10 });
  await notices.get('123-ABC-456');
  answer = () => { throw new TypeError('fetch failed'); };
  clock = 11_000;
  assert.equal((await notices.get('123-ABC-456'))?.phase, 'announced', 'the banner does not flicker away while Rehome restarts');
  clock = 12_000;
  await notices.get('123-ABC-456');
  assert.equal(r.calls.length, 2, 'not asked on every page view while down');
  answer = () => Response.json({ ...NOTICE, helpUrl: 'javascript:alert(1)' });
  clock = 80_000;
  assert.equal((await notices.get('123-ABC-456'))?.helpUrl, NOTICE.helpUrl, 'an answer it cannot trust is not taken');
  answer = () => new Response('{"error":"not_found"}', { status: 404 });
  clock = 200_000;
  assert.equal(await notices.get('123-ABC-456'), undefined, 'unknown to Rehome: no banner');
  const none = createMigrationNotices({ rehomeUrl: 'https://rehome.example', fetch: rehome(() => { throw new TypeError('down'); }).fetch });
  assert.equal(await none.get('X'), undefined);
});
