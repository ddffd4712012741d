import { sql, type Kysely } from 'kysely';

/**
 * PostgreSQL plans every statement by the statistics ANALYZE last gathered. A bulk run changes tables faster than
 * autovacuum re-analyses them (and some servers run with autovacuum off): right after a plan registered a million
 * users, or after the IMS gained a few hundred thousand accounts, the planner still believes the tables are small
 * and picks plans that walk them whole for every batch — a million-user run slowed down fivefold here. This
 * re-analyses the tables of this database whose rows changed by more than a fifth (and 1,000 rows) since their
 * last ANALYZE: a sample each, a fraction of a second. The row counters it reads are kept whether or not
 * autovacuum runs (track_counts).
 */
export async function refreshStaleStatistics(db: Kysely<any>): Promise<string[]> {
  const stale = await sql<{ relname: string }>`select relname from pg_stat_user_tables
    where schemaname = current_schema() and n_mod_since_analyze > 1000 + 0.2 * n_live_tup order by relname`.execute(db);
  const tables = stale.rows.map((r) => r.relname);
  for (const table of tables) await sql`analyze ${sql.table(table)}`.execute(db);
  return tables;
}
