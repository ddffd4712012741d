import type { MigrationPlan, UserAction } from './plan.ts';

type Prerequisite = MigrationPlan['prerequisites'][number];

/** Plan actions of users who do not move: they keep no SSO to lose, so they never call for SSO in the IMS. */
const NOT_MOVING: readonly UserAction[] = ['stay_local', 'skip'];

/** One product user as the SSO prerequisite sees it. */
export interface SsoUserFacts {
  /** Signs in with SSO in the product today. */
  sso: boolean;
  /** The plan's action for the user (stay_local and skip never move). */
  action: UserAction;
  /** Skipped by an admin since the plan was made (`rehome skip`, the console): no longer moves either. */
  skipped?: boolean;
}

/**
 * `sso_not_configured` when users who will move sign in with SSO today and the IMS organization federates no domain
 * to the customer's IdP: they would lose SSO. Users who stay local, are not migrated or were skipped do not count.
 * The message names how many and the command that fixes it. Pure: the caller says whether SSO is configured.
 */
export function ssoPrerequisite(input: { users: Iterable<SsoUserFacts>; ssoConfigured: boolean; orgId: string }): Prerequisite | undefined {
  if (input.ssoConfigured) return undefined;
  let moving = 0;
  for (const u of input.users) if (u.sso && !u.skipped && !NOT_MOVING.includes(u.action)) moving++;
  if (moving === 0) return undefined;
  const who = moving === 1 ? '1 user who will move signs' : `${moving} users who will move sign`;
  return {
    code: 'sso_not_configured',
    blocking: true,
    message: `${who} in with SSO today: configure SSO for IMS organization ${input.orgId} before scheduling the user migration `
      + `(rehome ims org sso set --org ${input.orgId} --issuer URL --client-id ID --domain D), or skip ${moving === 1 ? 'that user' : 'those users'} (rehome skip).`,
  };
}
