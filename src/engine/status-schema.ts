import type { Migration } from '../store/migrations/migration.ts';
import { decomposableLatin, SEARCH_FOLD_SPECIAL } from '../core/search/search-fold.ts';

/** Tables that let the status pages answer without reading every user of a subscription (migration 0015). */
export type StatusTables = {
  /** Users per (subscription, state, failure code), in shards: the sum over `slot` is the count. */
  mig_user_counts: { subscription_id: string; state: string; error_code: string; slot: number; n: number };
  /** The plan's readiness reason codes per user, for the User Migration tab's reason column and filter. */
  mig_user_reasons: { subscription_id: string; user_id: string; reason: string };
  /** PostgreSQL only: the searchable text of each user, behind a trigram index (SQLite has `mig_users_folded_fts`). */
  mig_users_search: { subscription_id: string; user_id: string; doc: string };
  /** The migration row without its plan (migration 0016), for reads that must not touch the plan. */
  mig_subscription_status: {
    subscription_id: string; state: string; snapshot_id: string; snapshot_digest: string; mode: string; org_id: string | null; profile_id: string | null;
    consent_by: string | null; consent_at: string | null; migration_date: string | null; starts_at: string | null; extensions: number;
    window_expires_at: string | null; confirmed_at: string | null; created_at: string; updated_at: string;
  };
};

// The failure code is counted for failed users only: a code left on a user who moved on must not count.
const codeOf = (row: string) => `case when ${row}.state = 'failed' then coalesce(${row}.error_code, '') else '' end`;
const docOf = (row: string) => `${row}.user_id || ' ' || ${row}.email || ' ' || ${row}.first_name || ' ' || ${row}.last_name`;

const common = `
create table mig_user_counts (
  subscription_id text not null,
  state text not null,
  error_code text not null,
  slot integer not null,
  n bigint not null,
  primary key (subscription_id, state, error_code, slot)
);
insert into mig_user_counts (subscription_id, state, error_code, slot, n)
  select subscription_id, state, ${codeOf('mig_users')}, 0, count(*) from mig_users group by 1, 2, 3;
create table mig_user_reasons (
  subscription_id text not null,
  user_id text not null,
  reason text not null,
  primary key (subscription_id, user_id, reason)
);
create index mig_user_reasons_by_reason on mig_user_reasons (subscription_id, reason, user_id);
create index mig_users_failed_by_code on mig_users (subscription_id, error_code, user_id) where state = 'failed';
`;

/** SQLite: the insert trigger counts the new user and indexes its search text, `doc(row)`. */
const sqliteInsertTrigger = (doc: (row: string) => string, fts = 'mig_users_fts') => `create trigger mig_users_count_insert after insert on mig_users begin
  insert into mig_user_counts (subscription_id, state, error_code, slot, n) values (new.subscription_id, new.state, ${codeOf('new')}, 0, 1)
    on conflict (subscription_id, state, error_code, slot) do update set n = n + 1;
  insert into ${fts} (rowid, subscription_id, user_id, doc) values (new.rowid, new.subscription_id, new.user_id, ${doc('new')});
end;
`;

/** SQLite: re-index a user whose searched columns changed; forget a deleted user everywhere. */
const sqliteSearchTriggers = (doc: (row: string) => string, fts = 'mig_users_fts') => `create trigger mig_users_search_update after update of user_id, email, first_name, last_name on mig_users
  when old.user_id is not new.user_id or old.email is not new.email or old.first_name is not new.first_name or old.last_name is not new.last_name begin
  delete from ${fts} where rowid = old.rowid;
  insert into ${fts} (rowid, subscription_id, user_id, doc) values (new.rowid, new.subscription_id, new.user_id, ${doc('new')});
end;
create trigger mig_users_count_delete after delete on mig_users begin
  update mig_user_counts set n = n - 1 where subscription_id = old.subscription_id and state = old.state and error_code = ${codeOf('old')} and slot = 0;
  delete from ${fts} where rowid = old.rowid;
  delete from mig_user_reasons where subscription_id = old.subscription_id and user_id = old.user_id;
end;
`;

