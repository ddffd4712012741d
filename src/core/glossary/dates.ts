/**
 * The one way dates are written for people: "13 Dec 2026" and "13 Dec 2026, 00:00 Europe/Berlin", in the
 * subscription's time zone, which the caller passes (no clock, no default zone). The month names are our own, not
 * the locale's: ICU writes September as "Sept" in some versions and "Sep" in others.
 */

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const CALENDAR_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
/** One formatter per zone: making one costs far more than formatting (a report may write thousands of dates). */
const formatters = new Map<string, Intl.DateTimeFormat>();

/** The parts of `instant` in `timeZone`, or undefined for a zone Intl does not know (imports check zones; tests may not). */
function partsIn(instant: Date, timeZone: string): Record<string, string> | undefined {
  let f = formatters.get(timeZone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    } catch {
      return undefined;
    }
    formatters.set(timeZone, f);
  }
  return Object.fromEntries(f.formatToParts(instant).map((p) => [p.type, p.value]));
}

function parse(value: string | Date): Date | undefined {
  const d = typeof value === 'string' ? new Date(value) : value;
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/**
 * "13 Dec 2026": the day of an instant in `timeZone`. A calendar date (`2026-12-13`) is a day already and is
 * written as it is, whatever the zone. Text that is not a date comes back unchanged, so nothing is lost.
 */
export function formatDay(value: string | Date, timeZone: string): string {
  const day = typeof value === 'string' ? CALENDAR_DATE.exec(value) : null;
  if (day) return `${Number(day[3])} ${MONTHS[Number(day[2]) - 1] ?? day[2]} ${day[1]}`;
  const d = parse(value);
  const p = d && partsIn(d, timeZone);
  if (!p) return String(value);
  return `${p.day} ${MONTHS[Number(p.month) - 1]} ${p.year}`;
}

/**
 * "13 Dec 2026, 00:00 Europe/Berlin": day and time in `timeZone`, the zone named unless `zone: false` (a table
 * whose heading names the zone once).
 */
export function formatDayTime(value: string | Date, timeZone: string, opts: { zone?: boolean } = {}): string {
  const d = parse(value);
  const p = d && partsIn(d, timeZone);
  if (!p) return String(value);
  const time = `${p.day} ${MONTHS[Number(p.month) - 1]} ${p.year}, ${p.hour}:${p.minute}`;
  return opts.zone === false ? time : `${time} ${timeZone}`;
}
