import { foldForSearch } from '../core/search/search-fold.ts';
import { FOLDED_FTS } from '../engine/status-schema.ts';
import { sql, type Expression, type Kysely, type SelectQueryBuilder, type SqlBool } from 'kysely';
import { USER_STATES } from '../core/migration/states.ts';
import { REASONS } from '../core/readiness/reasons.ts';
import { countUsersByState, migrationDb } from '../engine/migration-repo.ts';
import type { MigrationTables } from '../engine/migration-schema.ts';
import type { StatusTables } from '../engine/status-schema.ts';

export type UserSort = 'user' | 'email' | 'status' | 'activity';

/** A position in the table: the sort value and user id of a row (the user id breaks ties, so it is a total order). */
export interface UserCursor { v: string | null; u: string }

export interface UserTableQuery {
  state: string | null;
  reason: string | null;
  admin: boolean;
  q: string;
  sort: UserSort;
  dir: 'asc' | 'desc';
  /** Keyset paging: the page after this row, the page before this row, or the last page. */
  after: UserCursor | null;
  before: UserCursor | null;
  last: boolean;
  /** The page number shown; only a label carried in the links, the rows come from the cursor. */
  page: number;
  pageSize: number;
}

export type UserRow = Pick<MigrationTables['mig_users'], 'user_id' | 'email' | 'normalized_email' | 'first_name' | 'last_name' | 'admin' | 'state' | 'error_code' | 'error_message' | 'skip_reason' | 'updated_at' | 'attempt'>;

export interface UserTablePage {
  rows: UserRow[];
  /** Users that match the filters (for a search: the matches shown). */
  total: number;
  page: number;
  pages: number;
  next: UserCursor | null;
  prev: UserCursor | null;
  /** Set for a search: it shows at most `SEARCH_LIMIT` matches, and `more` says that there were more. */
  search: { more: boolean } | null;
  /** The plan's reason codes of the users on this page. */
  reasons: Map<string, string[]>;
}

/** A search lists at most this many matches (then says so): ordering every match of "com" would read a million rows. */
export const SEARCH_LIMIT = 50;

type Db = Kysely<MigrationTables & StatusTables>;
type SortColumn = 'user_id' | 'normalized_email' | 'state' | 'updated_at';
const SORT_COLUMN: Record<UserSort, SortColumn> = { user: 'user_id', email: 'normalized_email', status: 'state', activity: 'updated_at' };
const COLUMNS = ['user_id', 'email', 'normalized_email', 'first_name', 'last_name', 'admin', 'state', 'error_code', 'error_message', 'skip_reason', 'updated_at', 'attempt'] as const;
export const FIRST_PAGE = { after: null, before: null, last: false, page: 1 } as const;

/** Reads the table's query string, falling back to defaults for anything unknown (no error page for a bad link). */
export function parseUserTableQuery(params: URLSearchParams, pageSize = 50): UserTableQuery {
  const state = params.get('state');
  const reason = params.get('reason');
  const sort = params.get('sort') as UserSort | null;
  const page = Number.parseInt(params.get('page') ?? '1', 10);
  const after = decodeCursor(params.get('after'));
  return {
    state: state && (USER_STATES as string[]).includes(state) ? state : null,
    reason: reason && reason in REASONS ? reason : null,
    admin: params.get('admin') === '1',
    q: (params.get('q') ?? '').trim().slice(0, 200),
    sort: sort && sort in SORT_COLUMN ? sort : 'user',
    dir: params.get('dir') === 'desc' ? 'desc' : 'asc',
    after,
    before: after ? null : decodeCursor(params.get('before')),
    last: params.get('last') === '1',
    page: Number.isFinite(page) && page > 0 ? Math.min(page, 1_000_000) : 1,
    pageSize,
  };
}

function decodeCursor(s: string | null): UserCursor | null {
  if (!s) return null;
  try {
    const v: unknown = JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === 2 && (typeof v[0] === 'string' || v[0] === null) && typeof v[1] === 'string') return { v: v[0], u: v[1] };
  } catch { /* a damaged link shows the first page */ }
  return null;
}

const encodeCursor = (c: UserCursor) => Buffer.from(JSON.stringify([c.v, c.u]), 'utf8').toString('base64url');

/**
 * One page of a subscription's users, read by keyset: the rows after (or before) a cursor in the order of an index
 * that starts with the subscription id (migration 0007_console), so page 20,000 costs what page 1 costs. The user
 * id breaks ties, so no user shows twice or never across pages. A search reads the trigram index of migration
 * 0015 (FTS5 on SQLite, pg_trgm on PostgreSQL) and lists the first `SEARCH_LIMIT` matches.
 */
export async function queryUserTable(kysely: Kysely<any>, dialect: 'sqlite' | 'postgres', subscriptionId: string, query: UserTableQuery): Promise<UserTablePage> {
  const db = kysely as Db;
  const page = query.q ? await searchPage(db, dialect, subscriptionId, query) : await keysetPage(db, subscriptionId, query);
  return { ...page, reasons: await reasonsOf(db, subscriptionId, page.rows.map((r) => r.user_id)) };
}

