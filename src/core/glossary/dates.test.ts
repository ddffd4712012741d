import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDay, formatDayTime } from './dates.ts';
import { listPeople, personLabel } from './people.ts';

test('dates: one format, in the zone passed in', () => {
  assert.equal(formatDayTime('2026-12-12T23:00:00Z', 'Europe/Berlin'), '13 Dec 2026, 00:00 Europe/Berlin');
  assert.equal(formatDayTime('2026-12-12T23:00:00Z', 'Europe/Berlin', { zone: false }), '13 Dec 2026, 00:00');
  assert.equal(formatDay('2026-12-12T23:00:00Z', 'Europe/Berlin'), '13 Dec 2026');
  assert.equal(formatDay('2026-12-12T23:00:00Z', 'America/Los_Angeles'), '12 Dec 2026');
  // Across a daylight-saving change: midnight in Los Angeles is 08:00 UTC in winter, 07:00 in summer.
  assert.equal(formatDayTime('2027-03-14T08:00:00Z', 'America/Los_Angeles'), '14 Mar 2027, 00:00 America/Los_Angeles');
  assert.equal(formatDayTime('2027-03-15T07:00:00Z', 'America/Los_Angeles'), '15 Mar 2027, 00:00 America/Los_Angeles');
  assert.equal(formatDay(new Date('2027-09-01T12:00:00Z'), 'UTC'), '1 Sep 2027', 'our month names, whatever ICU calls September');
});

test('dates: a calendar date is a day in every zone; what is not a date comes back as it was', () => {
  assert.equal(formatDay('2026-12-13', 'Pacific/Kiritimati'), '13 Dec 2026');
  assert.equal(formatDay('2026-12-13', 'Pacific/Pago_Pago'), '13 Dec 2026');
  assert.equal(formatDay('soon', 'UTC'), 'soon');
  assert.equal(formatDayTime('2026-12-13T00:00:00Z', 'Not/AZone'), '2026-12-13T00:00:00Z', 'an unknown zone: the value as given, no crash');
});

test('people: "Ann Smith (1003)", the id alone without a name, never empty brackets', () => {
  assert.equal(personLabel('1003', 'Ann Smith'), 'Ann Smith (1003)');
  assert.equal(personLabel('1003', '  '), '1003');
  assert.equal(personLabel('1003', null), '1003');
  assert.equal(listPeople(['1', '2', '3'], { 1: 'Ann Smith', 3: 'Ken Lamarr' }, 2), 'Ann Smith (1), 2 and 1 more');
  assert.equal(listPeople(['constructor'], {}), 'constructor', 'an id never finds an inherited property');
});
