import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BANNER_COOKIE, bannerKey, dismissBannerCookie, dismissedKeys, migrationBanner } from './migration-banner.ts';
import type { MigrationNotice, NoticePhase } from './migration-notices.ts';
import { silentSignInAllowed, silentSignInCookie } from './silent-sign-in.ts';

const notice = (phase: NoticePhase, over: Partial<MigrationNotice> = {}): MigrationNotice => ({
  subscriptionId: '123-ABC-456', subscriptionName: 'Acme Marketing (production)', phase, migrationDate: '2026-12-13', startsAt: '2026-12-13T08:00:00.000Z',
  timeZone: 'America/Los_Angeles', dateText: 'Sunday, 13 December 2026', startText: '13 December 2026 at 00:00 GMT-8',
  helpUrl: 'https://rehome.example/help/123-ABC-456', imsName: 'Acme ID', brandText: 'Continue with Acme ID', productUrl: 'https://engage.example/', ...over,
});

test('the banner shows from the announcement until the move, and for nobody whose account moved', () => {
  const cases: [string, MigrationNotice | undefined, boolean, 'announced' | 'moving' | undefined][] = [
    ['no notice (Rehome unknown or down)', undefined, false, undefined],
    ['no date yet', notice('not_announced', { dateText: null, migrationDate: null }), false, undefined],
    ['announced', notice('announced'), false, 'announced'],
    ['moving', notice('moving'), false, 'moving'],
    ['moving, this person already moved', notice('moving'), true, undefined],
    ['moved', notice('moved'), false, undefined],
  ];
  for (const [name, n, userMoved, phase] of cases) assert.equal(migrationBanner(n, { userMoved })?.phase, phase, name);
  const b = migrationBanner(notice('announced'))!;
  assert.equal(b.headline, 'On Sunday, 13 December 2026, Acme Marketing (production) moves its sign-in to Acme ID.');
  assert.match(b.todo, /verify your email address/);
  assert.match(b.todo, /“Continue with Acme ID”/);
  assert.equal(b.helpUrl, 'https://rehome.example/help/123-ABC-456');
});

test('a dismissal is remembered per subscription and date: a new date shows the banner again', () => {
  const n = notice('announced');
  const header = dismissBannerCookie(bannerKey(n), undefined, { secure: true });
  assert.match(header, new RegExp(`^${BANNER_COOKIE}=[^;]+; Path=/; Max-Age=31536000; HttpOnly; SameSite=Lax; Secure$`));
  const value = header.slice(BANNER_COOKIE.length + 1).split(';')[0]!;
  assert.equal(migrationBanner(n, { dismissed: value }), undefined);
  assert.ok(migrationBanner(notice('announced', { migrationDate: '2026-12-20', dateText: 'Sunday, 20 December 2026' }), { dismissed: value }), 'moved to another date');
  assert.ok(migrationBanner(notice('announced', { subscriptionId: 'SANDBOX-1' }), { dismissed: value }), 'another subscription');
  // Several dismissals in one browser; odd ids stay one key each; garbage reads as nothing.
  const two = dismissBannerCookie('odd|id~x', value, { secure: false }).split(';')[0]!.split('=')[1]!;
  assert.deepEqual(dismissedKeys(two), [bannerKey(n), 'odd|id~x']);
  assert.deepEqual(dismissedKeys('%E0%A4%A|'), []);
});

test('silent sign-in: once per browser session, never after a sign-out, on an old address only once the move began', () => {
  const base = { imsConfigured: true, cookie: undefined, forSubscription: true } as const;
  assert.equal(silentSignInAllowed({ ...base, forSubscription: false }), true, 'the new address is IMS-only');
  assert.equal(silentSignInAllowed({ ...base, phase: 'announced' }), false, 'before the move nobody here has an IMS link');
  assert.equal(silentSignInAllowed({ ...base, phase: 'moving' }), true);
  assert.equal(silentSignInAllowed({ ...base, phase: 'moved' }), true);
  assert.equal(silentSignInAllowed({ ...base, phase: 'moved', cookie: '1' }), false, 'tried already, or signed out');
  assert.equal(silentSignInAllowed({ ...base, phase: 'moved', imsConfigured: false }), false);
  assert.equal(silentSignInCookie({ secure: false }), 'rehome_silent_sign_in=1; Path=/; HttpOnly; SameSite=Lax');
});
