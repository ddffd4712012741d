import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Migration } from '../migrations/migration.ts';
import { createKyselyStore, type StoreAdapter, type StoreDialect } from '../kysely-store.ts';
import { StoreError } from '../store-error.ts';
import { trackClients } from './copy-rows.ts';

/** Any key shared by every Rehome process; only migrate() takes this advisory lock. */
const MIGRATION_LOCK_KEY = 7_046_114_512_309_117_441n;
const READ_CHUNK = 50_000;

/**
 * Opens a pg Pool on `url` and checks it answers; does not migrate. Snapshot rows go in through COPY
 * (./copy-rows.ts).
 */
export async function openPostgresStore(url: string, migrations: readonly Migration[]): Promise<StoreAdapter> {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  // An idle client losing its server (restart, failover) must not crash the process; the next query reports it.
  pool.on('error', () => {});
  try {
    await pool.query('select 1');
  } catch (error) {
    await pool.end().catch(() => {});
    throw new StoreError('store_unavailable', `cannot reach PostgreSQL at ${redact(url)}: ${(error as Error).message}`, { cause: error });
  }
  const clients = trackClients(pool);
  const kysely = new Kysely<any>({ dialect: new PostgresDialect({ pool: clients.pool }) });

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
    insertSnapshotRows: (trx, table, snapshotId, offset, rows) => clients.copyRows(trx, table, snapshotId, offset, rows),
    readSnapshotRows: async (table, snapshotId) => {
      // Bounded ord ranges (ord is dense from 0): with `ord >= x limit n` PostgreSQL reads every row after x for
      // each chunk, quadratic over a million rows.
      const out: unknown[] = [];
      for (;;) {
        const { rows } = await sql<{ data: string }>`
          select data from ${sql.table(table.name)}
          where snapshot_id = ${snapshotId} and ord >= ${out.length} and ord < ${out.length + READ_CHUNK}
          order by ord
        `.execute(kysely);
        for (const row of rows) out.push(JSON.parse(row.data));
        if (rows.length < READ_CHUNK) return out;
      }
    },
    isDataRejected: (error) => {
      // Class 23: integrity constraint violation; class 22: data exception (e.g. text that cannot hold NUL).
      const code = (error as { code?: unknown })?.code;
      return typeof code === 'string' && (code.startsWith('23') || code.startsWith('22'));
    },
    destroy: () => kysely.destroy(),
  };
  return createKyselyStore(dialect, migrations);
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
