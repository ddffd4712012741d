import type { Migration } from './migration.ts';

/**
 * Subscriptions, immutable snapshots (with their users and IMS accounts), readiness runs and the append-only audit
 * log. Snapshot rows keep each user/account as canonical JSON in a `text` column on both dialects (cast with
 * `data::json` to query inside; text is written and read several times faster than json at a million rows), plus
 * the columns other modules look up by; `ord` keeps the import order so a loaded snapshot equals the saved one.
 * Times are ISO-8601 text on SQLite (always `toISOString()` form, so text order is time order) and timestamptz on
 * PostgreSQL. Other JSON columns are `json`, not `jsonb`, on PostgreSQL: stored verbatim and cheaper to write, no
 * 255 MB jsonb cap (readiness reports of a million users), and `\u0000` escapes are accepted as on SQLite. A later
 * migration can add jsonb columns or expression indexes where a query needs them.
 */
export const coreMigration: Migration = {
  name: '0001_core',
  sqlite: `
create table subscriptions (
  id text primary key,
  name text not null,
  data text not null,
  updated_at text not null
);

create table snapshots (
  seq integer primary key autoincrement,
  id text not null unique,
  subscription_id text not null references subscriptions (id),
  at text not null,
  digest text not null,
  sources text not null,
  subscription text not null,
  ims_meta text not null,
  user_count integer not null,
  ims_account_count integer not null
);
create index snapshots_by_subscription on snapshots (subscription_id, at, seq);

create table snapshot_users (
  snapshot_id text not null references snapshots (id),
  ord integer not null,
  user_id text not null,
  email text not null,
  data text not null,
  primary key (snapshot_id, ord)
);
create unique index snapshot_users_by_user_id on snapshot_users (snapshot_id, user_id);

create table snapshot_ims_accounts (
  snapshot_id text not null references snapshots (id),
  ord integer not null,
  account_id text not null,
  email text not null,
  data text not null,
  primary key (snapshot_id, ord)
);

create table readiness_runs (
  id text primary key,
  at text not null,
  report text not null
);

create table readiness_run_snapshots (
  run_id text not null references readiness_runs (id),
  ord integer not null,
  snapshot_id text not null references snapshots (id),
  primary key (run_id, ord)
);

create table audit_log (
  seq integer primary key autoincrement,
  at text not null,
  actor text not null,
  action text not null,
  subscription_id text,
  target text,
  details text not null
);
create index audit_log_by_subscription on audit_log (subscription_id, seq);
create index audit_log_by_action on audit_log (action, seq);

create trigger audit_log_no_update before update on audit_log
begin
  select raise(abort, 'audit_log is append-only');
end;
create trigger audit_log_no_delete before delete on audit_log
begin
  select raise(abort, 'audit_log is append-only');
end;
`,
  postgres: `
create table subscriptions (
  id text primary key,
  name text not null,
  data json not null,
  updated_at timestamptz not null
);

create table snapshots (
  seq bigint generated always as identity primary key,
  id text not null unique,
  subscription_id text not null references subscriptions (id),
  at timestamptz not null,
  digest text not null,
  sources json not null,
  subscription json not null,
  ims_meta json not null,
  user_count integer not null,
  ims_account_count integer not null
);
create index snapshots_by_subscription on snapshots (subscription_id, at, seq);

create table snapshot_users (
  snapshot_id text not null references snapshots (id),
  ord integer not null,
  user_id text not null,
  email text not null,
  data text not null,
  primary key (snapshot_id, ord),
  unique (snapshot_id, user_id)
);

create table snapshot_ims_accounts (
  snapshot_id text not null references snapshots (id),
  ord integer not null,
  account_id text not null,
  email text not null,
  data text not null,
  primary key (snapshot_id, ord)
);

create table readiness_runs (
  id text primary key,
  at timestamptz not null,
  report json not null
);

create table readiness_run_snapshots (
  run_id text not null references readiness_runs (id),
  ord integer not null,
  snapshot_id text not null references snapshots (id),
  primary key (run_id, ord)
);

create table audit_log (
  seq bigint generated always as identity primary key,
  at timestamptz not null,
  actor text not null,
  action text not null,
  subscription_id text,
  target text,
  details json not null
);
create index audit_log_by_subscription on audit_log (subscription_id, seq);
create index audit_log_by_action on audit_log (action, seq);

create function rehome_audit_log_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'audit_log is append-only' using errcode = 'restrict_violation';
end
$$;
create trigger audit_log_no_update_or_delete before update or delete on audit_log
  for each row execute function rehome_audit_log_append_only();
create trigger audit_log_no_truncate before truncate on audit_log
  for each statement execute function rehome_audit_log_append_only();
`,
};