/**
 * SQLite: one writer at a time, so row triggers keep the counters with one upsert per changed row. Search is an
 * FTS5 trigram index (any substring of three characters or more, case-insensitive), contentless: it holds only the
 * trigrams and, to join back, the subscription and user id. Its rowid is the user row's rowid, which only a VACUUM
 * could renumber (Rehome never runs one; `insert into mig_users_fts(mig_users_fts) values('delete-all')` and the
 * backfill below rebuild it if one is ever run).
 */
const sqlite = `${common}
insert into mig_user_reasons (subscription_id, user_id, reason)
  select distinct s.subscription_id, json_extract(u.value, '$.userId'), r.value
  from mig_subscriptions s, json_each(s.plan, '$.users') u, json_each(u.value, '$.reasons') r
  where exists (select 1 from mig_users m where m.subscription_id = s.subscription_id and m.user_id = json_extract(u.value, '$.userId'));
${sqliteInsertTrigger(docOf)}create trigger mig_users_count_update after update of state, error_code on mig_users
  when old.state is not new.state or ${codeOf('old')} is not ${codeOf('new')} begin
  update mig_user_counts set n = n - 1 where subscription_id = old.subscription_id and state = old.state and error_code = ${codeOf('old')} and slot = 0;
  insert into mig_user_counts (subscription_id, state, error_code, slot, n) values (new.subscription_id, new.state, ${codeOf('new')}, 0, 1)
    on conflict (subscription_id, state, error_code, slot) do update set n = n + 1;
end;
${sqliteSearchTriggers(docOf)}`;

const sqliteFts = `create virtual table mig_users_fts using fts5(subscription_id unindexed, user_id unindexed, doc,
  content='', contentless_delete=1, contentless_unindexed=1, tokenize='trigram');
insert into mig_users_fts (rowid, subscription_id, user_id, doc) select rowid, subscription_id, user_id, ${docOf('mig_users')} from mig_users;`;

/** PostgreSQL: the insert trigger's function counts the new users and indexes their search text, `doc(row)`. */
const pgInsertFunction = (verb: 'create' | 'create or replace', doc: (row: string) => string) => `${verb} function rehome_count_users_inserted() returns trigger language plpgsql as $$
begin
  insert into mig_user_counts as c (subscription_id, state, error_code, slot, n)
    select subscription_id, state, ${codeOf('new_rows')}, pg_backend_pid() % 16, count(*) from new_rows group by 1, 2, 3 order by 1, 2, 3
    on conflict (subscription_id, state, error_code, slot) do update set n = c.n + excluded.n;
  insert into mig_users_search (subscription_id, user_id, doc) select subscription_id, user_id, ${doc('new_rows')} from new_rows;
  return null;
end $$;
`;

/** PostgreSQL: re-index a user whose searched columns changed. */
const pgSearchFunction = (verb: 'create' | 'create or replace', doc: (row: string) => string) => `${verb} function rehome_search_user_updated() returns trigger language plpgsql as $$
begin
  update mig_users_search set user_id = new.user_id, doc = ${doc('new')} where subscription_id = old.subscription_id and user_id = old.user_id;
  return null;
end $$;
`;

/**
 * PostgreSQL: several workers update one subscription's users at once, so a single counter row per state would be
 * a hot row every transaction waits on until the other commits. The counters are sharded: each statement adds its
 * summed deltas (one upsert per changed state, not one per row, so a batched `update ... where user_id in (...)`
 * costs one small upsert) to the shard of its connection (`pg_backend_pid() % 16`), in key order, so concurrent
 * workers rarely share a row and never lock two in opposite order within one statement. Readers sum the shards.
 * Statement triggers with transition tables cannot name columns, so the update trigger runs for every update and
 * finds nothing to add when no state changed (lease renewals). Search reads a side table with a pg_trgm GIN index:
 * an index on mig_users itself would take new entries on every state change (those updates are not HOT).
 */
