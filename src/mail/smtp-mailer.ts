import type { Kysely } from 'kysely';
import nodemailer from 'nodemailer';
import { checkMailMessage, MailError, type Mailer } from './mailer.ts';
import { findMail, mailDb, recordMail } from './mail-log.ts';

export interface SmtpMailerOptions {
  host: string;
  port: number;
  secure?: boolean;
  user?: string;
  password?: string;
  from: string;
  /** Refuse to send without TLS (default false; loopback test servers have no certificate). */
  requireTls?: boolean;
  now?: () => Date;
}

/**
 * Sends over SMTP (nodemailer), recording each key in `mail_messages` before and after the send: a key already
 * `sent` is a no-op; a key left `pending` by a crash or `failed` is sent again (at-least-once towards the relay,
 * once per key from Rehome's side).
 */
export function createSmtpMailer(kysely: Kysely<any>, options: SmtpMailerOptions): Mailer & { close(): void } {
  const db = mailDb(kysely);
  const now = options.now ?? (() => new Date());
  const transport = nodemailer.createTransport({
    host: options.host,
    port: options.port,
    secure: options.secure ?? false,
    requireTLS: options.requireTls ?? false,
    ignoreTLS: !(options.requireTls ?? false) && !(options.secure ?? false) && isLoopback(options.host),
    auth: options.user ? { user: options.user, pass: options.password ?? '' } : undefined,
  });
  return {
    async send(message) {
      message = checkMailMessage(message);
      const inserted = await recordMail(db, message, 'smtp', 'pending', now().toISOString());
      if (!inserted && (await findMail(db, message.key))?.status === 'sent') return { status: 'duplicate' };
      try {
        await transport.sendMail({
          from: options.from,
          to: message.to,
          subject: message.subject,
          text: message.text,
          html: message.html,
          headers: { 'X-Rehome-Key': message.key },
        });
      } catch (error) {
        await db.updateTable('mail_messages').set({ status: 'failed', error: (error as Error).message }).where('key', '=', message.key).execute();
        throw new MailError('mail_failed', `SMTP send to ${message.to} failed: ${(error as Error).message}`, { cause: error });
      }
      await db.updateTable('mail_messages').set({ status: 'sent', error: null, sent_at: now().toISOString() }).where('key', '=', message.key).execute();
      return { status: 'sent' };
    },
    close: () => transport.close(),
  };
}

function isLoopback(host: string): boolean {
  return host === '127.0.0.1' || host === 'localhost' || host === '::1';
}
