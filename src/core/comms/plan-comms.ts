import { addDays } from '../migration/schedule.ts';
import { MIGRATED_STATES, type SubscriptionState, type UserState } from '../migration/states.ts';
import { localInstant } from './local-time.ts';
import type { TemplateName } from './templates.ts';

/**
 * The communication plan as data (DESIGN.md "the plan is data"): given the migration, its users, what was already
 * sent and `now`, which mails are due. Pure; send-comms.ts renders and sends them. Each send has a key
 * `<subscription>:<template>:<user>[:<suffix>]`; a key already recorded is never planned again, so a run resumed
 * after a crash sends only what is missing.
 */

export interface CommsSchedule {
  /** Reminders to the unverified, in days before the migration date (negative: after it, inside the window). */
  reminderDaysBefore: readonly number[];
  /** The migration-day notice goes out this many days before the date (0: on the day). */
  noticeDaysBefore: number;
  /** Local hour (subscription time zone) scheduled mails go out from; nobody is mailed at midnight. */
  sendHour: number;
  /** A reminder waits until this long after the last verification mail to the same person. */
  minHoursBetweenVerificationMails: number;
}

export const DEFAULT_COMMS_SCHEDULE: CommsSchedule = Object.freeze({
  reminderDaysBefore: Object.freeze([7, 3, 1]), noticeDaysBefore: 1, sendHour: 9, minHoursBetweenVerificationMails: 24,
});

export interface CommsMigration {
  subscriptionId: string;
  state: SubscriptionState;
  /** YYYY-MM-DD in `timeZone`, once scheduled. */
  migrationDate: string | null;
  startsAt: string | null;
  windowExpiresAt: string | null;
  timeZone: string;
}

export interface CommsUser {
  userId: string;
  state: UserState;
  admin: boolean;
  /** Clicked a verification link (the engine may still hold them for another reason). */
  verifiedByLink: boolean;
}

export interface SentRecord {
  key: string;
  template: TemplateName;
  userId: string;
  /** ISO instant. */
  at: string;
}

export interface DueSend {
  template: TemplateName;
  userId: string;
  key: string;
}

export interface CommsPlanInput {
  migration: CommsMigration;
  users: readonly CommsUser[];
  sent: readonly SentRecord[];
  now: Date;
  schedule?: CommsSchedule;
}

/** Nobody in these states is mailed: API-only users keep product credentials, deactivated and skipped users lose access. */
const SILENT: ReadonlySet<UserState> = new Set(['stays_local', 'not_migrated', 'skipped']);
const BEFORE_CONFIRMATION: ReadonlySet<SubscriptionState> = new Set(['users_scheduled', 'users_in_progress']);
const NO_COMMS: ReadonlySet<SubscriptionState> = new Set(['not_started', 'rolled_back']);
const VERIFICATION_MAILS: ReadonlySet<TemplateName> = new Set(['verification', 'verification_reminder']);

export function commsKey(subscriptionId: string, template: TemplateName, userId: string, suffix?: string): string {
  return `${subscriptionId}:${template}:${userId}${suffix ? `:${suffix}` : ''}`;
}

export function isAudience(u: CommsUser): boolean {
  return !SILENT.has(u.state);
}

export function isUnverified(u: CommsUser): boolean {
  return u.state === 'needs_email_verification' && !u.verifiedByLink;
}

/** What is due now, in the order it should go out: by template, admins first, then by user id. */
export function planDueComms(input: CommsPlanInput): DueSend[] {
  const { migration: m, now } = input;
  const schedule = input.schedule ?? DEFAULT_COMMS_SCHEDULE;
  if (NO_COMMS.has(m.state)) return [];
  const history = indexSent(input.sent);
  const users = orderUsers(input.users).filter(isAudience);
  const due: DueSend[] = [];
  const add = (template: TemplateName, userId: string, suffix?: string) => {
    const key = commsKey(m.subscriptionId, template, userId, suffix);
    if (!history.keys.has(key)) due.push({ template, userId, key });
  };
  const scheduled = m.migrationDate && m.startsAt && BEFORE_CONFIRMATION.has(m.state) ? m.migrationDate : null;
  const t = now.getTime();

  if (scheduled && m.state === 'users_scheduled' && t < Date.parse(m.startsAt!)) {
    for (const u of users) add('announcement', u.userId, scheduled);
  }
  if (scheduled) {
    for (const u of users.filter(isUnverified)) {
      if (!history.lastVerificationMail.has(u.userId)) add('verification', u.userId, '1');
    }
    const point = latestReminderPoint(scheduled, m, schedule, now);
    if (point !== null) {
      for (const u of users.filter(isUnverified)) {
        const last = history.lastVerificationMail.get(u.userId);
        if (last === undefined) continue; // the first verification mail goes out instead
        if (t - last < schedule.minHoursBetweenVerificationMails * 3_600_000) continue;
        add('verification_reminder', u.userId, `${scheduled}-${point}d`);
      }
    }
    const noticeFrom = localInstant(addDays(scheduled, -schedule.noticeDaysBefore), schedule.sendHour, m.timeZone).getTime();
    const noticeUntil = localInstant(addDays(scheduled, 1), 0, m.timeZone).getTime();
    if (t >= noticeFrom && t < noticeUntil) {
      for (const u of users) if (!MIGRATED_STATES.has(u.state)) add('migration_day', u.userId, scheduled);
    }
  }
  for (const u of users) if (MIGRATED_STATES.has(u.state)) add('after_migration', u.userId);
  return sortSends(due);
}