const postgres = `create extension if not exists pg_trgm;
${common}
insert into mig_user_reasons (subscription_id, user_id, reason)
  select distinct s.subscription_id, u->>'userId', r
  from mig_subscriptions s, json_array_elements(s.plan::json -> 'users') u, json_array_elements_text(coalesce(u -> 'reasons', '[]'::json)) r
  where exists (select 1 from mig_users m where m.subscription_id = s.subscription_id and m.user_id = u->>'userId');
create table mig_users_search (
  subscription_id text not null,
  user_id text not null,
  doc text not null,
  primary key (subscription_id, user_id)
);
insert into mig_users_search (subscription_id, user_id, doc) select subscription_id, user_id, ${docOf('mig_users')} from mig_users;
create index mig_users_search_doc on mig_users_search using gin (doc gin_trgm_ops);

${pgInsertFunction('create', docOf)}create function rehome_count_users_updated() returns trigger language plpgsql as $$
begin
  insert into mig_user_counts as c (subscription_id, state, error_code, slot, n)
    select subscription_id, state, code, pg_backend_pid() % 16, sum(d) from (
      select subscription_id, state, ${codeOf('new_rows')} as code, 1 as d from new_rows
      union all select subscription_id, state, ${codeOf('old_rows')}, -1 from old_rows
    ) x group by 1, 2, 3 having sum(d) <> 0 order by 1, 2, 3
    on conflict (subscription_id, state, error_code, slot) do update set n = c.n + excluded.n;
  return null;
end $$;
create function rehome_count_users_deleted() returns trigger language plpgsql as $$
begin
  insert into mig_user_counts as c (subscription_id, state, error_code, slot, n)
    select subscription_id, state, ${codeOf('old_rows')}, pg_backend_pid() % 16, -count(*) from old_rows group by 1, 2, 3 order by 1, 2, 3
    on conflict (subscription_id, state, error_code, slot) do update set n = c.n + excluded.n;
  delete from mig_users_search s using old_rows o where s.subscription_id = o.subscription_id and s.user_id = o.user_id;
  delete from mig_user_reasons r using old_rows o where r.subscription_id = o.subscription_id and r.user_id = o.user_id;
  return null;
end $$;
${pgSearchFunction('create', docOf)}create trigger mig_users_count_insert after insert on mig_users referencing new table as new_rows
  for each statement execute function rehome_count_users_inserted();
create trigger mig_users_count_update after update on mig_users referencing old table as old_rows new table as new_rows
  for each statement execute function rehome_count_users_updated();
create trigger mig_users_count_delete after delete on mig_users referencing old table as old_rows
  for each statement execute function rehome_count_users_deleted();
create trigger mig_users_search_update after update of user_id, email, first_name, last_name on mig_users for each row
  when (old.user_id is distinct from new.user_id or old.email is distinct from new.email or old.first_name is distinct from new.first_name or old.last_name is distinct from new.last_name)
  execute function rehome_search_user_updated();
`;

/**
 * `0015_console_at_scale`: counters per (subscription, state, failure code) kept by triggers, reason codes per user,
 * substring search by trigrams, and a partial index to find an example of each failure: `rehome status`, the
 * Migration Status tab and the User Migration tab read a few rows instead of a million.
 */
export const consoleAtScaleMigration: Migration = {
  name: '0015_console_at_scale',
  sqlite: `${sqliteFts}\n${sqlite}`,
  postgres,
};

const SUMMARY = ['subscription_id', 'state', 'snapshot_id', 'snapshot_digest', 'mode', 'org_id', 'profile_id', 'consent_by', 'consent_at', 'migration_date', 'starts_at', 'extensions', 'window_expires_at', 'confirmed_at', 'created_at', 'updated_at'];
const summaryTable = `create table mig_subscription_status (
  subscription_id text primary key,
  state text not null,
  snapshot_id text not null,
  snapshot_digest text not null,
  mode text not null,
  org_id text,
  profile_id text,
  consent_by text,
  consent_at text,
  migration_date text,
  starts_at text,
  extensions integer not null,
  window_expires_at text,
  confirmed_at text,
  created_at text not null,
  updated_at text not null
);
insert into mig_subscription_status (${SUMMARY.join(', ')}) select ${SUMMARY.join(', ')} from mig_subscriptions;`;
const newValues = SUMMARY.map((c) => `new.${c}`).join(', ');

