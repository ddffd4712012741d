/**
 * Wall-clock instants in a subscription's time zone, daylight saving included. Pure: Intl's zone data only, no
 * clock. (schedule.ts has local midnight; mails go out at a civil hour, which may fall on either side of a DST jump.)
 */

/** The instant at `hour`:00 local time on `date` (YYYY-MM-DD) in `timeZone`. */
export function localInstant(date: string, hour: number, timeZone: string): Date {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const wall = Date.UTC(y, m - 1, d, hour);
  // The offset at a first guess can differ from the offset at the answer across a DST change: look it up twice.
  let t = wall - offsetMs(new Date(wall), timeZone);
  t = wall - offsetMs(new Date(t), timeZone);
  return new Date(t);
}

function offsetMs(at: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' }).formatToParts(at);
  const n = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  return Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second')) - Math.floor(at.getTime() / 1000) * 1000;
}

/** "Saturday 5 December 2026": the date people read in a mail, in the subscription's zone. */
export function formatLongDate(instant: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }).format(instant);
}

/** "5 December 2026, 14:30 GMT+1": date and time in the subscription's zone, with its abbreviation. */
export function formatDateTime(instant: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone, day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' }).format(instant);
}
