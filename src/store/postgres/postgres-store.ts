import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { createKyselyStore, type StoreAdapter, type StoreDialect } from '../kysely-store.ts';
import { StoreError } from '../store-error.ts';

/** Any key shared by every Rehome process; only migrate() takes this advisory lock. */
const MIGRATION_LOCK_KEY = 7_046_114_512_309_117_441n;
const READ_CHUNK = 50_000;

/**
 * Opens a pg Pool on `url` and checks it answers; does not migrate. Snapshot rows are inserted as one JSON array
 * parameter per batch, unpacked by the server with json_array_elements, so a batch costs one round trip and stays
 * far from the 65535-parameter limit of multi-row VALUES.
 */
export async function openPostgresStore(url: string): Promise<StoreAdapter> {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  // An idle client losing its server (restart, failover) must not crash the process; the next query reports it.
  pool.on('error', () => {});
  try {
    await pool.query('select 1');
  } catch (error) {
    await pool.end().catch(() => {});
    throw new StoreError('store_unavailable', `cannot reach PostgreSQL at ${redact(url)}: ${(error as Error).message}`, { cause: error });
  }
  const kysely = new Kysely<any>({ dialect: new PostgresDialect({ pool }) });

  const dialect: StoreDialect = {
    dialect: 'postgres',
    kysely,
    beginLocked: async (conn) => {
      await sql`begin`.execute(conn);
      await sql`select pg_advisory_xact_lock(${sql.lit(MIGRATION_LOCK_KEY)})`.execute(conn);
    },
    execScript: async (conn, script) => {
      // No parameters: pg uses the simple query protocol, which accepts several statements.
      await sql.raw(script).execute(conn);
    },
    insertSnapshotRows: async (trx, table, snapshotId, offset, rows) => {
      const items = '[' + rows.map((row) => row.json).join(',') + ']';
      await sql`
        insert into ${sql.table(table.name)} (snapshot_id, ord, ${sql.ref(table.keyColumn)}, email, data)
        select ${snapshotId}, ${offset}::int + t.ord::int - 1, t.item ->> 'id', t.item ->> 'email', t.item
        from json_array_elements(${items}::json) with ordinality as t(item, ord)
      `.execute(trx);
    },
    readSnapshotRows: async (table, snapshotId) => {
      const out: unknown[] = [];
      for (;;) {
        const { rows } = await sql<{ data: unknown }>`
          select data from ${sql.table(table.name)}
          where snapshot_id = ${snapshotId} and ord >= ${out.length}
          order by ord limit ${READ_CHUNK}
        `.execute(kysely);
        for (const row of rows) out.push(row.data);
        if (rows.length < READ_CHUNK) return out;
      }
    },
    isConstraintViolation: (error) => {
      const code = (error as { code?: unknown })?.code;
      return typeof code === 'string' && code.startsWith('23');
    },
    destroy: () => kysely.destroy(),
  };
  return createKyselyStore(dialect);
}

function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable url)';
  }
}
