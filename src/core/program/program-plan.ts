/**
 * The fleet program's wave plan as data (`rehome program plan`): every imported subscription either in exactly one
 * wave or in the blocked list. JSON-serialisable; the shape is the one docs/program.md documents.
 */

export type ProgramMode = 'automatic' | 'self_service';

/**
 * Why a subscription cannot be scheduled (`blocking`), or what must happen before its date (not blocking):
 * - `no_ready_admin` (blocking): none of its admins can move yet; admins migrate first and manage the rest.
 * - `sso_not_configured` (blocking): users who will move sign in with SSO and the IMS organization has none.
 * - `consent_required` (not blocking): the IMS organization exists; an admin consents before the date.
 */
export type ProgramReasonCode = 'no_ready_admin' | 'sso_not_configured' | 'consent_required';

export interface ProgramReason {
  code: ProgramReasonCode;
  blocking: boolean;
  message: string;
}

/** One subscription in a wave or in the blocked list. */
export interface ProgramEntry {
  id: string;
  mode: ProgramMode;
  /** Product users in the snapshot. */
  users: number;
  /** Users who move (not API-only, deactivated or locked): what the daily capacity is spent on. */
  movable: number;
  blocked: boolean;
  reasons: ProgramReason[];
}

export interface ProgramWave {
  n: number;
  /** The user-migration date (YYYY-MM-DD, midnight in each subscription's own time zone). */
  start: string;
  subscriptions: ProgramEntry[];
}

export interface ProgramSummary {
  subscriptions: number;
  /** Product users of every subscription, blocked ones included. */
  users: number;
  /** Scheduled subscriptions by mode; with `blocked` they add up to `subscriptions`. */
  automatic: number;
  selfService: number;
  blocked: number;
  waves: number;
  /** The last day of the last wave (YYYY-MM-DD); null when nothing is scheduled. */
  lastDay: string | null;
}

export interface ProgramPlan {
  waves: ProgramWave[];
  /** Subscriptions no wave can take until their blocking reasons are fixed, by id. */
  blocked: ProgramEntry[];
  summary: ProgramSummary;
}