/** The most recent reminder point that has passed, while it is still current and the window open; null when none. */
function latestReminderPoint(date: string, m: CommsMigration, schedule: CommsSchedule, now: Date): number | null {
  if (m.windowExpiresAt && now.getTime() >= Date.parse(m.windowExpiresAt)) return null;
  let best: { days: number; at: number } | null = null;
  for (const days of new Set(schedule.reminderDaysBefore)) {
    const at = localInstant(addDays(date, -days), schedule.sendHour, m.timeZone).getTime();
    if (at <= now.getTime() && (!best || at > best.at)) best = { days, at };
  }
  // A "before the date" reminder whose date has come is stale: its text says "before {{migration_date}}".
  if (best && best.days > 0 && m.startsAt && now.getTime() >= Date.parse(m.startsAt)) return null;
  return best?.days ?? null;
}

export interface TemplateAudience {
  sends: DueSend[];
  /** Requested users who are not in this template's audience (already verified, API-only, skipped...). */
  notInAudience: string[];
}

/**
 * A named template to its audience now, regardless of the schedule (`rehome comms send --template`, the console's
 * "Verify Email (resend)"). One-off messages keep their once-only key; verification mails and reminders get the
 * next number, so each deliberate resend goes out once, and a crashed resend is not doubled.
 */
export function planTemplateSends(input: Omit<CommsPlanInput, 'now' | 'schedule'> & { template: TemplateName; userIds?: readonly string[] }): TemplateAudience {
  const { migration: m, template } = input;
  const history = indexSent(input.sent);
  const requested = input.userIds ? new Set(input.userIds) : null;
  const known = new Set(input.users.map((u) => u.userId));
  const sends: DueSend[] = [];
  const notInAudience = requested ? [...requested].filter((id) => !known.has(id)) : [];
  for (const u of orderUsers(input.users)) {
    if (requested && !requested.has(u.userId)) continue;
    if (!inTemplateAudience(template, u)) {
      if (requested) notInAudience.push(u.userId);
      continue;
    }
    const n = (history.counts.get(`${template}\u0000${u.userId}`) ?? 0) + 1;
    const suffix = template === 'verification' ? String(n)
      : template === 'verification_reminder' ? `m${n}`
      : template === 'after_migration' ? undefined
      : m.migrationDate ?? 'undated';
    const key = commsKey(m.subscriptionId, template, u.userId, suffix);
    if (!history.keys.has(key)) sends.push({ template, userId: u.userId, key });
  }
  return { sends, notInAudience };
}

function inTemplateAudience(template: TemplateName, u: CommsUser): boolean {
  if (!isAudience(u)) return false;
  switch (template) {
    case 'announcement': return true;
    case 'verification':
    case 'verification_reminder': return isUnverified(u);
    case 'migration_day': return !MIGRATED_STATES.has(u.state);
    case 'after_migration': return MIGRATED_STATES.has(u.state);
  }
}

function indexSent(sent: readonly SentRecord[]) {
  const keys = new Set<string>();
  const counts = new Map<string, number>();
  const lastVerificationMail = new Map<string, number>();
  for (const s of sent) {
    keys.add(s.key);
    const k = `${s.template}\u0000${s.userId}`;
    counts.set(k, (counts.get(k) ?? 0) + 1);
    if (VERIFICATION_MAILS.has(s.template)) {
      const at = Date.parse(s.at);
      if (at > (lastVerificationMail.get(s.userId) ?? -Infinity)) lastVerificationMail.set(s.userId, at);
    }
  }
  return { keys, counts, lastVerificationMail };
}

function orderUsers(users: readonly CommsUser[]): CommsUser[] {
  return [...users].sort((a, b) => Number(b.admin) - Number(a.admin) || (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0));
}

const TEMPLATE_ORDER: Record<TemplateName, number> = { announcement: 0, verification: 1, verification_reminder: 2, migration_day: 3, after_migration: 4 };

function sortSends(sends: DueSend[]): DueSend[] {
  // Stable sort: users are already admins first, then by id.
  return sends.sort((a, b) => TEMPLATE_ORDER[a.template] - TEMPLATE_ORDER[b.template]);
}