type Base = SelectQueryBuilder<MigrationTables & StatusTables, 'mig_users', object>;

function filtered(db: Db, subscriptionId: string, query: UserTableQuery): Base {
  let base = db.selectFrom('mig_users').where('mig_users.subscription_id', '=', subscriptionId) as Base;
  if (query.state) base = base.where('mig_users.state', '=', query.state);
  if (query.admin) base = base.where('mig_users.admin', '=', 1);
  if (query.reason) {
    const reason = query.reason;
    // An IN list, not a correlated EXISTS: the reason's users are read once from their index (in user id order, which
    // the primary key then follows) instead of testing each row of the table until a page is full.
    base = base.where('mig_users.user_id', 'in', (eb) => eb.selectFrom('mig_user_reasons as r').select('r.user_id').where('r.subscription_id', '=', subscriptionId).where('r.reason', '=', reason));
  }
  return base;
}

/** How many users match: the state counters when only the state is filtered on, the reason index for a reason, else one count. */
async function countMatching(db: Db, subscriptionId: string, query: UserTableQuery): Promise<number> {
  if (!query.admin && !query.reason) {
    const byState = await countUsersByState(migrationDb(db), subscriptionId);
    return query.state ? byState[query.state as keyof typeof byState] ?? 0 : Object.values(byState).reduce((a, b) => a + b, 0);
  }
  if (query.reason && !query.admin && !query.state) {
    const byReason = await db.selectFrom('mig_user_reasons').select((eb) => eb.fn.countAll<number>().as('n')).where('subscription_id', '=', subscriptionId).where('reason', '=', query.reason).executeTakeFirstOrThrow();
    return Number(byReason.n);
  }
  const row = await filtered(db, subscriptionId, query).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

// The email sort reads normalized_email, which is null for users without a usable address. Row comparisons skip
// nulls, so the nulls are a segment of their own (last going up, first going down, as PostgreSQL orders them).
interface Segment { nulls: boolean; dir: 'asc' | 'desc' }

function segmentsOf(column: SortColumn, dir: 'asc' | 'desc', backward: boolean): Segment[] {
  const flip = (d: 'asc' | 'desc') => (backward ? (d === 'asc' ? 'desc' : 'asc') : d);
  const display: Segment[] = column !== 'normalized_email' ? [{ nulls: false, dir }] : dir === 'asc' ? [{ nulls: false, dir }, { nulls: true, dir }] : [{ nulls: true, dir }, { nulls: false, dir }];
  return (backward ? display.toReversed() : display).map((s) => ({ nulls: s.nulls, dir: flip(s.dir) }));
}

/** Up to `limit` rows from `cursor` on (excluded), walking the segments in order. */
async function walk(base: Base, column: SortColumn, segments: Segment[], cursor: UserCursor | null, limit: number): Promise<UserRow[]> {
  const rows: UserRow[] = [];
  const start = cursor && column === 'normalized_email' ? Math.max(0, segments.findIndex((s) => s.nulls === (cursor.v === null))) : 0;
  for (let i = start; i < segments.length && rows.length < limit; i++) {
    const seg = segments[i]!;
    const op = sql.raw(seg.dir === 'asc' ? '>' : '<');
    let q = base;
    if (column === 'normalized_email') q = q.where('mig_users.normalized_email', seg.nulls ? 'is' : 'is not', null);
    if (i === start && cursor) {
      q = q.where(() => (seg.nulls || column === 'user_id'
        ? sql<SqlBool>`mig_users.user_id ${op} ${cursor.u}`
        : sql<SqlBool>`(${sql.ref(`mig_users.${column}`)}, mig_users.user_id) ${op} (${cursor.v}, ${cursor.u})`) as Expression<SqlBool>);
    }
    let ordered = q.select(COLUMNS.map((c) => `mig_users.${c}` as const));
    if (!seg.nulls && column !== 'user_id') ordered = ordered.orderBy(`mig_users.${column}`, seg.dir);
    rows.push(...(await ordered.orderBy('mig_users.user_id', seg.dir).limit(limit - rows.length).execute()) as UserRow[]);
  }
  return rows;
}

async function keysetPage(db: Db, subscriptionId: string, query: UserTableQuery): Promise<Omit<UserTablePage, 'reasons'>> {
  const column = SORT_COLUMN[query.sort];
  const base = filtered(db, subscriptionId, query);
  const total = await countMatching(db, subscriptionId, query);
  const pages = Math.max(1, Math.ceil(total / query.pageSize));
  const cursorOf = (r: UserRow): UserCursor => ({ v: column === 'user_id' ? null : (r[column] ?? null), u: r.user_id });
  let rows: UserRow[];
  let hasNext: boolean;
  let hasPrev: boolean;
  let page = query.page;
  if (query.last || query.before) {
    const back = await walk(base, column, segmentsOf(column, query.dir, true), query.before, query.last ? query.pageSize : query.pageSize + 1);
    hasPrev = query.last ? total > back.length : back.length > query.pageSize;
    rows = back.slice(0, query.pageSize).toReversed();
    hasNext = !query.last;
    if (query.last) page = pages;
  } else {
    const forward = await walk(base, column, segmentsOf(column, query.dir, false), query.after, query.pageSize + 1);
    hasNext = forward.length > query.pageSize;
    rows = forward.slice(0, query.pageSize);
    hasPrev = query.after !== null;
  }
  if (!hasPrev) page = 1;
  else if (!hasNext) page = pages;
  return {
    rows, total, page: Math.min(page, pages), pages, search: null,
    next: hasNext && rows.length > 0 ? cursorOf(rows.at(-1)!) : null,
    prev: hasPrev && rows.length > 0 ? cursorOf(rows[0]!) : null,
  };
}

/**
 * A search takes the first matches the trigram index gives (`SEARCH_LIMIT`, plus one to know there are more) that
 * pass the filters, then sorts those. Under three characters a trigram index cannot help: the rows are scanned,
 * which ends as soon as enough match (a short string usually matches many).
 */
async function searchPage(db: Db, dialect: 'sqlite' | 'postgres', subscriptionId: string, query: UserTableQuery): Promise<Omit<UserTablePage, 'reasons'>> {
  const base = filtered(db, subscriptionId, query);
  const like = `%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  // The index holds the text folded (engine/status-schema.ts, 0020): the query is folded the same way.
  const folded = foldForSearch(query.q);
  const foldedLike = `%${folded.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  let matched: Base;
  if (dialect === 'postgres') {
    matched = base.innerJoin('mig_users_search as s', (j) => j.onRef('s.subscription_id', '=', 'mig_users.subscription_id').onRef('s.user_id', '=', 'mig_users.user_id'))
      .where(() => sql<SqlBool>`s.doc like ${foldedLike} escape '\\'` as Expression<SqlBool>) as unknown as Base;
  } else if ([...folded].length >= 3) {
    // A trigram phrase query is a substring test, without regard to case; double quotes are doubled inside it. The
    // index drives the join (its matches, then each user row by rowid), so the limit ends the read.
    const phrase = `"${folded.replaceAll('"', '""')}"`;
    matched = (base as unknown as SelectQueryBuilder<any, any, object>).innerJoin(sql.table(FOLDED_FTS).as('f'), (j) => j.on(() => sql<SqlBool>`f.rowid = mig_users.rowid and f.user_id = mig_users.user_id` as Expression<SqlBool>))
      .where(() => sql<SqlBool>`${sql.table(FOLDED_FTS)} match ${phrase}` as Expression<SqlBool>) as unknown as Base;
  } else {
    const any = sql.join(['user_id', 'email', 'first_name', 'last_name'].map((c) => sql`${sql.ref(`mig_users.${c}`)} like ${like} escape '\\'`), sql` or `);
    matched = base.where(() => sql<SqlBool>`(${any})` as Expression<SqlBool>);
  }
  const found = (await matched.select(COLUMNS.map((c) => `mig_users.${c}` as const)).limit(SEARCH_LIMIT + 1).execute()) as UserRow[];
  const column = SORT_COLUMN[query.sort];
  const sign = query.dir === 'asc' ? 1 : -1;
  const key = (r: UserRow) => (column === 'user_id' ? '' : r[column] ?? '\uffff');
  const rows = found.slice(0, SEARCH_LIMIT).sort((a, b) => sign * (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a.user_id < b.user_id ? -1 : a.user_id > b.user_id ? 1 : 0));
  return { rows, total: rows.length, page: 1, pages: 1, next: null, prev: null, search: { more: found.length > SEARCH_LIMIT } };
}

async function reasonsOf(db: Db, subscriptionId: string, userIds: string[]): Promise<Map<string, string[]>> {
  const reasons = new Map<string, string[]>();
  if (userIds.length === 0) return reasons;
  const rows = await db.selectFrom('mig_user_reasons').select(['user_id', 'reason']).where('subscription_id', '=', subscriptionId).where('user_id', 'in', userIds).orderBy('user_id').orderBy('reason').execute();
  for (const r of rows) reasons.set(r.user_id, [...(reasons.get(r.user_id) ?? []), r.reason]);
  return reasons;
}

/** The query string of the table with some parameters changed (links for sorting and paging keep the rest). */
export function userTableHref(base: string, query: UserTableQuery, change: Partial<UserTableQuery>): string {
  const q = { ...query, ...change };
  const params = new URLSearchParams();
  if (q.state) params.set('state', q.state);
  if (q.reason) params.set('reason', q.reason);
  if (q.admin) params.set('admin', '1');
  if (q.q) params.set('q', q.q);
  if (q.sort !== 'user') params.set('sort', q.sort);
  if (q.dir !== 'asc') params.set('dir', q.dir);
  if (q.after) params.set('after', encodeCursor(q.after));
  else if (q.before) params.set('before', encodeCursor(q.before));
  else if (q.last) params.set('last', '1');
  if (q.page > 1) params.set('page', String(q.page));
  const s = params.toString();
  return s ? `${base}?${s}` : base;
}
