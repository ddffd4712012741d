import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planDueComms, planTemplateSends, type CommsMigration, type CommsUser, type SentRecord, type DueSend } from './plan-comms.ts';
import { localInstant } from './local-time.ts';

// Los Angeles: DST ends 2026-11-01 02:00, so the 3-day point is PDT (UTC-7) and the 1-day point PST (UTC-8).
const LA: CommsMigration = {
  subscriptionId: 'S', state: 'users_scheduled', migrationDate: '2026-11-03', startsAt: '2026-11-03T08:00:00.000Z',
  windowExpiresAt: '2026-12-03T08:00:00.000Z', timeZone: 'America/Los_Angeles',
};
const USERS: CommsUser[] = [
  { userId: 'u1', state: 'needs_email_verification', admin: false, verifiedByLink: false },
  { userId: 'u2', state: 'eligible', admin: false, verifiedByLink: false },
  { userId: 'u3', state: 'needs_email_verification', admin: false, verifiedByLink: true },
  { userId: 'api', state: 'stays_local', admin: false, verifiedByLink: false },
  { userId: 'sk', state: 'skipped', admin: false, verifiedByLink: false },
  { userId: 'gone', state: 'not_migrated', admin: false, verifiedByLink: false },
  { userId: 'a1', state: 'eligible', admin: true, verifiedByLink: false },
];
const sent = (...s: [string, SentRecord['template'], string, string][]): SentRecord[] => s.map(([key, template, userId, at]) => ({ key, template, userId, at }));
const FIRST_WAVE = sent(
  ...['a1', 'u1', 'u2', 'u3'].map((u) => [`S:announcement:${u}:2026-11-03`, 'announcement', u, '2026-10-20T12:00:00Z'] as [string, SentRecord['template'], string, string]),
  ['S:verification:u1:1', 'verification', 'u1', '2026-10-20T12:00:00Z'],
);
const keys = (d: DueSend[]) => d.map((s) => s.key);
const plan = (over: Partial<CommsMigration>, now: string, s: SentRecord[] = [], users = USERS) => planDueComms({ migration: { ...LA, ...over }, users, sent: s, now: new Date(now) });

test('local send hour follows daylight saving', () => {
  assert.equal(localInstant('2026-10-31', 9, 'America/Los_Angeles').toISOString(), '2026-10-31T16:00:00.000Z');
  assert.equal(localInstant('2026-11-02', 9, 'America/Los_Angeles').toISOString(), '2026-11-02T17:00:00.000Z');
  assert.equal(localInstant('2026-03-28', 9, 'Europe/Berlin').toISOString(), '2026-03-28T08:00:00.000Z');
  assert.equal(localInstant('2026-03-30', 9, 'Europe/Berlin').toISOString(), '2026-03-30T07:00:00.000Z');
  // 02:30 does not exist on the spring-forward day; it lands on the first valid instant after it.
  assert.equal(localInstant('2026-03-29', 2, 'Europe/Berlin').toISOString(), '2026-03-29T01:00:00.000Z');
});

