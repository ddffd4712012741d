import type { Migration } from '../store/migrations/migration.ts';

/** Tables of the migration engine: one row per subscription migration, one per user, and the step log. */
export type MigrationTables = {
  /** The stored plan, apart from the migration row (migration 0017). */
  mig_plans: { subscription_id: string; plan: string; facts: string };
  mig_subscriptions: {
    subscription_id: string;
    state: string;
    plan: string;
    snapshot_id: string;
    snapshot_digest: string;
    mode: string;
    org_id: string | null;
    profile_id: string | null;
    consent_by: string | null;
    consent_at: string | null;
    migration_date: string | null;
    starts_at: string | null;
    extensions: number;
    window_expires_at: string | null;
    confirmed_at: string | null;
    created_at: string;
    updated_at: string;
  };
  mig_users: {
    subscription_id: string;
    user_id: string;
    state: string;
    action: string;
    admin: number;
    email: string;
    normalized_email: string | null;
    first_name: string;
    last_name: string;
    account_type: string;
    /** The plan's target for a `link`: the IMS account it named (apply links this one or fails with `plan_drift`). */
    planned_account_id: string | null;
    ims_subject: string | null;
    attempt: number;
    error_code: string | null;
    error_message: string | null;
    retryable: number;
    skip_reason: string | null;
    scheduled_for: string | null;
    lease_owner: string | null;
    lease_until: string | null;
    updated_at: string;
  };
  mig_steps: {
    id: number;
    subscription_id: string;
    user_id: string;
    step: string;
    idem_key: string;
    attempt: number;
    status: string;
    result: string | null;
    error_code: string | null;
    started_at: string;
    finished_at: string | null;
  };
};

const common = (serial: string) => `
create table mig_subscriptions (
  subscription_id text primary key,
  state text not null,
  plan text not null,
  snapshot_id text not null,
  snapshot_digest text not null,
  mode text not null,
  org_id text,
  profile_id text,
  consent_by text,
  consent_at text,
  migration_date text,
  starts_at text,
  extensions integer not null default 0,
  window_expires_at text,
  confirmed_at text,
  created_at text not null,
  updated_at text not null
);
create table mig_users (
  subscription_id text not null,
  user_id text not null,
  state text not null,
  action text not null,
  admin integer not null,
  email text not null,
  normalized_email text,
  first_name text not null,
  last_name text not null,
  account_type text not null,
  ims_subject text,
  attempt integer not null default 0,
  error_code text,
  error_message text,
  retryable integer not null default 0,
  skip_reason text,
  scheduled_for text,
  lease_owner text,
  lease_until text,
  updated_at text not null,
  primary key (subscription_id, user_id)
);
create index mig_users_by_state on mig_users (subscription_id, state, admin desc, user_id);
create index mig_users_by_email on mig_users (normalized_email);
create table mig_steps (
  id ${serial},
  subscription_id text not null,
  user_id text not null,
  step text not null,
  idem_key text not null,
  attempt integer not null,
  status text not null,
  result text,
  error_code text,
  started_at text not null,
  finished_at text
);
create index mig_steps_by_user on mig_steps (subscription_id, user_id, id);
`;

export const migrationEngineMigration: Migration = {
  name: '0004_migration_engine',
  sqlite: common('integer primary key autoincrement'),
  postgres: common('bigserial primary key'),
};

/**
 * The plan is the contract: each user's planned account is stored, so apply carries out exactly the plan. Users of
 * migrations registered before take theirs from the plan stored with their subscription: the plans' users are
 * listed once into an indexed scratch table, then each user row looks its own up (a million-user plan is one pass,
 * not one pass per user; on PostgreSQL as `json`, which has no 256 MB `jsonb` limit).
 */
export const planTargetsMigration: Migration = {
  name: '0013_plan_targets',
  sqlite: `alter table mig_users add column planned_account_id text;
create temp table plan_targets as
  select s.subscription_id as sid, json_extract(u.value, '$.userId') as uid, json_extract(u.value, '$.imsAccountId') as account
  from mig_subscriptions s, json_each(s.plan, '$.users') u where json_extract(u.value, '$.imsAccountId') is not null;
create index temp.plan_targets_key on plan_targets (sid, uid);
update mig_users set planned_account_id = (select t.account from plan_targets t where t.sid = mig_users.subscription_id and t.uid = mig_users.user_id)
  where exists (select 1 from plan_targets t where t.sid = mig_users.subscription_id and t.uid = mig_users.user_id);
drop table plan_targets;`,
  postgres: `alter table mig_users add column planned_account_id text;
update mig_users m set planned_account_id = p.account from (
  select s.subscription_id as sid, u->>'userId' as uid, u->>'imsAccountId' as account
  from mig_subscriptions s, json_array_elements(s.plan::json -> 'users') u
) p where p.sid = m.subscription_id and p.uid = m.user_id and p.account is not null;`,
};

/**
 * The plan moves out of the migration row into a table of its own. On SQLite an UPDATE rewrites the whole row, so
 * every state change of a million-user migration (schedule, start, extend, confirm: one small column each) copied
 * its 300 MB plan: 35 s a transition. The row keeps an empty `plan` column (dropping a column would rebuild the
 * table on SQLite); reads join the plan back where they need it (migration-repo.ts).
 */
export const planApartMigration: Migration = {
  name: '0017_plan_apart',
  sqlite: `create table mig_plans (
  subscription_id text primary key references mig_subscriptions (subscription_id) on delete cascade,
  plan text not null,
  facts text not null
);
insert into mig_plans (subscription_id, plan, facts) select subscription_id, plan, json_object(
  'subscriptionName', json_extract(plan, '$.subscriptionName'), 'timeZone', json_extract(plan, '$.timeZone'),
  'passwordStrategy', json_extract(plan, '$.passwordStrategy'), 'prerequisites', json(json_extract(plan, '$.prerequisites')),
  'counts', json(json_extract(plan, '$.counts'))) from mig_subscriptions;
update mig_subscriptions set plan = '';`,
  postgres: `create table mig_plans (
  subscription_id text primary key references mig_subscriptions (subscription_id) on delete cascade,
  plan text not null,
  facts text not null
);
insert into mig_plans (subscription_id, plan, facts) select subscription_id, plan, (select json_build_object(
  'subscriptionName', p -> 'subscriptionName', 'timeZone', p -> 'timeZone', 'passwordStrategy', p -> 'passwordStrategy',
  'prerequisites', p -> 'prerequisites', 'counts', p -> 'counts')::text from (select plan::json as p) j) from mig_subscriptions;
update mig_subscriptions set plan = '';`,
};
