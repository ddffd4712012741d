import { sql, type Kysely } from 'kysely';
import { fullName } from '../core/glossary/people.ts';

export interface AuditRow {
  seq: number;
  at: string;
  actor: string;
  action: string;
  target: string | null;
  details: Record<string, unknown>;
}

type Db = Kysely<{ audit_log: { seq: number; at: string | Date; actor: string; action: string; subscription_id: string | null; target: string | null; details: string | Record<string, unknown> } }>;

export interface AuditQuery {
  /** Exact action, or a family ending in `:` (`user:`). */
  action: string;
  /** Exact actor, or a prefix ending in `*` (`admin:*`). */
  actor: string;
  /** Show entries older than this sequence number (keyset paging, newest first). */
  before: number | null;
}

export function parseAuditQuery(params: URLSearchParams): AuditQuery {
  const before = Number.parseInt(params.get('before') ?? '', 10);
  return { action: (params.get('action') ?? '').trim().slice(0, 100), actor: (params.get('actor') ?? '').trim().slice(0, 200), before: Number.isFinite(before) && before > 0 ? before : null };
}

function filtered(kysely: Kysely<any>, subscriptionId: string, q: AuditQuery) {
  const db = kysely as Db;
  let select = db.selectFrom('audit_log').where('subscription_id', '=', subscriptionId);
  if (q.action.endsWith(':')) select = select.where(sql<boolean>`substr(action, 1, ${q.action.length}) = ${q.action}`);
  else if (q.action) select = select.where('action', '=', q.action);
  if (q.actor.endsWith('*')) select = select.where(sql<boolean>`substr(actor, 1, ${q.actor.length - 1}) = ${q.actor.slice(0, -1)}`);
  else if (q.actor) select = select.where('actor', '=', q.actor);
  return select;
}

/** One page of a subscription's audit log, newest first, read backwards along the (subscription_id, seq) index. */
export async function queryAudit(kysely: Kysely<any>, subscriptionId: string, q: AuditQuery, pageSize = 100): Promise<{ rows: AuditRow[]; nextBefore: number | null }> {
  let select = filtered(kysely, subscriptionId, q);
  if (q.before !== null) select = select.where('seq', '<', q.before);
  const rows = await select.select(['seq', 'at', 'actor', 'action', 'target', 'details']).orderBy('seq', 'desc').limit(pageSize + 1).execute();
  const page = rows.slice(0, pageSize).map((r) => ({
    seq: Number(r.seq), at: r.at instanceof Date ? r.at.toISOString() : String(r.at), actor: r.actor, action: r.action, target: r.target,
    details: typeof r.details === 'string' ? JSON.parse(r.details) as Record<string, unknown> : r.details,
  }));
  return { rows: page, nextBefore: rows.length > pageSize ? page[page.length - 1]!.seq : null };
}

/** Every entry matching the filter, oldest first (the CSV export). */
export async function exportAudit(kysely: Kysely<any>, subscriptionId: string, q: AuditQuery): Promise<AuditRow[]> {
  const rows = await filtered(kysely, subscriptionId, { ...q, before: null }).select(['seq', 'at', 'actor', 'action', 'target', 'details']).orderBy('seq', 'asc').execute();
  return rows.map((r) => ({
    seq: Number(r.seq), at: r.at instanceof Date ? r.at.toISOString() : String(r.at), actor: r.actor, action: r.action, target: r.target,
    details: typeof r.details === 'string' ? JSON.parse(r.details) as Record<string, unknown> : r.details,
  }));
}

/** The distinct actions of a subscription's log, for the filter's choices. */
export async function auditActions(kysely: Kysely<any>, subscriptionId: string): Promise<string[]> {
  const rows = await (kysely as Db).selectFrom('audit_log').select('action').distinct().where('subscription_id', '=', subscriptionId).orderBy('action').execute();
  return rows.map((r) => r.action);
}

/**
 * The names of the people in a page of audit rows: targets by product user id, actors (`admin:<IMS subject>`) by
 * the user migrated to that IMS account. Names come from the migration's own rows, never from the entries.
 */
export async function auditPeople(kysely: Kysely<any>, subscriptionId: string, rows: AuditRow[]): Promise<Record<string, string>> {
  const targets = [...new Set(rows.map((r) => r.target).filter((t): t is string => Boolean(t)))].slice(0, 500);
  const subjects = [...new Set(rows.map((r) => r.actor).filter((a) => a.startsWith('admin:')).map((a) => a.slice('admin:'.length)))].slice(0, 100);
  if (targets.length === 0 && subjects.length === 0) return {};
  const people: Record<string, string> = {};
  const name = (u: { first_name: string | null; last_name: string | null }) => fullName(u.first_name, u.last_name);
  const select = () => kysely.selectFrom('mig_users').select(['user_id', 'ims_subject', 'first_name', 'last_name']).where('subscription_id', '=', subscriptionId);
  if (targets.length > 0) for (const u of await select().where('user_id', 'in', targets).execute()) if (name(u)) people[u.user_id] = name(u);
  if (subjects.length > 0) for (const u of await select().where('ims_subject', 'in', subjects).execute()) if (name(u)) people[`admin:${u.ims_subject}`] = name(u);
  return people;
}
