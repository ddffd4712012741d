import type { RehomeConfig } from '../config/config.ts';
import { commsDepsFrom } from './comms-wiring.ts';
import { sendComms } from '../comms/send-comms.ts';
import type { Mailer } from '../mail/mailer.ts';
import type { Kysely } from 'kysely';

export interface VerificationSendResult {
  sent: number;
  /** Already mailed by an interrupted earlier run (recorded, not mailed again). */
  duplicate: number;
  failed: number;
  /** Selected users who need no verification mail (already verified, skipped, API-only...). */
  notInAudience: string[];
}

/**
 * The hook behind "Verify Email" and "Resend verification": mails product users a fresh verification link.
 * Without `userIds`, every user still waiting for verification.
 */
export type SendVerification = (input: { subscriptionId: string; userIds?: string[]; actor: string }) => Promise<VerificationSendResult>;

/** The hook over the communication plan (src/comms): the `verification` template, links signed with `linkSecret`. */
export function verificationFromComms(opts: { db: Kysely<any>; mailer: Mailer; config: Pick<RehomeConfig, 'comms' | 'ims'>; secret: string; baseUrl: string; now?: () => Date }): SendVerification {
  return async ({ subscriptionId, userIds, actor }) => {
    const deps = commsDepsFrom({ db: opts.db, mailer: opts.mailer, config: opts.config, secret: opts.secret, baseUrl: opts.baseUrl, actor, ...(opts.now ? { now: opts.now } : {}) });
    const r = await sendComms(deps, subscriptionId, { kind: 'template', template: 'verification', ...(userIds ? { userIds } : {}) });
    return { sent: r.sent, duplicate: r.duplicate, failed: r.failed.length, notInAudience: r.notInAudience };
  };
}
