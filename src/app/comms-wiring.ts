import type { Kysely } from 'kysely';
import type { RehomeConfig } from '../config/config.ts';
import type { Mailer } from '../mail/mailer.ts';
import { commsDb } from '../comms/comms-schema.ts';
import { commsSettingsOf } from '../comms/comms-settings.ts';
import { sendComms, type CommsDeps } from '../comms/send-comms.ts';
import { loadTemplates } from '../comms/template-files.ts';
import { createVerificationLinks } from '../comms/verification-links.ts';
import type { ResendResult } from '../comms/verify-email-handler.ts';

/** A person may ask for a new link from the expired page at most this often. */
const RESEND_INTERVAL_MS = 10 * 60_000;

/** The communication plan's dependencies from the one config object (CLI and server build them the same way). */
export function commsDepsFrom(opts: {
  db: Kysely<any>; mailer: Mailer; config: Pick<RehomeConfig, 'comms' | 'ims'>;
  /** `ims.linkSecret` (or the generated development secret). */
  secret: string;
  /** The server's public URL; links are `<baseUrl>/verify-email?token=...`. */
  baseUrl: string;
  actor: string; now?: () => Date;
}): CommsDeps {
  const settings = commsSettingsOf(opts.config);
  const now = opts.now ?? (() => new Date());
  return {
    db: opts.db,
    mailer: opts.mailer,
    links: createVerificationLinks({ db: opts.db, secret: opts.secret, baseUrl: opts.baseUrl.replace(/\/+$/, ''), ttlHours: settings.linkTtlHours, now }),
    templates: loadTemplates(settings.templatesDir),
    context: { imsName: opts.config.ims.productName, brandText: opts.config.ims.brandText, productUrl: settings.productUrl },
    schedule: settings.schedule,
    now,
    actor: opts.actor,
  };
}

/** The expired page's "Send me a new link": one more verification mail, rate-limited per person. */
export function resendFor(deps: CommsDeps): (subscriptionId: string, userId: string) => Promise<ResendResult> {
  return async (subscriptionId, userId) => {
    const db = commsDb(deps.db);
    const user = await db.selectFrom('mig_users').select('state').where('subscription_id', '=', subscriptionId).where('user_id', '=', userId).executeTakeFirst();
    const verified = await db.selectFrom('comms_verifications').select('user_id').where('subscription_id', '=', subscriptionId).where('user_id', '=', userId).executeTakeFirst();
    if (!user || user.state !== 'needs_email_verification' || verified) return 'not_needed';
    const last = await db.selectFrom('comms_sends').select((eb) => eb.fn.max('sent_at').as('at')).where('subscription_id', '=', subscriptionId).where('user_id', '=', userId)
      .where('template', 'in', ['verification', 'verification_reminder']).executeTakeFirst();
    if (last?.at && deps.now().getTime() - Date.parse(String(last.at)) < RESEND_INTERVAL_MS) return 'recently_sent';
    const r = await sendComms({ ...deps, actor: `product-user:${userId}` }, subscriptionId, { kind: 'template', template: 'verification', userIds: [userId] });
    return r.sent + r.duplicate > 0 ? 'sent' : 'not_needed';
  };
}
