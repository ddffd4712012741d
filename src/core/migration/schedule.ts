/**
 * Timing rules of the reference scenario (reference-scenario.md §1.2, §1.5): the user-migration date is 8–30 days
 * ahead and starts at midnight in the subscription's time zone; the self-service window lasts 30 days and can be
 * extended by 7 days up to 3 times. Pure: `now` is an argument.
 */
export interface ScheduleRules {
  minDaysAhead: number;
  maxDaysAhead: number;
  /** The date can no longer be edited this many hours before it starts. */
  lockHoursBefore: number;
  windowDays: number;
  extensionDays: number;
  maxExtensions: number;
}

export const DEFAULT_SCHEDULE_RULES: ScheduleRules = Object.freeze({
  minDaysAhead: 8, maxDaysAhead: 30, lockHoursBefore: 48, windowDays: 30, extensionDays: 7, maxExtensions: 3,
});

export type ScheduleResult =
  | { ok: true; date: string; startsAt: string }
  | { ok: false; code: 'date_invalid' | 'date_out_of_range' | 'schedule_locked'; message: string; earliest?: string; latest?: string };

/** Today's calendar date (YYYY-MM-DD) in `timeZone` at instant `now`. */
export function localDate(now: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(now);
  const get = (t: string) => parts.find((p) => p.type === t)!.value;
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/**
 * The instant of local midnight starting `date` in `timeZone`, daylight saving included: the zone offset is
 * looked up for that very day (twice, since the offset at a guess can differ across a DST change).
 */
export function midnightIn(date: string, timeZone: string): Date {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const utcGuess = Date.UTC(y, m - 1, d);
  let t = utcGuess - offsetMs(new Date(utcGuess), timeZone);
  t = utcGuess - offsetMs(new Date(t), timeZone);
  return new Date(t);
}

function offsetMs(at: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' }).formatToParts(at);
  const n = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  const asUtc = Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second'));
  return asUtc - Math.floor(at.getTime() / 1000) * 1000;
}

export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** Checks a requested user-migration date against the rules; `current` is the date already set, if any. */
export function checkMigrationDate(input: { date: string; now: Date; timeZone: string; current?: string | null; rules?: ScheduleRules }): ScheduleResult {
  const rules = input.rules ?? DEFAULT_SCHEDULE_RULES;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(input.date) || Number.isNaN(Date.parse(`${input.date}T00:00:00Z`)) || addDays(input.date, 0) !== input.date) {
    return { ok: false, code: 'date_invalid', message: `${input.date} is not a calendar date (YYYY-MM-DD)` };
  }
  if (input.current && isScheduleLocked({ date: input.current, now: input.now, timeZone: input.timeZone, rules })) {
    return { ok: false, code: 'schedule_locked', message: `the migration date ${input.current} is locked (less than ${rules.lockHoursBefore} hours before it starts)` };
  }
  const today = localDate(input.now, input.timeZone);
  const earliest = addDays(today, rules.minDaysAhead);
  const latest = addDays(today, rules.maxDaysAhead);
  if (input.date < earliest || input.date > latest) {
    return { ok: false, code: 'date_out_of_range', message: `the user-migration date must be ${rules.minDaysAhead} to ${rules.maxDaysAhead} days ahead: between ${earliest} and ${latest} in ${input.timeZone}`, earliest, latest };
  }
  return { ok: true, date: input.date, startsAt: midnightIn(input.date, input.timeZone).toISOString() };
}

export function isScheduleLocked(input: { date: string; now: Date; timeZone: string; rules?: ScheduleRules }): boolean {
  const rules = input.rules ?? DEFAULT_SCHEDULE_RULES;
  return input.now.getTime() >= midnightIn(input.date, input.timeZone).getTime() - rules.lockHoursBefore * 3600_000;
}

/** When the self-service window ends, given its start and how many extensions were granted. */
export function windowExpiresAt(startsAt: string, extensions: number, rules: ScheduleRules = DEFAULT_SCHEDULE_RULES): string {
  return new Date(Date.parse(startsAt) + (rules.windowDays + extensions * rules.extensionDays) * 86_400_000).toISOString();
}

export type ExtendResult = { ok: true; extensions: number; expiresAt: string } | { ok: false; code: 'extensions_exhausted'; message: string };

export function extendWindow(startsAt: string, extensions: number, rules: ScheduleRules = DEFAULT_SCHEDULE_RULES): ExtendResult {
  if (extensions >= rules.maxExtensions) {
    return { ok: false, code: 'extensions_exhausted', message: `the window was already extended ${extensions} times (the most allowed is ${rules.maxExtensions})` };
  }
  return { ok: true, extensions: extensions + 1, expiresAt: windowExpiresAt(startsAt, extensions + 1, rules) };
}

/** Small subscriptions without SSO move with no admin action (reference §1.8: "<75 users and no SSO"). */
export function chooseMode(input: { users: number; ssoRequired: boolean; threshold?: number }): 'automatic' | 'self_service' {
  return input.users < (input.threshold ?? 75) && !input.ssoRequired ? 'automatic' : 'self_service';
}
