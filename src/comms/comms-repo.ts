import type { Kysely } from 'kysely';
import type { CommsMigration, CommsUser, SentRecord } from '../core/comms/plan-comms.ts';
import type { TemplateName } from '../core/comms/templates.ts';
import type { SubscriptionState, UserState } from '../core/migration/states.ts';
import { migrationDb, requireMigrationSummary, requirePlanFacts } from '../engine/migration-repo.ts';
import { commsDb } from './comms-schema.ts';

export interface CommsRecipient extends CommsUser {
  email: string;
  firstName: string;
  lastName: string;
}

/** Everything the planner and the renderer need about one subscription, read in one go. */
export interface CommsState {
  migration: CommsMigration;
  subscriptionName: string;
  users: CommsRecipient[];
  sent: SentRecord[];
}

export async function loadCommsState(kysely: Kysely<any>, subscriptionId: string): Promise<CommsState> {
  const db = commsDb(kysely);
  const m = await requireMigrationSummary(migrationDb(kysely), subscriptionId);
  const plan = await requirePlanFacts(migrationDb(kysely), subscriptionId);
  const [rows, verified, sent] = await Promise.all([
    db.selectFrom('mig_users').select(['user_id', 'state', 'admin', 'email', 'first_name', 'last_name']).where('subscription_id', '=', subscriptionId).orderBy('user_id').execute(),
    db.selectFrom('comms_verifications').select('user_id').where('subscription_id', '=', subscriptionId).execute(),
    db.selectFrom('comms_sends').select(['key', 'template', 'user_id', 'sent_at']).where('subscription_id', '=', subscriptionId).execute(),
  ]);
  const verifiedIds = new Set(verified.map((v) => v.user_id));
  return {
    migration: {
      subscriptionId, state: m.state as SubscriptionState, migrationDate: m.migration_date, startsAt: m.starts_at,
      windowExpiresAt: m.window_expires_at, timeZone: plan.timeZone,
    },
    subscriptionName: plan.subscriptionName,
    users: rows.map((r) => ({
      userId: r.user_id, state: r.state as UserState, admin: Number(r.admin) === 1, verifiedByLink: verifiedIds.has(r.user_id),
      email: r.email, firstName: r.first_name, lastName: r.last_name,
    })),
    sent: sent.map((s) => ({ key: s.key, template: s.template as TemplateName, userId: s.user_id, at: s.sent_at })),
  };
}

/** Records a send once; `duplicate` means the mailer had it from an earlier, interrupted run. */
export async function recordSend(kysely: Kysely<any>, s: { key: string; subscriptionId: string; userId: string; template: TemplateName; status: 'sent' | 'duplicate'; at: string }): Promise<void> {
  await commsDb(kysely).insertInto('comms_sends').values({ key: s.key, subscription_id: s.subscriptionId, user_id: s.userId, template: s.template, status: s.status, sent_at: s.at })
    .onConflict((oc) => oc.column('key').doNothing()).execute();
}

export interface CommsSummary {
  /** Mails recorded per template. */
  sent: Partial<Record<TemplateName, number>>;
  linksIssued: number;
  /** People who opened at least one of their links. */
  usersClicked: number;
  /** People a link verified. */
  usersVerifiedByLink: number;
}

/** The communication figures of `rehome status` and the console. */
export async function readCommsSummary(kysely: Kysely<any>, subscriptionId: string): Promise<CommsSummary> {
  const db = commsDb(kysely);
  const [sent, links, clicked, verified] = await Promise.all([
    db.selectFrom('comms_sends').select(['template', (eb) => eb.fn.countAll<number>().as('n')]).where('subscription_id', '=', subscriptionId).groupBy('template').execute(),
    db.selectFrom('comms_links').select((eb) => eb.fn.countAll<number>().as('n')).where('subscription_id', '=', subscriptionId).executeTakeFirstOrThrow(),
    db.selectFrom('comms_clicks').select((eb) => eb.fn.count<number>('user_id').distinct().as('n')).where('subscription_id', '=', subscriptionId).executeTakeFirstOrThrow(),
    db.selectFrom('comms_verifications').select((eb) => eb.fn.countAll<number>().as('n')).where('subscription_id', '=', subscriptionId).executeTakeFirstOrThrow(),
  ]);
  return {
    sent: Object.fromEntries(sent.map((r) => [r.template, Number(r.n)])),
    linksIssued: Number(links.n),
    usersClicked: Number(clicked.n),
    usersVerifiedByLink: Number(verified.n),
  };
}

/** Names of the subscription's admins who are still around: who people should ask. */
export function adminNames(users: readonly CommsRecipient[]): string[] {
  return users.filter((u) => u.admin && !['skipped', 'not_migrated', 'stays_local'].includes(u.state))
    .map((u) => `${u.firstName} ${u.lastName}`.trim()).filter(Boolean);
}
