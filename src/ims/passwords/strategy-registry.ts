import type { Kysely } from 'kysely';
import { PASSWORD_STRATEGIES, type PasswordStrategy } from './password-strategy.ts';

type Tables = {
  ims_password_strategies: { subscription_id: string; org_id: string; strategy: string; set_by: string; updated_at: string };
  ims_org_members: { org_id: string; account_id: string; external_id: string | null };
  ims_profile_members: { profile_id: string; account_id: string };
  ims_profiles: { id: string; subscription_id: string };
};

/** Where a lazily migrated account's legacy password is checked: the product user it is linked to. */
export interface LazyTarget {
  subscriptionId: string;
  orgId: string;
  productUserId: string;
}

/**
 * The password strategy of each migrated subscription, as IMS state (table `ims_password_strategies`): the engine
 * records it in phase 1, the sign-in reads it to decide whether an account without a password may ask the product.
 */
export function createStrategyRegistry(kysely: Kysely<any>, now: () => Date = () => new Date()) {
  const db = kysely.withTables<Tables>() as unknown as Kysely<Tables>;
  return {
    /** Idempotent; a later call for the same subscription replaces the strategy (a replanned subscription). */
    async set(input: { subscriptionId: string; orgId: string; strategy: PasswordStrategy; actor: string }): Promise<void> {
      if (!PASSWORD_STRATEGIES.includes(input.strategy)) throw new TypeError(`unknown password strategy ${String(input.strategy)}`);
      const values = { org_id: input.orgId, strategy: input.strategy, set_by: input.actor, updated_at: now().toISOString() };
      await db.insertInto('ims_password_strategies').values({ subscription_id: input.subscriptionId, ...values })
        .onConflict((oc) => oc.column('subscription_id').doUpdateSet(values)).execute();
    },

    async get(subscriptionId: string): Promise<{ orgId: string; strategy: PasswordStrategy } | undefined> {
      const row = await db.selectFrom('ims_password_strategies').select(['org_id', 'strategy']).where('subscription_id', '=', subscriptionId).executeTakeFirst();
      return row && { orgId: row.org_id, strategy: row.strategy as PasswordStrategy };
    },

    /**
     * The lazy subscription an account was migrated from, found through its org membership (whose externalId is the
     * product user id); undefined when no organization of the account runs the lazy strategy. When one org runs
     * several lazy subscriptions, the one whose product profile holds the account wins.
     */
    async lazyTargetFor(accountId: string): Promise<LazyTarget | undefined> {
      const rows = await db.selectFrom('ims_org_members as m')
        .innerJoin('ims_password_strategies as s', 's.org_id', 'm.org_id')
        .select(['s.subscription_id', 'm.org_id', 'm.external_id'])
        .where('m.account_id', '=', accountId).where('m.external_id', 'is not', null).where('s.strategy', '=', 'lazy')
        .orderBy('s.subscription_id').execute();
      if (rows.length === 0) return undefined;
      let row = rows[0]!;
      if (rows.length > 1) {
        const held = await db.selectFrom('ims_profile_members as pm').innerJoin('ims_profiles as p', 'p.id', 'pm.profile_id')
          .select('p.subscription_id').where('pm.account_id', '=', accountId).execute();
        const subscriptions = new Set(held.map((h) => h.subscription_id));
        row = rows.find((r) => subscriptions.has(r.subscription_id)) ?? row;
      }
      return { subscriptionId: row.subscription_id, orgId: row.org_id, productUserId: row.external_id! };
    },
  };
}

export type StrategyRegistry = ReturnType<typeof createStrategyRegistry>;
