import type { Kysely } from 'kysely';
import type { MailTables } from './mail-tables.ts';
import type { MailMessage } from './mailer.ts';

type MailDb = Kysely<MailTables>;

export interface StoredMail {
  key: string;
  to: string;
  subject: string;
  text: string;
  html: string | null;
  transport: string;
  status: 'stored' | 'pending' | 'sent' | 'failed';
  error: string | null;
  createdAt: string;
  sentAt: string | null;
}

/** The `mail_messages` table: the outbox itself and the idempotency record of SMTP sends. */
export function mailDb(kysely: Kysely<any>): MailDb {
  return kysely.withTables<MailTables>() as unknown as MailDb;
}

/** Inserts the message unless its key exists; returns true when this call inserted it. */
export async function recordMail(db: MailDb, message: MailMessage, transport: string, status: StoredMail['status'], at: string): Promise<boolean> {
  const result = await db.insertInto('mail_messages').values({
    key: message.key,
    to_addr: message.to,
    subject: message.subject,
    text_body: message.text,
    html_body: message.html ?? null,
    transport,
    status,
    error: null,
    created_at: at,
    sent_at: status === 'stored' ? at : null,
  }).onConflict((oc) => oc.column('key').doNothing()).executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function findMail(db: MailDb, key: string): Promise<StoredMail | undefined> {
  const row = await db.selectFrom('mail_messages').selectAll().where('key', '=', key).executeTakeFirst();
  return row && toStoredMail(row);
}

/** Newest first. */
export async function listMail(db: MailDb, options: { to?: string; limit?: number } = {}): Promise<StoredMail[]> {
  let query = db.selectFrom('mail_messages').selectAll().orderBy('created_at', 'desc').orderBy('key').limit(options.limit ?? 200);
  if (options.to) query = query.where('to_addr', '=', options.to);
  return (await query.execute()).map(toStoredMail);
}

function toStoredMail(row: MailTables['mail_messages']): StoredMail {
  return {
    key: row.key,
    to: row.to_addr,
    subject: row.subject,
    text: row.text_body,
    html: row.html_body,
    transport: row.transport,
    status: row.status as StoredMail['status'],
    error: row.error,
    createdAt: row.created_at,
    sentAt: row.sent_at,
  };
}