const cases: { name: string; over?: Partial<CommsMigration>; now: string; sent?: SentRecord[]; users?: CommsUser[]; want: string[] }[] = [
  { name: 'nothing before the migration is scheduled', over: { state: 'product_linked', migrationDate: null, startsAt: null, windowExpiresAt: null }, now: '2026-10-20T12:00:00Z', want: [] },
  { name: 'scheduling starts the plan: announcement to every mailed user (admins first), verification to the unverified',
    now: '2026-10-20T12:00:00Z',
    want: ['S:announcement:a1:2026-11-03', 'S:announcement:u1:2026-11-03', 'S:announcement:u2:2026-11-03', 'S:announcement:u3:2026-11-03', 'S:verification:u1:1'] },
  { name: 'a resumed run plans only what is missing', now: '2026-10-20T12:05:00Z', sent: FIRST_WAVE.slice(0, 2), want: ['S:announcement:u2:2026-11-03', 'S:announcement:u3:2026-11-03', 'S:verification:u1:1'] },
  { name: 'just before the 7-day point: nothing', now: '2026-10-27T15:59:59Z', sent: FIRST_WAVE, want: [] },
  { name: 'the 7-day reminder at 09:00 local (PDT)', now: '2026-10-27T16:00:00Z', sent: FIRST_WAVE, want: ['S:verification_reminder:u1:2026-11-03-7d'] },
  { name: 'missed points are not caught up: only the latest passed one', now: '2026-11-01T12:00:00Z', sent: FIRST_WAVE, want: ['S:verification_reminder:u1:2026-11-03-3d'] },
  { name: 'after the 3-day reminder, the 1-day point is 09:00 PST (17:00Z), not 16:00Z',
    now: '2026-11-02T16:30:00Z', sent: [...FIRST_WAVE, ...sent(['S:verification_reminder:u1:2026-11-03-3d', 'verification_reminder', 'u1', '2026-10-31T16:00:00Z'])], want: [] },
  { name: 'the day before: 1-day reminder and the migration-day notice',
    now: '2026-11-02T17:00:00Z', sent: [...FIRST_WAVE, ...sent(['S:verification_reminder:u1:2026-11-03-3d', 'verification_reminder', 'u1', '2026-10-31T16:00:00Z'])],
    want: ['S:verification_reminder:u1:2026-11-03-1d', 'S:migration_day:a1:2026-11-03', 'S:migration_day:u1:2026-11-03', 'S:migration_day:u2:2026-11-03', 'S:migration_day:u3:2026-11-03'] },
  { name: 'a reminder waits 24 h after a manual resend', now: '2026-10-27T16:00:00Z', sent: [...FIRST_WAVE, ...sent(['S:verification:u1:2', 'verification', 'u1', '2026-10-27T10:00:00Z'])], want: [] },
  { name: '...and goes out once the gap has passed', now: '2026-10-28T10:00:00Z', sent: [...FIRST_WAVE, ...sent(['S:verification:u1:2', 'verification', 'u1', '2026-10-27T10:00:00Z'])], want: ['S:verification_reminder:u1:2026-11-03-7d'] },
  { name: 'users who verified stop getting reminders', now: '2026-10-27T16:00:00Z', sent: FIRST_WAVE,
    users: USERS.map((u) => (u.userId === 'u1' ? { ...u, state: 'eligible' as const } : u)), want: [] },
  { name: 'users in progress: after-migration instructions to whoever moved; no announcement after the start',
    over: { state: 'users_in_progress' }, now: '2026-11-04T12:00:00Z', sent: FIRST_WAVE,
    users: USERS.map((u) => (u.userId === 'a1' || u.userId === 'u2' ? { ...u, state: 'migrated' as const } : u)),
    want: ['S:after_migration:a1', 'S:after_migration:u2'] },
  { name: 'the migration-day notice is not sent stale, days after the date', over: { state: 'users_in_progress' }, now: '2026-11-06T12:00:00Z', sent: FIRST_WAVE, want: [] },
  { name: 'an expired window sends no reminders; instructions still go out', over: { state: 'expired' }, now: '2026-12-10T12:00:00Z', sent: FIRST_WAVE,
    users: USERS.map((u) => (u.userId === 'u2' ? { ...u, state: 'activated' as const } : u)), want: ['S:after_migration:u2'] },
  { name: 'a rolled-back migration mails nobody', over: { state: 'rolled_back' }, now: '2026-10-27T16:00:00Z', want: [] },
  { name: 'a moved date re-announces the new timeline', over: { migrationDate: '2026-11-10', startsAt: '2026-11-10T08:00:00.000Z' }, now: '2026-10-21T12:00:00Z', sent: FIRST_WAVE,
    want: ['S:announcement:a1:2026-11-10', 'S:announcement:u1:2026-11-10', 'S:announcement:u2:2026-11-10', 'S:announcement:u3:2026-11-10'] },
  { name: 'Berlin spring forward: the 1-day point is 09:00 CEST (07:00Z)',
    over: { migrationDate: '2026-03-31', startsAt: '2026-03-30T22:00:00.000Z', windowExpiresAt: '2026-04-29T22:00:00.000Z', timeZone: 'Europe/Berlin' },
    now: '2026-03-30T07:00:00Z', sent: sent(['S:verification:u1:1', 'verification', 'u1', '2026-03-20T12:00:00Z'], ...['a1', 'u1', 'u2', 'u3'].map((u) => [`S:announcement:${u}:2026-03-31`, 'announcement', u, '2026-03-20T12:00:00Z'] as [string, SentRecord['template'], string, string])),
    want: ['S:verification_reminder:u1:2026-03-31-1d', 'S:migration_day:a1:2026-03-31', 'S:migration_day:u1:2026-03-31', 'S:migration_day:u2:2026-03-31', 'S:migration_day:u3:2026-03-31'] },
];

for (const c of cases) {
  test(`due comms: ${c.name}`, () => {
    const due = plan(c.over ?? {}, c.now, c.sent ?? [], c.users ?? USERS);
    assert.deepEqual(keys(due), c.want);
    assert.ok(!due.some((d) => ['api', 'sk', 'gone'].includes(d.userId)), 'API-only, skipped and deactivated users get nothing');
  });
}

test('due comms: API-only users get nothing at any point of the timeline', () => {
  const apiOnly: CommsUser[] = [{ userId: 'api', state: 'stays_local', admin: true, verifiedByLink: false }];
  for (let day = 0; day < 60; day++) {
    const now = new Date(Date.parse('2026-10-15T00:00:00Z') + day * 86_400_000 + 17 * 3_600_000).toISOString();
    for (const state of ['users_scheduled', 'users_in_progress', 'awaiting_confirmation', 'confirmed'] as const) assert.deepEqual(plan({ state }, now, [], apiOnly), []);
  }
});

test('template sends: resends are numbered, one-off notices keep their key, outsiders are reported', () => {
  const input = { migration: LA, users: USERS, sent: FIRST_WAVE };
  const v = planTemplateSends({ ...input, template: 'verification', userIds: ['u1', 'u2', 'api', 'nobody'] });
  assert.deepEqual(keys(v.sends), ['S:verification:u1:2']);
  assert.deepEqual(v.notInAudience.sort(), ['api', 'nobody', 'u2']);
  assert.deepEqual(keys(planTemplateSends({ ...input, template: 'verification_reminder' }).sends), ['S:verification_reminder:u1:m1']);
  assert.deepEqual(keys(planTemplateSends({ ...input, template: 'announcement' }).sends), [], 'already announced for this date');
  assert.deepEqual(keys(planTemplateSends({ ...input, template: 'after_migration' }).sends), []);
  assert.deepEqual(keys(planTemplateSends({ ...input, template: 'migration_day' }).sends), ['S:migration_day:a1:2026-11-03', 'S:migration_day:u1:2026-11-03', 'S:migration_day:u2:2026-11-03', 'S:migration_day:u3:2026-11-03']);
});
