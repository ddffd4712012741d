/**
 * The plan is the contract (docs/security.md, "The plan is enforced at apply"): readiness decided which IMS account
 * each person gets — an existing account by id, or a new one of a given type in the subscription's organization —
 * and apply carries out exactly that. This pure function compares the plan with what the IdP shows *now* and says
 * what to do; whenever the world changed since planning, the answer is `drift` (the user fails with `plan_drift`
 * and a fix) rather than a guess. Apply never links an account the plan did not name.
 */

/** What the plan decided for one user (stored per user in mig_users). */
export interface PlannedAccount {
  action: 'link' | 'create' | 'invite';
  /** For `link`: the account the plan named. */
  accountId: string | null;
  /** `enterprise` stands for the organization's managed ID (enterprise or federated, as the org federates the domain). */
  accountType: 'personal' | 'enterprise';
}

/** An account as the IdP shows it (the port's IdpUser, reduced to what the rule reads). */
export interface SeenAccount {
  id: string;
  type: 'personal' | 'enterprise' | 'federated';
  emailVerified: boolean;
}

export interface SeenNow {
  /** The account already linked to this product user (our own earlier attempt, possibly lost in a crash). */
  linked?: SeenAccount | undefined;
  /** Verified accounts with the user's address, of the planned kind (personal, or the org's managed IDs). */
  verified: readonly SeenAccount[];
  /**
   * False when the IdP may hold accounts the look-up cannot see (a SCIM server shows an organization only its own
   * members): an empty `verified` then proves nothing, and a planned link is left to the IdP's own linking rules,
   * whose answer must be the named account.
   */
  complete?: boolean;
}

export type AccountDecision =
  | { do: 'use'; accountId: string }
  | { do: 'link'; accountId: string }
  | { do: 'create' }
  /** Ask the IdP to provision the user by its own linking rules; its answer must be `expect`, or the user drifts. */
  | { do: 'provision'; expect: string }
  | { do: 'drift'; message: string };

export const PLAN_DRIFT_FIX = 'Check who holds the address now. If it is the person, import a fresh IMS export and plan again (rehome import, rehome plan --out plan.json, rehome migrate --plan plan.json): the new plan re-decides the users who have not moved. Otherwise skip the user, or have the account removed.';

/** Personal accounts are one kind; enterprise and federated IDs are the organization's managed kind. */
export function accountKind(type: SeenAccount['type']): PlannedAccount['accountType'] {
  return type === 'personal' ? 'personal' : 'enterprise';
}

export function decideAccount(plan: PlannedAccount, now: SeenNow): AccountDecision {
  const kind = plan.accountType === 'personal' ? 'a personal account' : 'a managed (enterprise) ID';
  if (now.linked) {
    if (plan.action === 'link' && now.linked.id !== plan.accountId) return drift('the user is linked to another account than the planned one');
    if (accountKind(now.linked.type) !== plan.accountType) return drift(`the linked account is not ${kind} as planned`);
    return { do: 'use', accountId: now.linked.id };
  }
  const candidates = now.verified.filter((a) => accountKind(a.type) === plan.accountType);
  if (plan.action === 'link') {
    if (candidates.length === 0 && now.complete === false) return { do: 'provision', expect: plan.accountId! };
    if (candidates.length === 0) return drift('the planned account no longer holds this verified address');
    if (candidates.length > 1 || candidates[0]!.id !== plan.accountId) return drift('another verified account holds this address since the plan');
    return { do: 'link', accountId: plan.accountId! };
  }
  if (candidates.length > 0) {
    return drift('a verified account with this address appeared since the plan (an account made after the snapshot is never linked without a new readiness run)');
  }
  return { do: 'create' };
}

function drift(message: string): AccountDecision {
  return { do: 'drift', message };
}
