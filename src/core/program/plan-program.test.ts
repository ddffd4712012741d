import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { addDays, DEFAULT_SCHEDULE_RULES } from '../migration/schedule.ts';
import { DEFAULT_COMMS_SCHEDULE } from '../comms/plan-comms.ts';
import { planProgram, waveLength, type ProgramOptions } from './plan-program.ts';
import { dailyCapacity, programLeadDays } from './daily-capacity.ts';
import { ProgramError } from './program-error.ts';
import type { SubscriptionFacts } from './subscription-facts.ts';

/** An ordinary subscription: every user moves, two admins ready, no SSO, consent not needed. */
function facts(id: string, movable: number, over: Partial<SubscriptionFacts> = {}): SubscriptionFacts {
  return { id, users: movable, movable, ready: movable, ssoRequired: false, admins: { total: 2, ready: 2 }, prerequisites: [], consentRecorded: false, ...over };
}

const OPTIONS: ProgramOptions = { start: '2026-06-01', leadDays: 8, waveDays: 7, usersPerDay: null, pilot: 0, automaticThreshold: 75 };

const ids = (xs: { id: string }[]) => xs.map((x) => x.id);

test('classification: automatic below the threshold without SSO users; self-service at it or with SSO', () => {
  const plan = planProgram([facts('a', 74), facts('b', 75), facts('c', 3, { ssoRequired: true })], OPTIONS);
  const modes = Object.fromEntries(plan.waves.flatMap((w) => w.subscriptions).map((e) => [e.id, e.mode]));
  assert.deepEqual(modes, { a: 'automatic', b: 'self_service', c: 'self_service' });
  // The threshold is config: 100 makes b automatic.
  const raised = planProgram([facts('b', 75)], { ...OPTIONS, automaticThreshold: 100 });
  assert.equal(raised.waves[0]!.subscriptions[0]!.mode, 'automatic');
});

const BLOCKING_CASES: { name: string; over: Partial<SubscriptionFacts>; codes: string[] }[] = [
  { name: 'no admin ready', over: { admins: { total: 3, ready: 0 } }, codes: ['no_ready_admin'] },
  { name: 'no admin at all', over: { admins: { total: 0, ready: 0 } }, codes: ['no_ready_admin'] },
  { name: 'SSO users, SSO missing', over: { ssoRequired: true, prerequisites: [{ code: 'sso_not_configured', blocking: true, message: '2 users who will move sign in with SSO' }] }, codes: ['sso_not_configured'] },
  { name: 'both', over: { admins: { total: 1, ready: 0 }, prerequisites: [{ code: 'sso_not_configured', blocking: true, message: 'x' }] }, codes: ['no_ready_admin', 'sso_not_configured'] },
];

for (const c of BLOCKING_CASES) {
  test(`blocked: ${c.name} -> the blocked list with ${c.codes.join(' and ')}, in no wave`, () => {
    const plan = planProgram([facts('ok', 10), facts('x', 10, c.over)], OPTIONS);
    assert.deepEqual(ids(plan.blocked), ['x']);
    assert.equal(plan.blocked[0]!.blocked, true);
    assert.deepEqual(plan.blocked[0]!.reasons.filter((r) => r.blocking).map((r) => r.code), c.codes);
    assert.deepEqual(ids(plan.waves.flatMap((w) => w.subscriptions)), ['ok']);
    assert.equal(plan.summary.blocked, 1);
  });
}

test('consent to an existing organization is a note, not a block; recorded consent drops it', () => {
  const consent = { code: 'consent_required' as const, blocking: true, message: 'org exists' };
  const plan = planProgram([facts('a', 10, { prerequisites: [consent] }), facts('b', 10, { prerequisites: [consent], consentRecorded: true })], OPTIONS);
  const [a, b] = plan.waves[0]!.subscriptions;
  assert.deepEqual(a!.reasons.map((r) => [r.code, r.blocking]), [['consent_required', false]]);
  assert.equal(a!.blocked, false);
  assert.deepEqual(b!.reasons, []);
});

test('order: pilot first, then automatic by size, then self-service by size (smallest first, then id)', () => {
  const all = [facts('s-big', 900), facts('a-3', 30), facts('s-small', 100), facts('a-1', 10), facts('a-2', 20), facts('s-mid', 300), facts('a-2b', 20)];
  const plan = planProgram(all, { ...OPTIONS, usersPerDay: 10, waveDays: 1 });
  assert.deepEqual(plan.waves.map((w) => ids(w.subscriptions)), [['a-1'], ['a-2'], ['a-2b'], ['a-3'], ['s-small'], ['s-mid'], ['s-big']]);
  const piloted = planProgram(all, { ...OPTIONS, pilot: 3 });
  assert.deepEqual(ids(piloted.waves[0]!.subscriptions), ['a-2', 'a-3', 's-mid'], 'three across sizes: the middles of three equal slices');
  assert.deepEqual(piloted.waves.slice(1).map((w) => ids(w.subscriptions)), [['a-1', 'a-2b'], ['s-small', 's-big']]);
});

