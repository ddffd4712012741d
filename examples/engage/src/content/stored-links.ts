import type { ProductLink } from '../../../../src/ports/product-source.ts';
import type { EngageDb } from '../db/engage-db.ts';

/**
 * Every stored text that may carry a link, as one list. A link id names kind, row and field
 * (`report_subscription:12:body`), so one update touches exactly one text.
 */
interface LinkTable {
  kind: string;
  table: string;
  field: string;
  /** SQL selecting `row_id` and `text` for one subscription (bound once). */
  select: string;
}

const TABLES: LinkTable[] = [
  { kind: 'report_subscription', table: 'report_subscriptions', field: 'body',
    select: 'SELECT rs.id AS row_id, rs.body AS text FROM report_subscriptions rs JOIN users u ON u.id = rs.user_id WHERE u.subscription_id = ?' },
  { kind: 'bookmark', table: 'bookmarks', field: 'url',
    select: 'SELECT b.id AS row_id, b.url AS text FROM bookmarks b JOIN users u ON u.id = b.user_id WHERE u.subscription_id = ?' },
  { kind: 'email_template', table: 'email_templates', field: 'html',
    select: 'SELECT id AS row_id, html AS text FROM email_templates WHERE subscription_id = ?' },
];

export function listStoredLinks(db: EngageDb, subscriptionId: string): ProductLink[] {
  const out: ProductLink[] = [];
  for (const t of TABLES) {
    const rows = db.sqlite.prepare(`${t.select} ORDER BY row_id`).all(subscriptionId) as unknown as { row_id: number; text: string }[];
    for (const r of rows) out.push({ kind: t.kind, id: `${t.kind}:${r.row_id}:${t.field}`, field: t.field, text: r.text });
  }
  return out;
}

export function getStoredLink(db: EngageDb, subscriptionId: string, id: string): ProductLink | undefined {
  const parsed = parseLinkId(id);
  if (!parsed) return undefined;
  const row = db.sqlite.prepare(`SELECT * FROM (${parsed.table.select}) WHERE row_id = ?`).get(subscriptionId, parsed.rowId) as { row_id: number; text: string } | undefined;
  return row && { kind: parsed.table.kind, id, field: parsed.table.field, text: row.text };
}

export type UpdateLinkOutcome = { ok: true; link: ProductLink } | { ok: false; reason: 'not_found' | 'conflict'; current?: string };

/** Compare-and-set: writes only when the text is still `expected` (or already `next`: a retry). */
export function updateStoredLink(db: EngageDb, subscriptionId: string, id: string, next: string, expected: string): UpdateLinkOutcome {
  return db.transaction(() => {
    const link = getStoredLink(db, subscriptionId, id);
    const parsed = parseLinkId(id);
    if (!link || !parsed) return { ok: false, reason: 'not_found' };
    if (link.text === next) return { ok: true, link };
    if (link.text !== expected) return { ok: false, reason: 'conflict', current: link.text };
    db.sqlite.prepare(`UPDATE ${parsed.table.table} SET ${parsed.table.field} = ? WHERE id = ?`).run(next, parsed.rowId);
    return { ok: true, link: { ...link, text: next } };
  });
}

function parseLinkId(id: string): { table: LinkTable; rowId: number } | undefined {
  const [kind, row, field] = id.split(':');
  const table = TABLES.find((t) => t.kind === kind && t.field === field);
  const rowId = Number(row);
  return table && Number.isSafeInteger(rowId) && rowId > 0 ? { table, rowId } : undefined;
}
