import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SubscriptionState } from '../migration/states.ts';
import { describeNotice, helpPageUrl, noticePhase, type NoticePhase } from './migration-notice.ts';

const STARTS = '2026-12-13T08:00:00.000Z'; // midnight in Los Angeles
const before = new Date('2026-12-10T12:00:00Z');
const after = new Date('2026-12-14T12:00:00Z');

test('noticePhase: what people are told in each state of the subscription migration', () => {
  const cases: [SubscriptionState, string | null, Date, NoticePhase][] = [
    ['not_started', null, before, 'not_announced'],
    ['product_linked', null, before, 'not_announced'],
    ['users_scheduled', STARTS, before, 'announced'],
    ['users_scheduled', STARTS, after, 'moving'], // the date came; the engine starts a little later
    ['users_in_progress', STARTS, after, 'moving'],
    ['expired', STARTS, after, 'moving'], // admins may extend and move more people
    ['awaiting_confirmation', STARTS, after, 'moved'],
    ['confirmed', STARTS, after, 'moved'],
    ['support_migrated', STARTS, after, 'moved'],
    ['done', STARTS, after, 'moved'],
    ['rolled_back', STARTS, before, 'not_announced'], // called off: the old date is nobody's business
    ['users_scheduled', null, before, 'not_announced'],
  ];
  for (const [state, startsAt, now, phase] of cases) assert.equal(noticePhase(state, startsAt, now), phase, `${state} at ${now.toISOString()}`);
});

test('describeNotice: the date in the subscription\'s time zone; no date once called off', () => {
  const input = { subscriptionId: '123-ABC-456', subscriptionName: 'Acme Marketing (production)', migrationDate: '2026-12-13', startsAt: STARTS, timeZone: 'America/Los_Angeles', now: before };
  const n = describeNotice({ ...input, state: 'users_scheduled' });
  assert.equal(n.phase, 'announced');
  assert.equal(n.dateText, 'Sunday, 13 December 2026');
  assert.equal(n.startText, '13 December 2026 at 00:00 GMT-8');
  const off = describeNotice({ ...input, state: 'rolled_back' });
  assert.deepEqual([off.phase, off.migrationDate, off.startsAt, off.dateText], ['not_announced', null, null, null]);
});

test('helpPageUrl: one stable public URL per subscription, the id encoded', () => {
  assert.equal(helpPageUrl('https://rehome.example/', '123-ABC-456'), 'https://rehome.example/help/123-ABC-456');
  assert.equal(helpPageUrl('https://rehome.example', 'a b/c'), 'https://rehome.example/help/a%20b%2Fc');
});
