import { formatDay, formatDayTime } from '../../core/glossary/dates.ts';
import { subscriptionStateWords, userStateWords } from '../../core/glossary/glossary.ts';

// The console's words come from the glossary (src/core/glossary); these are its readers for the pages.

export function userStateLabel(state: string): string {
  return userStateWords(state).label;
}

export function subscriptionStateLabel(state: string | null): string {
  return subscriptionStateWords(state).label;
}

/** Verification status as the reference console shows it: Verified, Unverified or Skipped. */
export function verificationLabel(state: string, reasons: readonly string[]): string {
  if (state === 'stays_local' || state === 'not_migrated') return '—';
  if (state === 'needs_email_verification' || reasons.includes('email_unverified') || reasons.includes('invite_not_accepted')) return 'Unverified';
  return 'Verified';
}

/** "13 Dec 2026, 00:00" in the subscription's zone, for tables whose heading names the zone once. */
export function formatInstant(iso: string | null | undefined, timeZone: string): string {
  return iso ? formatDayTime(iso, timeZone, { zone: false }) : '—';
}

/** "13 Dec 2026, 00:00 America/Los_Angeles": an instant in running text, its zone named. */
export function formatMoment(iso: string | null | undefined, timeZone: string): string {
  return iso ? formatDayTime(iso, timeZone) : '—';
}

export function formatDate(iso: string | null | undefined, timeZone: string): string {
  return iso ? formatDay(iso, timeZone) : '—';
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/**
 * "starts" while the user-migration date is ahead, "started" once it has passed. Migrating admins on demand before
 * the date moves the state to users_in_progress but not the date ("started 13 Dec" read on 3 Dec), so the tense
 * follows the clock (`now`, from the request). Without it only a scheduled migration is surely still ahead (the
 * user phase opens at the date); otherwise the date is named without a verb.
 */
export function startVerb(startsAt: string, state: string, now?: string): 'starts' | 'started' | null {
  if (now !== undefined) return Date.parse(startsAt) > Date.parse(now) ? 'starts' : 'started';
  return state === 'users_scheduled' ? 'starts' : null;
}
