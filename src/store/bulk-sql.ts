import { PostgresAdapter, sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';

/**
 * Bulk statements that carry any number of rows in ONE bound parameter: a JSON array of row arrays, expanded by the
 * database itself (`json_each` on SQLite, `json_array_elements` on PostgreSQL). A thousand rows then cost one
 * round trip, no per-value query-builder work and never hit a parameter limit (SQLite 32766, PostgreSQL 65535).
 * Values are always bound, never spliced; only the column names (constants of the callers) are.
 */

export type SqlDialectName = 'sqlite' | 'postgres';

/** A column fed from the JSON rows: its name and its PostgreSQL type (SQLite takes the JSON value as it is). */
export interface JsonColumn {
  name: string;
  pg: 'text' | 'integer' | 'bigint' | 'timestamptz' | 'json';
}

type AnyDb = Kysely<any> | Transaction<any>;

/** Which of the two store dialects a Kysely instance talks to. */
export function dialectOf(db: AnyDb): SqlDialectName {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

/** `(select <columns> from <json rows>)`: use it after `from`, or as the source of `insert ... select`. */
export function jsonRows(dialect: SqlDialectName, columns: readonly JsonColumn[], rows: readonly (readonly unknown[])[]): RawBuilder<unknown> {
  const json = JSON.stringify(rows);
  if (dialect === 'sqlite') {
    const cols = columns.map((c, i) => sql`value ->> ${sql.lit(i)} as ${sql.ref(c.name)}`);
    return sql`(select ${sql.join(cols)} from json_each(${json}))`;
  }
  const cols = columns.map((c, i) => sql`(r ->> ${sql.lit(i)})::${sql.raw(c.pg)} as ${sql.ref(c.name)}`);
  return sql`(select ${sql.join(cols)} from json_array_elements(${json}::json) as r)`;
}

/**
 * `<column> in <values>` as a plain index condition: `= any(array)` on PostgreSQL (an `in (select ...)` there is
 * planned as a semi-join that, on a table grown since its last ANALYZE, can scan the whole table per batch);
 * `in (select value from json_each(?))` on SQLite, which looks each value up in the index.
 */
export function inList(dialect: SqlDialectName, column: string, values: readonly string[]): RawBuilder<boolean> {
  return dialect === 'sqlite'
    ? sql<boolean>`${sql.ref(column)} in (select value from json_each(${JSON.stringify(values)}))`
    : sql<boolean>`${sql.ref(column)} = any(${[...values]}::text[])`;
}

/**
 * `insert into <table> (<columns>) select ... from <json rows>`; with `ignoreConflicts`, rows that hit a unique key
 * are skipped (idempotent grants). Returns how many rows went in.
 */
export async function insertJsonRows(
  db: AnyDb,
  table: string,
  columns: readonly JsonColumn[],
  rows: readonly (readonly unknown[])[],
  options: { ignoreConflicts?: boolean; dialect?: SqlDialectName } = {},
): Promise<number> {
  if (rows.length === 0) return 0;
  const dialect = options.dialect ?? dialectOf(db);
  const names = sql.join(columns.map((c) => sql.ref(c.name)));
  // SQLite needs a WHERE in `insert ... select` before an upsert clause (its parser would read ON as a join).
  const conflict = options.ignoreConflicts ? sql` where true on conflict do nothing` : sql``;
  const result = await sql`insert into ${sql.table(table)} (${names}) select * from ${jsonRows(dialect, columns, rows)} as t${conflict}`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

/** Rows staged for a set-based update: the source to join, and the key filter that makes the plan look rows up. */
export interface StagedRows {
  source: RawBuilder<unknown>;
  /** `<column> in (<keys>)` on SQLite; nothing (true) on PostgreSQL, whose planner needs no help. */
  keyIn(column: string): RawBuilder<boolean>;
}

/**
 * Rows for a set-based `update t ... from <source> as v where <keyIn(t.key)> and t.key = v.key`. SQLite's planner
 * would drive such an update from the target table (a scan of it per batch) when the source is `json_each`;
 * staged in a temp table keyed by its first column, and with the `in` filter, it looks each row up by key instead.
 * PostgreSQL joins the JSON rows by index as they are (an extra `in` there would make it a quadratic semi-join).
 * Call inside the transaction that updates.
 */
export async function stageJsonRows(db: AnyDb, name: string, columns: readonly JsonColumn[], rows: readonly (readonly unknown[])[], dialect = dialectOf(db)): Promise<StagedRows> {
  if (dialect === 'postgres') return { source: jsonRows(dialect, columns, rows), keyIn: () => sql<boolean>`true` };
  const table = sql.table(`temp.${name}`);
  const defs = columns.map((c, i) => sql`${sql.ref(c.name)}${i === 0 ? sql` primary key` : sql``}`);
  await sql`create temp table if not exists ${sql.table(name)} (${sql.join(defs)})`.execute(db);
  await sql`delete from ${table}`.execute(db);
  await sql`insert into ${table} select * from ${jsonRows(dialect, columns, rows)} as t`.execute(db);
  const key = sql.ref(columns[0]!.name);
  return { source: sql`${table}`, keyIn: (column) => sql<boolean>`${sql.ref(column)} in (select ${key} from ${table})` };
}
