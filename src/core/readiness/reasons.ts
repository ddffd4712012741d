import { REASON_WORDS } from '../glossary/reason-words.ts';
import { sentenceWith } from '../glossary/words.ts';
import type { Reason, ReasonCode, Severity } from './report.ts';

/** Whether a reason stops the user (`block`) or is for the admin's attention only (`warn`). */
const SEVERITY: Readonly<Record<ReasonCode, Severity>> = Object.freeze({
  invalid_email: 'block',
  duplicate_email: 'block',
  ambiguous_ims_match: 'block',
  ims_email_unverified: 'block',
  confusable_email: 'block',
  sso_not_configured: 'block',
  domain_claimed_elsewhere: 'block',
  invite_not_accepted: 'block',
  ims_account_disabled: 'block',
  identity_type_conflict: 'warn',
  ims_signup_pending: 'warn',
  email_unverified: 'block',
  api_only: 'warn',
  deactivated: 'warn',
  locked: 'warn',
  login_differs_from_email: 'warn',
  access_expires: 'warn',
  plus_or_dot_address: 'warn',
  admin_not_ready: 'warn',
  in_several_subscriptions: 'warn',
});

interface ReasonText {
  severity: Severity;
  label: string;
  /** The sentence that stands alone, without any user's detail. */
  message: string;
  fix: string;
}

/**
 * Every reason code with its severity and its words (the glossary, core/glossary/reason-words.ts, holds the words;
 * docs/readiness.md is generated from both and checked by a test).
 */
export const REASONS: Readonly<Record<ReasonCode, ReasonText>> = Object.freeze(Object.fromEntries(
  (Object.keys(SEVERITY) as ReasonCode[]).map((code) => {
    const w = REASON_WORDS[code];
    return [code, Object.freeze({ severity: SEVERITY[code], label: w.label, message: w.sentence, fix: w.fix })];
  }),
) as Record<ReasonCode, ReasonText>);

/**
 * A reason with its sentence: the user's `detail` (an address, a date, other user ids) in its place, or, without a
 * detail, the sentence that stands alone (never one with an empty slot).
 */
export function reason(code: ReasonCode, detail?: string): Reason {
  const text = REASONS[code];
  if (detail === undefined || detail.trim() === '') return (PLAIN[code] ??= Object.freeze({ code, severity: text.severity, message: text.message, fix: text.fix }));
  return { code, severity: text.severity, message: sentenceWith(REASON_WORDS[code], detail), fix: text.fix };
}

/** The reasons without a detail, made once: a million users share a handful of them (frozen, so none is changed). */
const PLAIN: Partial<Record<ReasonCode, Reason>> = {};
