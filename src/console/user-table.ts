import { sql, type Kysely } from 'kysely';
import { USER_STATES } from '../core/migration/states.ts';
import type { MigrationTables } from '../engine/migration-schema.ts';

export type UserSort = 'user' | 'email' | 'status' | 'activity';

export interface UserTableQuery {
  state: string | null;
  q: string;
  sort: UserSort;
  dir: 'asc' | 'desc';
  page: number;
  pageSize: number;
}

export type UserRow = Pick<MigrationTables['mig_users'], 'user_id' | 'email' | 'first_name' | 'last_name' | 'admin' | 'state' | 'error_code' | 'error_message' | 'skip_reason' | 'updated_at' | 'attempt'>;

export interface UserTablePage {
  rows: UserRow[];
  total: number;
  page: number;
  pages: number;
}

const SORT_COLUMN: Record<UserSort, 'user_id' | 'normalized_email' | 'state' | 'updated_at'> = { user: 'user_id', email: 'normalized_email', status: 'state', activity: 'updated_at' };

/** Reads the table's query string, falling back to defaults for anything unknown (no error page for a bad link). */
export function parseUserTableQuery(params: URLSearchParams, pageSize = 50): UserTableQuery {
  const state = params.get('state');
  const sort = params.get('sort') as UserSort | null;
  const page = Number.parseInt(params.get('page') ?? '1', 10);
  return {
    state: state && (USER_STATES as string[]).includes(state) ? state : null,
    q: (params.get('q') ?? '').trim().slice(0, 200),
    sort: sort && sort in SORT_COLUMN ? sort : 'user',
    dir: params.get('dir') === 'desc' ? 'desc' : 'asc',
    page: Number.isFinite(page) && page > 0 ? Math.min(page, 1_000_000) : 1,
    pageSize,
  };
}

/**
 * One page of a subscription's users, sorted and searched in the database. Every sort order has an index that
 * starts with the subscription id (migration 0007_console), so a page at 100,000 users reads one index range; a
 * search scans only this subscription's rows. The tie-breaker on user id makes pages stable.
 */
export async function queryUserTable(kysely: Kysely<any>, dialect: 'sqlite' | 'postgres', subscriptionId: string, query: UserTableQuery): Promise<UserTablePage> {
  const db = kysely as Kysely<MigrationTables>;
  let base = db.selectFrom('mig_users').where('subscription_id', '=', subscriptionId);
  if (query.state) base = base.where('state', '=', query.state);
  if (query.q) {
    const like = `%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    // SQLite's LIKE ignores ASCII case already; PostgreSQL needs ILIKE. No lower(): it would cost a call per row.
    const op = sql.raw(dialect === 'postgres' ? 'ilike' : 'like');
    base = base.where((eb) => eb.or([
      eb('user_id', '=', query.q),
      ...(['email', 'first_name', 'last_name'] as const).map((c) => sql<boolean>`${sql.ref(c)} ${op} ${like} escape '\\'`),
    ]));
  }
  const counted = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const total = Number(counted.n);
  const pages = Math.max(1, Math.ceil(total / query.pageSize));
  const page = Math.min(query.page, pages);
  const column = SORT_COLUMN[query.sort];
  let select = base.select(['user_id', 'email', 'first_name', 'last_name', 'admin', 'state', 'error_code', 'error_message', 'skip_reason', 'updated_at', 'attempt']);
  select = column === 'user_id' ? select.orderBy('user_id', query.dir) : select.orderBy(column, query.dir).orderBy('user_id', query.dir);
  const rows = await select.limit(query.pageSize).offset((page - 1) * query.pageSize).execute();
  return { rows: rows as UserRow[], total, page, pages };
}

/** The query string of the table with some parameters changed (links for sorting and paging keep the rest). */
export function userTableHref(base: string, query: UserTableQuery, change: Partial<UserTableQuery>): string {
  const q = { ...query, ...change };
  const params = new URLSearchParams();
  if (q.state) params.set('state', q.state);
  if (q.q) params.set('q', q.q);
  if (q.sort !== 'user') params.set('sort', q.sort);
  if (q.dir !== 'asc') params.set('dir', q.dir);
  if (q.page > 1) params.set('page', String(q.page));
  const s = params.toString();
  return s ? `${base}?${s}` : base;
}
