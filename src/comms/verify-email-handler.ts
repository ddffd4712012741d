import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Kysely } from 'kysely';
import { formatLongDate } from '../core/comms/local-time.ts';
import { helpPageUrl } from '../core/comms/migration-notice.ts';
import { HttpError, readForm, sendHtml } from '../http/http-io.ts';
import { getMigrationSummary, migrationDb, readPlanFacts } from '../engine/migration-repo.ts';
import type { RequestHandler } from '../http/request-handler.ts';
import { applyLinkVerification } from './apply-verification.ts';
import { commsDb } from './comms-schema.ts';
import { joinNames } from './compose-mail.ts';
import type { LinkRow, VerificationLinks } from './verification-links.ts';
import { addressChangedPage, alreadyUsedPage, confirmPage, expiredPage, invalidPage, resentPage, verifiedPage, type PageInfo } from './verify-email-pages.ts';

export type ResendResult = 'sent' | 'recently_sent' | 'not_needed';

export interface VerifyEmailHandlerOptions {
  db: Kysely<any>;
  links: VerificationLinks;
  imsName: string;
  brandText: string;
  now: () => Date;
  /** Mails a fresh link to the address on record (the expired-link page's button); without it the page points to the admins. */
  resend?: (subscriptionId: string, userId: string) => Promise<ResendResult>;
}

/**
 * `/verify-email`: GET shows the link's state and, for a live link, a button; the POST of that button uses the
 * link up and verifies. Verifying on GET would let mail scanners that pre-open links (common in enterprise mail)
 * spend people's single-use links; GET never changes anything (RFC 9110 section 9.2.1).
 * `/verify-email/resend` (POST, from the expired page): a new link to the address on record, never to one typed in.
 * Status codes: 200 live or done, 400 forged or malformed, 410 expired, used or superseded, 429 resent too recently.
 */
export function createVerifyEmailHandler(opts: VerifyEmailHandlerOptions): RequestHandler {
  const currentEmail = async (link: LinkRow) => (await commsDb(opts.db).selectFrom('mig_users').select('email').where('subscription_id', '=', link.subscription_id).where('user_id', '=', link.user_id).executeTakeFirst())?.email;

  const pageInfo = async (link: LinkRow): Promise<PageInfo> => {
    // Every click of a link renders this: the plan-less row and the plan's facts, never the plan itself.
    const m = await getMigrationSummary(migrationDb(opts.db), link.subscription_id);
    const info: PageInfo = { imsName: opts.imsName, brandText: opts.brandText, helpUrl: helpPageUrl(opts.links.baseUrl, link.subscription_id) };
    const plan = m ? await readPlanFacts(migrationDb(opts.db), link.subscription_id) : undefined;
    if (!m || !plan) return info;
    const admins = await commsDb(opts.db).selectFrom('mig_users').select(['first_name', 'last_name']).where('subscription_id', '=', link.subscription_id).where('admin', '=', 1)
      .where('state', 'not in', ['skipped', 'not_migrated', 'stays_local']).orderBy('user_id').execute();
    return { ...info, subscriptionName: plan.subscriptionName, migrationDate: m.starts_at ? formatLongDate(new Date(m.starts_at), plan.timeZone) : null, admins: admins.length ? joinNames(admins.map((a) => `${a.first_name} ${a.last_name}`.trim())) : null };
  };

  const verifiedOn = async (link: LinkRow): Promise<string | null> => {
    const v = await commsDb(opts.db).selectFrom('comms_verifications').select('verified_at').where('subscription_id', '=', link.subscription_id).where('user_id', '=', link.user_id).executeTakeFirst();
    return v ? new Date(v.verified_at).toUTCString() : null;
  };

  async function show(res: ServerResponse, token: string, consume: boolean): Promise<void> {
    const checked = consume ? await opts.links.consume(token, currentEmail) : await opts.links.check(token, currentEmail);
    if (checked.status === 'invalid') return sendHtml(res, 400, invalidPage(opts.imsName));
    const info = await pageInfo(checked.link);
    await opts.links.recordClick(checked.link, checked.status === 'valid' ? (consume ? 'verified' : 'opened') : checked.status);
    switch (checked.status) {
      case 'valid': {
        if (!consume) return sendHtml(res, 200, confirmPage(info, token));
        const outcome = await applyLinkVerification({ db: opts.db, now: opts.now }, checked.link);
        return sendHtml(res, 200, verifiedPage(info, outcome));
      }
      case 'used': return sendHtml(res, 410, alreadyUsedPage(info, await verifiedOn(checked.link)));
      case 'expired': return sendHtml(res, 410, expiredPage(info, token, Boolean(opts.resend)));
      case 'address_changed': return sendHtml(res, 410, addressChangedPage(info));
    }
  }

  async function resend(res: ServerResponse, token: string): Promise<void> {
    const checked = await opts.links.check(token, currentEmail);
    if (checked.status === 'invalid') return sendHtml(res, 400, invalidPage(opts.imsName));
    const info = await pageInfo(checked.link);
    // Only an expired link earns a new one here: a live one still works, a used or superseded one must not.
    if (checked.status !== 'expired' || !opts.resend) return show(res, token, false);
    const result = await opts.resend(checked.link.subscription_id, checked.link.user_id);
    await opts.links.recordClick(checked.link, `resend:${result}`);
    return sendHtml(res, result === 'recently_sent' ? 429 : 200, resentPage(info, result));
  }

  return async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/verify-email' && url.pathname !== '/verify-email/resend') return false;
    try {
      if (req.method === 'GET' && url.pathname === '/verify-email') {
        await show(res, url.searchParams.get('token') ?? '', false);
      } else if (req.method === 'POST') {
        const token = (await readForm(req)).get('token') ?? '';
        await (url.pathname === '/verify-email' ? show(res, token, true) : resend(res, token));
      } else {
        res.statusCode = 405;
        res.setHeader('allow', url.pathname === '/verify-email' ? 'GET, POST' : 'POST');
        res.end();
      }
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      res.statusCode = error.status;
      res.end(error.message);
    }
    return true;
  };
}
