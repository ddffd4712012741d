import type { Kysely } from 'kysely';
import { checkMailMessage, type Mailer } from './mailer.ts';
import { listMail, mailDb, recordMail, type StoredMail } from './mail-log.ts';

export interface OutboxMailer extends Mailer {
  /** Stored mails, newest first (the development outbox page and tests read them). */
  list(options?: { to?: string; limit?: number }): Promise<StoredMail[]>;
}

/** Development mailer: stores every message in the database outbox instead of sending it. */
export function createOutboxMailer(kysely: Kysely<any>, options: { now?: () => Date } = {}): OutboxMailer {
  const db = mailDb(kysely);
  const now = options.now ?? (() => new Date());
  return {
    async send(message) {
      message = checkMailMessage(message);
      const inserted = await recordMail(db, message, 'outbox', 'stored', now().toISOString());
      return { status: inserted ? 'sent' : 'duplicate' };
    },
    list: (query) => listMail(db, query),
  };
}
