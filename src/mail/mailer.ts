import { EMAIL_PROBLEMS, normalizeEmail } from '../core/email/normalize-email.ts';

/**
 * The Mailer port. `key` is an idempotency key: a second `send` with a key already sent (or stored) is a no-op,
 * so a resumed run never mails anyone twice (DESIGN.md, crash-safe apply rule 5).
 */
export interface Mailer {
  send(message: MailMessage): Promise<MailSendResult>;
}

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
  /** Idempotency key, e.g. `ims:verify-email:<token id>` or `comms:<subscription>:<user>:<template>`. */
  key: string;
}

export interface MailSendResult {
  /** 'sent' (or stored in the outbox) now, or 'duplicate' when the key was seen before and nothing happened. */
  status: 'sent' | 'duplicate';
}

export type MailErrorCode =
  | 'mail_invalid' // no recipient, subject or idempotency key
  | 'mail_failed'; // the SMTP server refused or could not be reached; the send is not recorded, so a retry sends it

export class MailError extends Error {
  readonly code: MailErrorCode;
  constructor(code: MailErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MailError';
    this.code = code;
  }
}

/**
 * Checks a message and returns it addressed to the delivery form of its recipient (the one address rule,
 * src/core/email/normalize-email.ts): the domain in A-labels, so no mail library converts a look-alike on its
 * own (`ｆreelance.example` once went to `xn--reelance-ng39b.example`). A look-alike recipient is refused.
 */
export function checkMailMessage(message: MailMessage): MailMessage {
  if (!message.key) throw new MailError('mail_invalid', 'mail key must not be empty');
  if (!/^[^\s@<>]+@[^\s@<>]+$/.test(message.to)) throw new MailError('mail_invalid', 'mail "to" must be one plain address');
  if (/[\r\n]/.test(message.subject)) throw new MailError('mail_invalid', 'mail subject must be one line');
  const to = normalizeEmail(message.to);
  if (!to.ok) throw new MailError('mail_invalid', `mail "to" cannot be used: ${EMAIL_PROBLEMS[to.problem]}`);
  return to.delivery === message.to ? message : { ...message, to: to.delivery };
}
