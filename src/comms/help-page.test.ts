import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MigrationNotice, NoticePhase } from '../core/comms/migration-notice.ts';
import { renderHelpPage, renderUnknownHelpPage, type HelpPageSettings } from './help-page.ts';

const settings: HelpPageSettings = { imsName: 'Acme ID', brandText: 'Continue with Acme ID', productName: 'Engage', productUrl: 'https://engage.example/', contact: null };
const notice = (phase: NoticePhase): MigrationNotice => ({
  subscriptionId: '123-ABC-456', subscriptionName: 'Acme <Marketing>', phase, migrationDate: '2026-12-13', startsAt: '2026-12-13T08:00:00.000Z',
  timeZone: 'America/Los_Angeles', dateText: 'Sunday, 13 December 2026', startText: '13 December 2026 at 00:00 GMT-8',
});

test('the page follows the move: what to do before it while it is ahead, the new address in the right tense', () => {
  const announced = renderHelpPage(notice('announced'), settings);
  assert.match(announced, /Before the move: verify your email address/);
  assert.match(announced, /Engage will live at <a href="https:\/\/engage\.example\/">https:\/\/engage\.example\/<\/a> after the move\./);
  assert.match(renderHelpPage(notice('moving'), settings), /is moving its sign-in to Acme ID since/);
  const moved = renderHelpPage(notice('moved'), settings);
  assert.doesNotMatch(moved, /Before the move/);
  assert.match(moved, /moved its sign-in to Acme ID on/);
  assert.match(moved, /Engage now lives at/);
  assert.match(renderHelpPage({ ...notice('not_announced'), dateText: null, startText: null }, settings), /No date is set yet/);
});

test('who to ask: the configured contact, else the product\'s administrators; names are escaped', () => {
  assert.match(renderHelpPage(notice('announced'), settings), /Ask your Engage administrators\./);
  assert.match(renderHelpPage(notice('announced'), { ...settings, contact: 'the service desk <help@acme.example>' }), /Ask the service desk &#60;help@acme\.example&#62;\./);
  assert.match(renderHelpPage(notice('announced'), settings), /Acme &#60;Marketing&#62;/);
  assert.match(renderHelpPage(notice('announced'), { ...settings, productName: null }), /Ask your Acme &#60;Marketing&#62; administrators\./, 'no product name: the subscription\'s');
  assert.match(renderUnknownHelpPage(settings), /This help page does not exist/);
});