test('pilot: no larger than asked, everyone when fewer, never a blocked subscription', () => {
  const some = [facts('a', 5), facts('b', 500), facts('x', 50, { admins: { total: 1, ready: 0 } })];
  const plan = planProgram(some, { ...OPTIONS, pilot: 5 });
  assert.deepEqual(ids(plan.waves[0]!.subscriptions), ['a', 'b']);
  assert.equal(plan.waves.length, 1);
  assert.deepEqual(ids(plan.blocked), ['x']);
});

test('capacity: a wave holds what fits in waveDays days; a bigger subscription gets a wave of its own, as long as it needs', () => {
  const all = [facts('a', 40), facts('b', 40), facts('c', 40), facts('big', 1000)];
  const plan = planProgram(all, { ...OPTIONS, usersPerDay: 10, waveDays: 7, automaticThreshold: 50 });
  assert.deepEqual(plan.waves.map((w) => ids(w.subscriptions)), [['a'], ['b'], ['c'], ['big']], '70 users per wave: 40 + 40 does not fit');
  assert.deepEqual(plan.waves.map((w) => w.start), ['2026-06-09', '2026-06-16', '2026-06-23', '2026-06-30']);
  // 1,000 users at 10 a day: 100 days, from 2026-06-30.
  assert.equal(plan.summary.lastDay, addDays('2026-06-30', 99));
  assert.equal(waveLength(plan.waves[3]!.subscriptions, { waveDays: 7, usersPerDay: 10 }), 100);
  for (const w of plan.waves.slice(0, 3)) assert.ok(w.subscriptions.reduce((n, e) => n + e.movable, 0) <= 70);
});

test('no capacity limit: one wave per kind, each waveDays long', () => {
  const plan = planProgram([facts('a', 10), facts('b', 5000), facts('c', 20)], OPTIONS);
  assert.deepEqual(plan.waves.map((w) => [w.n, w.start, ids(w.subscriptions)]), [[1, '2026-06-09', ['a', 'c']], [2, '2026-06-16', ['b']]]);
  assert.equal(plan.summary.lastDay, '2026-06-22');
});

test('summary: counts add up; users include the blocked subscriptions; nothing scheduled -> no last day', () => {
  const plan = planProgram([facts('a', 10, { users: 12 }), facts('b', 100), facts('x', 7, { admins: { total: 1, ready: 0 } })], OPTIONS);
  assert.deepEqual(plan.summary, { subscriptions: 3, users: 119, automatic: 1, selfService: 1, blocked: 1, waves: 2, lastDay: '2026-06-22' });
  const none = planProgram([facts('x', 7, { admins: { total: 1, ready: 0 } })], OPTIONS);
  assert.deepEqual(none.waves, []);
  assert.equal(none.summary.lastDay, null);
  assert.deepEqual(planProgram([], OPTIONS).summary, { subscriptions: 0, users: 0, automatic: 0, selfService: 0, blocked: 0, waves: 0, lastDay: null });
});

test('refuses bad options and a subscription given twice, with the code', () => {
  const bad: [Partial<ProgramOptions>, RegExp][] = [
    [{ start: '2026-02-30' }, /calendar date/], [{ start: '01/06/2026' }, /calendar date/], [{ waveDays: 0 }, /wave length/],
    [{ usersPerDay: 0 }, /users per day/], [{ pilot: -1 }, /pilot/], [{ waveDays: 1.5 }, /wave length/],
  ];
  for (const [over, message] of bad) {
    assert.throws(() => planProgram([], { ...OPTIONS, ...over }), (e: unknown) => e instanceof ProgramError && e.code === 'invalid_option' && message.test(e.message));
  }
  assert.throws(() => planProgram([facts('a', 1), facts('a', 2)], OPTIONS), (e: unknown) => e instanceof ProgramError && e.code === 'duplicate_subscription');
});

test('lead time: the scheduling rule minimum, longer when the comms need it, refused past the rule maximum', () => {
  assert.equal(programLeadDays(DEFAULT_SCHEDULE_RULES, DEFAULT_COMMS_SCHEDULE), 8);
  assert.equal(programLeadDays(DEFAULT_SCHEDULE_RULES, { reminderDaysBefore: [14, 7, -2], noticeDaysBefore: 1 }), 15);
  assert.equal(programLeadDays({ ...DEFAULT_SCHEDULE_RULES, minDaysAhead: 10 }, { reminderDaysBefore: [], noticeDaysBefore: 0 }), 10);
  assert.throws(() => programLeadDays(DEFAULT_SCHEDULE_RULES, { reminderDaysBefore: [30], noticeDaysBefore: 1 }), (e: unknown) => e instanceof ProgramError && e.code === 'lead_time_too_long');
});

