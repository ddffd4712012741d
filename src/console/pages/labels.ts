import type { UserState } from '../../core/migration/states.ts';

/** The words a person reads for each state (the reference console's vocabulary where it has one). */
export const USER_STATE_LABEL: Record<UserState, string> = {
  needs_email_verification: 'Email not verified',
  eligible: 'Not started',
  migrating: 'Migrating',
  migrated: 'Migrated',
  activated: 'Activated',
  skipped: 'Skipped',
  blocked: 'Blocked',
  failed: 'Failed',
  stays_local: 'Stays local (API-only)',
  not_migrated: 'Not migrated (deactivated)',
};

export const SUBSCRIPTION_STATE_LABEL: Record<string, string> = {
  not_started: 'Not started',
  product_linked: 'Product linked — pick the user-migration date',
  users_scheduled: 'User migration scheduled',
  users_in_progress: 'User migration in progress',
  awaiting_confirmation: 'Every user accounted for — awaiting confirmation',
  confirmed: 'Confirmed',
  support_migrated: 'Support tickets migrated',
  done: 'Done',
  expired: 'Window expired — migrate on demand or extend',
  rolled_back: 'Rolled back',
};

export function userStateLabel(state: string): string {
  return USER_STATE_LABEL[state as UserState] ?? state;
}

export function subscriptionStateLabel(state: string | null): string {
  return state === null ? 'Not planned yet' : SUBSCRIPTION_STATE_LABEL[state] ?? state;
}

/** Verification status as the reference console shows it: Verified, Unverified or Skipped. */
export function verificationLabel(state: string, reasons: readonly string[]): string {
  if (state === 'skipped') return 'Skipped';
  if (state === 'stays_local' || state === 'not_migrated') return '—';
  if (state === 'needs_email_verification' || reasons.includes('email_unverified') || reasons.includes('invite_not_accepted')) return 'Unverified';
  return 'Verified';
}

/** `2026-12-05 00:00` in the subscription's zone (the zone is named once on the page). */
export function formatInstant(iso: string | null | undefined, timeZone: string): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = Object.fromEntries(new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(d).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

export function formatDate(iso: string | null | undefined, timeZone: string): string {
  return iso ? formatInstant(iso, timeZone).slice(0, 10) : '—';
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}