/**
 * `0016_subscription_status_row`: the migration row without its plan, kept in step by triggers. On SQLite a column
 * stored after a large value is reached by walking that value's overflow pages: every column after `plan` (state
 * dates, extensions, the snapshot) cost a walk through its hundreds of megabytes, about 250 ms at a million users,
 * on every status read. PostgreSQL keeps large values apart (TOAST) but shares the table so both read alike.
 */
export const subscriptionStatusMigration: Migration = {
  name: '0016_subscription_status_row',
  sqlite: `${summaryTable}
create trigger mig_subscriptions_status_insert after insert on mig_subscriptions begin
  insert or replace into mig_subscription_status (${SUMMARY.join(', ')}) values (${newValues});
end;
create trigger mig_subscriptions_status_update after update on mig_subscriptions begin
  delete from mig_subscription_status where subscription_id = old.subscription_id and old.subscription_id is not new.subscription_id;
  insert or replace into mig_subscription_status (${SUMMARY.join(', ')}) values (${newValues});
end;
create trigger mig_subscriptions_status_delete after delete on mig_subscriptions begin
  delete from mig_subscription_status where subscription_id = old.subscription_id;
end;`,
  postgres: `${summaryTable}
create function rehome_subscription_status_row() returns trigger language plpgsql as $$
begin
  if tg_op in ('UPDATE', 'DELETE') then delete from mig_subscription_status where subscription_id = old.subscription_id; end if;
  if tg_op in ('INSERT', 'UPDATE') then insert into mig_subscription_status (${SUMMARY.join(', ')}) values (${newValues}); end if;
  return null;
end $$;
create trigger mig_subscriptions_status_row after insert or update or delete on mig_subscriptions for each row execute function rehome_subscription_status_row();`,
};

/** The search text folded as `foldForSearch` folds a query (core/search/search-fold.ts), per dialect. */
function foldedDoc(dialect: 'sqlite' | 'postgres'): (row: string) => string {
  return (row) => {
    const special = SEARCH_FOLD_SPECIAL.reduce((e, [from, to]) => `replace(${e}, ${quote(from)}, ${quote(to)})`, `(${docOf(row)})`);
    if (dialect === 'sqlite') return special;
    const { from, to } = decomposableLatin();
    return `lower(translate(${special}, ${quote(from)}, ${quote(to)}))`;
  };
}
const quote = (s: string) => `'${s.replaceAll("'", "''")}'`;

/**
 * SQLite's folded search index (0020). A new name: FTS5 cannot create a table under the name of one dropped in the
 * same transaction (its shadow tables are still there until the commit).
 */
export const FOLDED_FTS = 'mig_users_folded_fts';

/**
 * `0020_search_folds`: search without regard to accents ("lukasz" finds "Łukasz"). The indexed text is folded as
 * the query is: SQLite's trigram tokenizer removes the marks itself (`remove_diacritics 1`, on the index and the
 * query alike) and SQL spells out the letters Unicode does not decompose (Ł, ø, æ...); PostgreSQL folds everything
 * in SQL (`translate`, no unaccent extension needed). Rebuilds the search index once.
 */
export const searchFoldsMigration: Migration = {
  name: '0020_search_folds',
  sqlite: `drop trigger mig_users_count_insert;
drop trigger mig_users_search_update;
drop trigger mig_users_count_delete;
drop table mig_users_fts;
create virtual table ${FOLDED_FTS} using fts5(subscription_id unindexed, user_id unindexed, doc,
  content='', contentless_delete=1, contentless_unindexed=1, tokenize='trigram remove_diacritics 1');
insert into ${FOLDED_FTS} (rowid, subscription_id, user_id, doc) select rowid, subscription_id, user_id, ${foldedDoc('sqlite')('mig_users')} from mig_users;
${sqliteInsertTrigger(foldedDoc('sqlite'), FOLDED_FTS)}${sqliteSearchTriggers(foldedDoc('sqlite'), FOLDED_FTS)}`,
  postgres: `update mig_users_search s set doc = ${foldedDoc('postgres')('u')} from mig_users u where u.subscription_id = s.subscription_id and u.user_id = s.user_id;
${pgInsertFunction('create or replace', foldedDoc('postgres'))}${pgSearchFunction('create or replace', foldedDoc('postgres'))}`,
};