test('daily capacity: the flag wins; else the IdP rate limit over the requests one user costs; else no limit', () => {
  const fleet = [facts('a', 100, { ready: 100, requests: 300 }), facts('b', 50, { ready: 100, requests: 100 })];
  assert.deepEqual(dailyCapacity({ maxUsersPerDay: 500, requestsPerMinute: 10, facts: fleet }), { source: 'max_users_per_day', usersPerDay: 500 });
  // 400 requests for 200 ready users: 2 per user; 10 requests a minute is 14,400 a day: 7,200 users.
  assert.deepEqual(dailyCapacity({ requestsPerMinute: 10, facts: fleet }), { source: 'idp_rate_limit', usersPerDay: 7200, requestsPerMinute: 10, requestsPerUser: 2 });
  assert.equal(dailyCapacity({ requestsPerMinute: 10, facts: [facts('z', 0, { ready: 0, requests: 0 })] }).usersPerDay, 14_400);
  assert.deepEqual(dailyCapacity({ requestsPerMinute: null, facts: fleet }), { source: 'unlimited', usersPerDay: null });
  assert.throws(() => dailyCapacity({ maxUsersPerDay: 0, facts: fleet }), ProgramError);
});

/** Generated fleets: any facts, any options. */
const arbitraryFacts = fc.uniqueArray(
  fc.record({
    id: fc.stringMatching(/^[A-Z0-9-]{1,8}$/),
    movable: fc.nat({ max: 60_000 }),
    extra: fc.nat({ max: 50 }),
    sso: fc.boolean(),
    ssoMissing: fc.boolean(),
    adminsReady: fc.nat({ max: 3 }),
    consent: fc.boolean(),
  }),
  { selector: (f) => f.id, maxLength: 80 },
).map((xs) => xs.map((x): SubscriptionFacts => facts(x.id, x.movable, {
  users: x.movable + x.extra, ssoRequired: x.sso, admins: { total: 3, ready: x.adminsReady },
  prerequisites: [...(x.sso && x.ssoMissing ? [{ code: 'sso_not_configured' as const, blocking: true, message: 'sso' }] : []), ...(x.consent ? [{ code: 'consent_required' as const, blocking: true, message: 'consent' }] : [])],
})));
const arbitraryOptions = fc.record({
  start: fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2035-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
  leadDays: fc.integer({ min: 0, max: 30 }),
  waveDays: fc.integer({ min: 1, max: 30 }),
  usersPerDay: fc.option(fc.integer({ min: 1, max: 100_000 }), { nil: null }),
  pilot: fc.integer({ min: 0, max: 10 }),
  automaticThreshold: fc.integer({ min: 0, max: 200 }),
});

test('property: every subscription in exactly one wave or in the blocked list; waves in order, within capacity', () => {
  fc.assert(fc.property(arbitraryFacts, arbitraryOptions, (all, o) => {
    const plan = planProgram(all, o);
    const placed = [...plan.waves.flatMap((w) => ids(w.subscriptions)), ...ids(plan.blocked)].sort();
    assert.deepEqual(placed, ids(all).sort());
    assert.ok(plan.blocked.every((e) => e.blocked) && plan.waves.every((w) => w.subscriptions.every((e) => !e.blocked)));
    assert.equal(plan.summary.automatic + plan.summary.selfService + plan.summary.blocked, all.length);
    plan.waves.forEach((w, i) => {
      assert.equal(w.n, i + 1);
      assert.ok(w.subscriptions.length > 0);
      if (i === 0) assert.equal(w.start, addDays(o.start, o.leadDays));
      else assert.equal(w.start, addDays(plan.waves[i - 1]!.start, waveLength(plan.waves[i - 1]!.subscriptions, o)));
      // Over the budget only with one subscription alone (or the pilot, which is chosen by size, not by budget).
      const used = w.subscriptions.reduce((n, e) => n + e.movable, 0);
      if (o.usersPerDay !== null && (i > 0 || o.pilot === 0) && w.subscriptions.length > 1) assert.ok(used <= o.usersPerDay * o.waveDays);
    });
    // Automatic waves come before self-service ones (after the pilot), and never mix.
    const kinds = plan.waves.slice(o.pilot > 0 ? 1 : 0).map((w) => [...new Set(w.subscriptions.map((e) => e.mode))]);
    assert.ok(kinds.every((k) => k.length === 1));
    const flat = kinds.map((k) => k[0]);
    assert.deepEqual(flat, [...flat].sort());
  }));
});

test('property: deterministic, whatever order the facts come in', () => {
  fc.assert(fc.property(arbitraryFacts, arbitraryOptions, fc.integer(), (all, o, seed) => {
    const shuffled = [...all].sort((a, b) => ((hash(a.id) ^ seed) - (hash(b.id) ^ seed)));
    assert.deepEqual(planProgram(shuffled, o), planProgram(all, o));
    assert.equal(JSON.stringify(planProgram(all, o)), JSON.stringify(planProgram(structuredClone(all), o)));
  }));
});

function hash(s: string): number {
  let h = 0;
  for (const c of s) h = (h * 31 + c.charCodeAt(0)) | 0;
  return h;
}
