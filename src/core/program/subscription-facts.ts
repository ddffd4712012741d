import type { MigrationPlan } from '../migration/plan.ts';

/**
 * What the wave planner needs to know about one subscription, taken from its migration plan (the plan `rehome plan`
 * makes), so the fleet's numbers are the numbers of each subscription's own plan.
 */
export interface SubscriptionFacts {
  id: string;
  /** Product users in the snapshot. */
  users: number;
  /** Users who move: every user but the API-only (stay local), deactivated and locked ones (skip). */
  movable: number;
  /** Users the plan makes ready now (link, create, invite). */
  ready: number;
  /** Users who will move sign in with SSO today. */
  ssoRequired: boolean;
  admins: { total: number; ready: number };
  /** The plan's prerequisites (SSO missing, consent required, no ready admin). */
  prerequisites: MigrationPlan['prerequisites'];
  /** Consent to migrate into an existing IMS organization is on record. */
  consentRecorded: boolean;
  /** IdP requests the user phase sends for the ready users (src/engine/request-estimate.ts), when an IdP limits them. */
  requests?: number;
}

const READY = new Set(['link', 'create', 'invite']);

/** Pure: the facts of one plan. `extra` holds what the plan does not say (recorded consent, the request count). */
export function factsFromPlan(plan: MigrationPlan, extra: { consentRecorded: boolean; requests?: number }): SubscriptionFacts {
  const c = plan.counts;
  const admins = plan.users.filter((u) => u.admin);
  const sso = plan.product.find((s) => s.step === 'check_sso');
  return {
    id: plan.subscriptionId,
    users: c.total,
    movable: c.total - c.stay_local - c.skip,
    ready: c.link + c.create + c.invite,
    ssoRequired: sso?.step === 'check_sso' && sso.required,
    admins: { total: admins.length, ready: admins.filter((u) => READY.has(u.action)).length },
    prerequisites: plan.prerequisites.map((p) => ({ ...p })),
    consentRecorded: extra.consentRecorded,
    ...(extra.requests === undefined ? {} : { requests: extra.requests }),
  };
}
