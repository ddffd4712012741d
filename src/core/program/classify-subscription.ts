import { chooseMode } from '../migration/schedule.ts';
import type { ProgramEntry, ProgramReason } from './program-plan.ts';
import type { SubscriptionFacts } from './subscription-facts.ts';

/**
 * Pure: the subscription's mode (the rule the single-subscription plan uses: fewer than `automaticThreshold` movable
 * users and no SSO user moves -> automatic) and its reasons, one rule each below. Blocked when any reason blocks.
 */
export function classifySubscription(f: SubscriptionFacts, automaticThreshold: number): ProgramEntry {
  const reasons = [requireReadyAdmin(f), requireSso(f), noteConsent(f)].filter((r): r is ProgramReason => r !== undefined);
  return {
    id: f.id,
    mode: chooseMode({ users: f.movable, ssoRequired: f.ssoRequired, threshold: automaticThreshold }),
    users: f.users,
    movable: f.movable,
    blocked: reasons.some((r) => r.blocking),
    reasons,
  };
}

/** Admins migrate first and then manage the rest: a subscription none of whose admins can move waits for one. */
function requireReadyAdmin(f: SubscriptionFacts): ProgramReason | undefined {
  if (f.admins.ready > 0) return undefined;
  const message = f.admins.total === 0
    ? 'the subscription has no admin: name one in subscription.json and import it again'
    : `none of its ${f.admins.total} admin${f.admins.total === 1 ? '' : 's'} can move yet (unverified, blocked or not migrated): rehome readiness --stored ${f.id} says why`;
  return { code: 'no_ready_admin', blocking: true, message };
}

function requireSso(f: SubscriptionFacts): ProgramReason | undefined {
  const p = f.prerequisites.find((x) => x.code === 'sso_not_configured');
  return p ? { code: 'sso_not_configured', blocking: true, message: p.message } : undefined;
}

/** Consent is asked for with the announcement and given before the date (rehome migrate --consent, the console). */
function noteConsent(f: SubscriptionFacts): ProgramReason | undefined {
  if (f.consentRecorded || !f.prerequisites.some((x) => x.code === 'consent_required')) return undefined;
  return { code: 'consent_required', blocking: false, message: 'the IMS organization already exists: an admin consents to migrating into it before the date' };
}
