import type { SubscriptionState } from '../migration/states.ts';
import { formatDateTime, formatLongDate } from './local-time.ts';

/**
 * What people outside the console may know about a subscription's move: its phase and date, nothing about anyone.
 * The help page ("What changes for me") and the product's banner read this one description, so they never
 * disagree. Pure: the caller passes the migration row and `now`.
 */

/**
 * - `not_announced`: no date yet (or the move was called off): people keep signing in as today.
 * - `announced`: a date is set and the move has not started.
 * - `moving`: the date has come; accounts move (admins first) until the window closes.
 * - `moved`: everyone who could move has; the old sign-in is gone.
 */
export type NoticePhase = 'not_announced' | 'announced' | 'moving' | 'moved';

export interface MigrationNotice {
  subscriptionId: string;
  /** The subscription's name as the product shows it, e.g. "Acme Marketing (production)". */
  subscriptionName: string;
  phase: NoticePhase;
  /** YYYY-MM-DD in `timeZone`, once scheduled. */
  migrationDate: string | null;
  /** ISO instant the move starts (local midnight of the date). */
  startsAt: string | null;
  timeZone: string;
  /** "Saturday, 5 December 2026", in the subscription's zone. */
  dateText: string | null;
  /** "5 December 2026 at 00:00 GMT-8", in the subscription's zone. */
  startText: string | null;
}

export interface NoticeInput {
  subscriptionId: string;
  subscriptionName: string;
  state: SubscriptionState;
  migrationDate: string | null;
  startsAt: string | null;
  timeZone: string;
  now: Date;
}

const MOVED: ReadonlySet<SubscriptionState> = new Set(['awaiting_confirmation', 'confirmed', 'support_migrated', 'done']);
const DATED: ReadonlySet<SubscriptionState> = new Set(['users_scheduled', 'users_in_progress', 'expired']);

export function noticePhase(state: SubscriptionState, startsAt: string | null, now: Date): NoticePhase {
  if (MOVED.has(state)) return 'moved';
  if (!DATED.has(state) || startsAt === null) return 'not_announced';
  // `users_scheduled` past its start is still moving for people: the engine may start a little later than midnight.
  // An expired window is too: admins may extend it and keep moving people.
  return state === 'users_scheduled' && now.getTime() < Date.parse(startsAt) ? 'announced' : 'moving';
}

export function describeNotice(input: NoticeInput): MigrationNotice {
  const phase = noticePhase(input.state, input.startsAt, input.now);
  // A called-off move keeps its old date in the row; nobody should read it any more.
  const dated = phase !== 'not_announced' && input.startsAt !== null;
  const startsAt = dated ? new Date(input.startsAt!) : null;
  return {
    subscriptionId: input.subscriptionId,
    subscriptionName: input.subscriptionName,
    phase,
    migrationDate: dated ? input.migrationDate : null,
    startsAt: startsAt ? startsAt.toISOString() : null,
    timeZone: input.timeZone,
    dateText: startsAt ? formatLongDate(startsAt, input.timeZone) : null,
    startText: startsAt ? formatDateTime(startsAt, input.timeZone) : null,
  };
}

/** The public help page of a subscription, under Rehome's public URL (`/help/<id>`). */
export function helpPagePath(subscriptionId: string): string {
  return `/help/${encodeURIComponent(subscriptionId)}`;
}

export function helpPageUrl(baseUrl: string, subscriptionId: string): string {
  return `${baseUrl.replace(/\/+$/, '')}${helpPagePath(subscriptionId)}`;
}
