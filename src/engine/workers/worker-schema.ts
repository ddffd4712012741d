import type { Migration } from '../../store/migrations/migration.ts';

/**
 * Tables of the runners (`rehome migrate`/`rehome worker` processes): who is alive, which queue workers each runs,
 * and the one-process lock of SQLite. Per-user leases live on `mig_users` (lease_owner, lease_until).
 */
export type WorkerTables = {
  mig_runners: {
    runner_id: string;
    host: string;
    pid: number;
    /** Set on SQLite ('sqlite'): unique, so a second live process cannot register. Null on PostgreSQL. */
    exclusive_key: string | null;
    /** JSON array of graphile-worker worker ids this process runs, to unlock their jobs if it dies. */
    queue_worker_ids: string;
    started_at: string;
    heartbeat_at: string;
  };
  mig_subscriptions: {
    subscription_id: string;
    /** When a scheduled run was last refused because the window had expired (recorded once per expiry). */
    scheduled_refused_at: string | null;
  };
};

const script = `
create table mig_runners (
  runner_id text primary key,
  host text not null,
  pid integer not null,
  exclusive_key text unique,
  queue_worker_ids text not null default '[]',
  started_at text not null,
  heartbeat_at text not null
);
create index mig_users_by_lease on mig_users (lease_owner);
alter table mig_subscriptions add column scheduled_refused_at text;
`;

export const workersMigration: Migration = {
  name: '0008_migration_workers',
  sqlite: script,
  postgres: script,
};
