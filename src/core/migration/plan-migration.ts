import type { ImsDirectory, SubscriptionSnapshot } from '../model.ts';
import type { EmailPolicy } from '../email/normalize-email.ts';
import { planReadiness } from '../readiness/plan-readiness.ts';
import type { UserReadiness } from '../readiness/report.ts';
import type { MigrationPlan, PasswordStrategy, PlannedUser, ProductStep, UserAction } from './plan.ts';
import { chooseMode } from './schedule.ts';
import { ssoPrerequisite } from './sso-prerequisite.ts';
import type { UserState } from './states.ts';

export interface PlanMigrationInput {
  snapshot: SubscriptionSnapshot & { id: string; digest: string; ims: ImsDirectory };
  passwordStrategy: PasswordStrategy;
  /** Whether the IMS organization already exists (then the subscription admin's consent to merge is required). */
  orgExists: boolean;
  /** Recorded consent to migrate into an existing organization. */
  consentRecorded?: boolean;
  automaticThreshold?: number;
  policy?: EmailPolicy;
}

const ACTION_STATE: Record<UserAction, UserState> = {
  link: 'eligible', create: 'eligible', invite: 'eligible', wait_for_verification: 'needs_email_verification',
  hold: 'blocked', stay_local: 'stays_local', skip: 'not_migrated',
};

/** Pure: turns a stored snapshot into the plan `rehome migrate` applies. Same input, same plan. */
export function planMigration(input: PlanMigrationInput): MigrationPlan {
  const { snapshot } = input;
  const sub = snapshot.subscription;
  const report = planReadiness({ subscriptions: [{ subscription: sub, users: snapshot.users }], ims: snapshot.ims, ...(input.policy ? { policy: input.policy } : {}) });
  const byId = new Map(snapshot.users.map((u) => [u.id, u]));
  const profile = `profile:${sub.id}`;
  const users = report.users.map((r): PlannedUser => {
    const u = byId.get(r.id)!;
    const action = chooseAction(r, input.passwordStrategy);
    const moving = action !== 'hold' && action !== 'stay_local' && action !== 'skip';
    const domain = r.normalizedEmail?.split('@')[1] ?? '';
    return {
      userId: r.id,
      email: u.email,
      normalizedEmail: r.normalizedEmail,
      firstName: u.firstName,
      lastName: u.lastName,
      admin: r.admin,
      action,
      imsAccountId: r.match.kind === 'existing' ? r.match.accountId : null,
      accountType: sub.imsOrg.claimedDomains.includes(domain) ? 'enterprise' : 'personal',
      initialState: ACTION_STATE[action],
      grants: moving ? [{ profile, role: 'user' }, ...(r.admin ? [{ profile, role: 'admin' as const }] : [])] : [],
      reasons: r.reasons.map((x) => x.code),
    };
  });
  // SSO matters only for users who move: one who stays local or is not migrated (deactivated, locked) loses nothing.
  const ssoUsers = users.map((u) => ({ sso: byId.get(u.userId)!.sso, action: u.action }));
  const ssoRequired = ssoUsers.some((u) => u.sso && u.action !== 'stay_local' && u.action !== 'skip');
  const ssoMissing = ssoPrerequisite({ users: ssoUsers, ssoConfigured: sub.imsOrg.ssoConfigured, orgId: sub.imsOrg.id });
  const product: ProductStep[] = [
    { step: 'ensure_org', orgId: sub.imsOrg.id, name: sub.imsOrg.name, claimedDomains: [...sub.imsOrg.claimedDomains], consentRequired: input.orgExists },
    { step: 'ensure_product_profile', profile, name: `${sub.name} (${sub.id})`, subscriptionId: sub.id },
    { step: 'check_sso', required: ssoRequired, configured: sub.imsOrg.ssoConfigured },
  ];
  const prerequisites: MigrationPlan['prerequisites'] = [];
  if (ssoMissing) prerequisites.push(ssoMissing);
  if (input.orgExists && !input.consentRecorded) {
    prerequisites.push({ code: 'consent_required', blocking: true, message: `The IMS organization ${sub.imsOrg.id} already exists: an admin must consent to migrating into it (rehome link --consent).` });
  }
  if (!users.some((u) => u.admin && (u.action === 'link' || u.action === 'create' || u.action === 'invite'))) {
    prerequisites.push({ code: 'no_ready_admin', blocking: false, message: 'No subscription admin is ready to migrate; admins migrate first and then manage the rest.' });
  }
  const counts = { link: 0, create: 0, invite: 0, wait_for_verification: 0, hold: 0, stay_local: 0, skip: 0, total: users.length };
  for (const u of users) counts[u.action]++;
  const movable = snapshot.users.filter((u) => !u.apiOnly && u.status !== 'deactivated' && !u.locked).length;
  return {
    version: 1,
    subscriptionId: sub.id,
    subscriptionName: sub.name,
    timeZone: sub.timeZone,
    snapshotId: snapshot.id,
    snapshotDigest: snapshot.digest,
    mode: chooseMode({ users: movable, ssoRequired, ...(input.automaticThreshold !== undefined ? { threshold: input.automaticThreshold } : {}) }),
    passwordStrategy: input.passwordStrategy,
    phases: ['product', 'users', 'support'],
    product,
    users,
    counts,
    prerequisites,
  };
}

function chooseAction(r: UserReadiness, strategy: PasswordStrategy): UserAction {
  switch (r.status) {
    case 'stays_local': return 'stay_local';
    case 'not_migrated': return 'skip';
    case 'blocked': return 'hold';
    case 'needs_email_verification': return 'wait_for_verification';
    case 'eligible':
      if (r.match.kind === 'existing') return 'link';
      return strategy === 'invite' ? 'invite' : 'create';
  }
}
