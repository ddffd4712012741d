import type { UserState } from '../migration/states.ts';
import { sentenceWith } from './words.ts';

/** A refusal as the console says it: a sentence that stands alone, and the same with the detail the console knows. */
export interface RefusalWords {
  sentence: string;
  withDetail?: string;
}

/**
 * What the console says when an action is refused, by the error's stable code (MigrationError, AppError and
 * CommsError: the three a console action can answer; docs/errors.md lists the codes, a test checks that each has
 * words here), and by the finer causes of `schedule_invalid` (core/migration/schedule.ts). The detail is what the
 * console knows in people's terms (a date in the subscription's zone, where the migration stands), or the
 * engine's own sentence where it already is one (a prerequisite, a missing setting).
 */
export const REFUSAL_WORDS: Readonly<Record<string, RefusalWords>> = Object.freeze({
  // Migration engine (MigrationError)
  migration_not_found: { sentence: 'The user migration is not planned yet: link the product first (Overview).' },
  migration_exists: { sentence: 'The product is already linked to the IMS for this subscription.' },
  plan_stale: { sentence: 'The newest import differs from the one the migration was planned from: plan again from the newest import first.' },
  plan_invalid: { sentence: 'The stored plan is incomplete: an operator must plan the subscription again.' },
  prerequisite_missing: {
    sentence: 'Something must be settled first: SSO in the IMS organization, or your consent to move into an existing organization.',
    withDetail: 'Settle this first: {detail}',
  },
  transition_refused: {
    sentence: "That step is not possible in the migration's current state.",
    withDetail: 'That step is not possible now. {detail}',
  },
  user_not_found: { sentence: 'That user is not part of this migration.', withDetail: '{detail} is not part of this migration.' },
  schedule_invalid: { sentence: 'That date cannot be used.', withDetail: 'That date cannot be used: {detail}.' },
  window_expired: {
    sentence: 'The self-service window has ended: scheduled migrations no longer run. Migrate users on demand, or extend the window.',
    withDetail: 'The self-service window ended on {detail}: scheduled migrations no longer run. Migrate users on demand, or extend the window.',
  },
  extensions_exhausted: {
    sentence: 'The window cannot be extended again: it was extended the most times allowed.',
    withDetail: 'The window cannot be extended again: it was extended the most times allowed ({detail}).',
  },
  not_complete: { sentence: 'Every user must be migrated or skipped before you can complete the migration.' },
  threshold_exceeded: { sentence: 'That would change too many users at once; an operator can do it from the command line.' },
  plan_drift: { sentence: 'The IMS changed since the plan was made (an account vanished, another appeared, or its type changed): run readiness and plan again.' },
  admins_first: { sentence: "Admins migrate first: the subscription's admins must be migrated, or skipped with a second confirmation, before anyone else." },
  // Refusals of one user (skip, unskip, retry); the detail is the person.
  admin_skip_unconfirmed: {
    sentence: 'Skipping an admin needs a second confirmation: they lose access when the migration is confirmed.',
    withDetail: '{detail} is an admin of the subscription: skipping an admin needs a second confirmation, because they lose access when the migration is confirmed.',
  },
  // Application (AppError)
  usage: { sentence: 'Something that action needs is missing.', withDetail: '{detail}.' },
  file_not_found: { sentence: 'A file that action needs does not exist.', withDetail: 'A file that action needs does not exist: {detail}.' },
  secrets_required: { sentence: 'The server has no cookie keys or link secret: an operator must set them.' },
  not_configured: { sentence: 'This server is not set up for that.', withDetail: 'This server is not set up for that: {detail}.' },
  snapshot_not_found: { sentence: 'Nothing is imported for this subscription yet: import its users first.' },
  no_migration: { sentence: 'The user migration is not planned yet: link the product first (Overview).' },
  // Communications (CommsError)
  template_invalid: { sentence: 'A mail template is malformed: an operator must correct it.', withDetail: 'A mail template is malformed: {detail}.' },
  template_unknown: { sentence: 'That mail template does not exist: an operator must add it.' },
  placeholder_missing: { sentence: 'The mail cannot be written: a value it needs is not configured.', withDetail: 'The mail cannot be written: {detail}.' },
  user_unknown: { sentence: 'That user is not part of this migration.', withDetail: '{detail} is not part of this migration.' },
  link_secret_missing: { sentence: 'Verification links cannot be made: the server has no link secret (ims.linkSecret); an operator must set it.' },
  settings_invalid: { sentence: 'A communications setting cannot be used.', withDetail: 'A communications setting cannot be used: {detail}.' },
  // The causes of schedule_invalid, as the schedule rule names them.
  date_invalid: { sentence: 'That is not a calendar date: pick a day in the date field.' },
  date_out_of_range: { sentence: 'That day is too soon or too far ahead.', withDetail: 'Pick a day {detail}.' },
  schedule_locked: { sentence: 'The date can no longer change: the user migration starts too soon.', withDetail: 'The date can no longer change: {detail}.' },
  no_date_yet: { sentence: 'Set the user-migration date first (Overview).' },
});

