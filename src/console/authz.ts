import type { Kysely } from 'kysely';
import type { ConsoleSession } from './session.ts';

export interface SubscriptionRef {
  id: string;
  name: string;
  /** Migration state, or null before a plan was registered. */
  state: string | null;
  orgId: string | null;
}

type Db = Kysely<{
  mig_users: { subscription_id: string; admin: number; ims_subject: string | null };
  mig_subscriptions: { subscription_id: string; state: string; org_id: string | null };
  subscriptions: { id: string; name: string; data: string };
  ims_org_admins: { org_id: string; account_id: string };
}>;

/**
 * Who may act on a subscription (checked on every request, never cached in the session, so losing the right
 * takes effect at once):
 * - an IMS account whose subject is the `ims_subject` of an admin row of the subscription (admins migrate first);
 * - an admin of the IMS organization the subscription moves into;
 * - a bootstrap session, for the one subscription its link was made for.
 */
export function createAuthz(kysely: Kysely<any>) {
  const db = kysely as Db;

  async function allSubscriptions(): Promise<SubscriptionRef[]> {
    const known = new Map<string, SubscriptionRef>();
    for (const s of await db.selectFrom('subscriptions').select(['id', 'name', 'data']).execute()) {
      const data = typeof s.data === 'string' ? JSON.parse(s.data) : s.data;
      known.set(s.id, { id: s.id, name: s.name, state: null, orgId: data?.imsOrg?.id ?? null });
    }
    for (const m of await db.selectFrom('mig_subscriptions').select(['subscription_id', 'state', 'org_id']).execute()) {
      const prev = known.get(m.subscription_id);
      known.set(m.subscription_id, { id: m.subscription_id, name: prev?.name ?? m.subscription_id, state: m.state, orgId: m.org_id ?? prev?.orgId ?? null });
    }
    return [...known.values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  async function subscriptionsFor(session: ConsoleSession): Promise<SubscriptionRef[]> {
    const all = await allSubscriptions();
    if (session.kind === 'bootstrap') return all.filter((s) => s.id === session.subscriptionId);
    const adminOf = new Set((await db.selectFrom('mig_users').select('subscription_id').where('ims_subject', '=', session.subject).where('admin', '=', 1).execute()).map((r) => r.subscription_id));
    const orgs = new Set((await db.selectFrom('ims_org_admins').select('org_id').where('account_id', '=', session.subject).execute()).map((r) => r.org_id));
    return all.filter((s) => adminOf.has(s.id) || (s.orgId !== null && orgs.has(s.orgId)));
  }

  return {
    subscriptionsFor,
    /** The subscription when the session may act on it; undefined otherwise (answered as 404: ids do not leak). */
    async authorize(session: ConsoleSession, subscriptionId: string): Promise<SubscriptionRef | undefined> {
      if (session.kind === 'bootstrap' && session.subscriptionId !== subscriptionId) return undefined;
      return (await subscriptionsFor(session)).find((s) => s.id === subscriptionId);
    },
  };
}

export type Authz = ReturnType<typeof createAuthz>;
