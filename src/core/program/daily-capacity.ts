import type { CommsSchedule } from '../comms/plan-comms.ts';
import type { ScheduleRules } from '../migration/schedule.ts';
import { ProgramError } from './program-error.ts';
import type { SubscriptionFacts } from './subscription-facts.ts';

/** How many users a day the program may move, and where the figure comes from. */
export type DailyCapacity =
  | { source: 'max_users_per_day'; usersPerDay: number }
  | { source: 'idp_rate_limit'; usersPerDay: number; requestsPerMinute: number; requestsPerUser: number }
  | { source: 'unlimited'; usersPerDay: null };

const MINUTES_PER_DAY = 24 * 60;

/**
 * Pure. `maxUsersPerDay` when given; else the external IdP's rate limit divided by what one user costs in requests
 * (the fleet's request count from the request model over the users its plans make ready); else no limit (the
 * embedded IMS has none).
 */
export function dailyCapacity(input: { maxUsersPerDay?: number; requestsPerMinute?: number | null; facts: readonly SubscriptionFacts[] }): DailyCapacity {
  if (input.maxUsersPerDay !== undefined) {
    if (!Number.isInteger(input.maxUsersPerDay) || input.maxUsersPerDay < 1) throw new ProgramError('invalid_option', `the users per day must be a whole number of at least 1 (got ${input.maxUsersPerDay})`);
    return { source: 'max_users_per_day', usersPerDay: input.maxUsersPerDay };
  }
  const rpm = input.requestsPerMinute;
  if (rpm === undefined || rpm === null) return { source: 'unlimited', usersPerDay: null };
  let requests = 0;
  let ready = 0;
  for (const f of input.facts) {
    if (f.requests === undefined) continue;
    requests += f.requests;
    ready += f.ready;
  }
  // Nobody is ready to move yet: one request per user is the floor of every way of sending them.
  const requestsPerUser = ready > 0 && requests > 0 ? requests / ready : 1;
  return { source: 'idp_rate_limit', usersPerDay: Math.max(1, Math.floor((rpm * MINUTES_PER_DAY) / requestsPerUser)), requestsPerMinute: rpm, requestsPerUser };
}

/**
 * Days between the program's start and its first migration date: the scheduling rule's minimum, and long enough
 * for the announcement to go out the day before the earliest reminder or notice of the comms plan. It must fit in
 * the rule's maximum, or no date could be set in time for the comms.
 */
export function programLeadDays(rules: ScheduleRules, comms: Pick<CommsSchedule, 'reminderDaysBefore' | 'noticeDaysBefore'>): number {
  const earliestMail = Math.max(comms.noticeDaysBefore, ...comms.reminderDaysBefore.filter((d) => d > 0));
  const lead = Math.max(rules.minDaysAhead, earliestMail + 1);
  if (lead > rules.maxDaysAhead) {
    throw new ProgramError('lead_time_too_long', `the comms need ${lead} days between the announcement and the date (comms.reminderDaysBefore, comms.noticeDaysBefore), more than the ${rules.maxDaysAhead} days ahead a date may be set`);
  }
  return lead;
}