/** The refusal for `code` (an unknown code gets the general sentence: a new code is never shown raw). */
export function refusalSentence(code: string, detail?: string | null): string {
  return sentenceWith(REFUSAL_WORDS[code] ?? GENERAL, detail);
}

const GENERAL: RefusalWords = { sentence: 'That action was refused.', withDetail: 'That action was refused: {detail}.' };

export type UserChange = 'skip' | 'unskip' | 'retry';

/**
 * Why skip, unskip or retry refuses a user, by the state the user is in; `{who}` is the person ("Ann Smith
 * (1001)"). Every state the state machine refuses from has its sentence (a test walks states.ts).
 */
export const USER_CHANGE_REFUSALS: Readonly<Record<UserChange, Partial<Record<UserState, string>>>> = Object.freeze({
  retry: {
    needs_email_verification: '{who} has not verified their email address yet, so there is nothing to retry.',
    eligible: '{who} has not been tried yet, so there is nothing to retry.',
    migrating: '{who} is being migrated right now.',
    migrated: '{who} is already migrated: there is nothing to retry.',
    activated: '{who} is already migrated and has signed in: there is nothing to retry.',
    skipped: '{who} is skipped: unskip them first, then migrate them.',
    blocked: '{who} is blocked: resolve the reasons on the Readiness tab first.',
    stays_local: '{who} is an API-only user and stays in the product: there is nothing to retry.',
    not_migrated: '{who} is deactivated or locked in the product and does not move: there is nothing to retry.',
  },
  skip: {
    migrating: '{who} is being migrated right now: wait until the run ends.',
    migrated: '{who} is already migrated and cannot be skipped.',
    activated: '{who} is already migrated and has signed in: they cannot be skipped.',
    skipped: '{who} is already skipped.',
    stays_local: '{who} is an API-only user and stays in the product: there is nothing to skip.',
    not_migrated: '{who} is deactivated or locked in the product and does not move anyway.',
  },
  unskip: {
    needs_email_verification: '{who} is not skipped: they still have to verify their email address.',
    eligible: '{who} is not skipped: they are ready to migrate.',
    migrating: '{who} is not skipped: they are being migrated right now.',
    migrated: '{who} is not skipped: they are already migrated.',
    activated: '{who} is not skipped: they are already migrated and have signed in.',
    blocked: '{who} is not skipped: they are blocked (see the Readiness tab).',
    failed: '{who} is not skipped: their last attempt failed; retry them instead.',
    stays_local: '{who} is not skipped: API-only users stay in the product.',
    not_migrated: '{who} is not skipped: they are deactivated or locked in the product.',
  },
});

/**
 * The sentence for one refused user. A refusal code of its own (`admin_skip_unconfirmed`, `user_not_found`) says
 * why; the state machine's `transition_refused` is explained by the state the user is in. `state` undefined: the
 * user is not in this migration at all.
 */
export function userChangeRefusal(action: UserChange, state: UserState | undefined, who: string, code?: string): string {
  if (state === undefined) return sentenceWith(REFUSAL_WORDS.user_not_found!, who);
  if (code && code !== 'transition_refused' && REFUSAL_WORDS[code]) return sentenceWith(REFUSAL_WORDS[code], who);
  return (USER_CHANGE_REFUSALS[action][state] ?? '{who} cannot be changed that way now.').replace('{who}', () => who);
}
