import type { ServerResponse } from 'node:http';
import type { Kysely } from 'kysely';
import { describeNotice, helpPageUrl, type MigrationNotice } from '../core/comms/migration-notice.ts';
import type { SubscriptionState } from '../core/migration/states.ts';
import { getMigrationSummary, migrationDb, readPlanFacts } from '../engine/migration-repo.ts';
import { sendHtml } from '../http/http-io.ts';
import type { RequestHandler } from '../http/request-handler.ts';
import { renderHelpPage, renderUnknownHelpPage, type HelpPageSettings } from './help-page.ts';

export interface HelpHandlerOptions extends HelpPageSettings {
  db: Kysely<any>;
  /** Rehome's public URL: the JSON names the page by its absolute address. */
  baseUrl: string;
  now: () => Date;
}

/** What `GET /help/<id>/notice.json` answers: the notice, and what a product's banner needs to say and link. */
export interface NoticeDocument extends MigrationNotice {
  helpUrl: string;
  imsName: string;
  brandText: string;
  productUrl: string | null;
}

/** Subscription ids as products write them (`123-ABC-456`); anything else is no page. */
const ROUTE = /^\/help\/([A-Za-z0-9][\w.-]{0,99})(\/notice\.json)?$/;

/**
 * `GET /help/<subscription id>`: the "What changes for me" page, public (no sign-in: people read it before they have
 * an IMS account). `GET /help/<subscription id>/notice.json`: the same facts for the product's banner
 * (`rehome/product-kit`'s `createMigrationNotices`). Both read the migration row and the plan's facts, never a user.
 */
export function createHelpHandler(options: HelpHandlerOptions): RequestHandler {
  const db = migrationDb(options.db);

  const load = async (subscriptionId: string): Promise<MigrationNotice | undefined> => {
    const m = await getMigrationSummary(db, subscriptionId);
    const facts = m && await readPlanFacts(db, subscriptionId);
    if (!m || !facts) return undefined;
    return describeNotice({
      subscriptionId, subscriptionName: facts.subscriptionName, state: m.state as SubscriptionState,
      migrationDate: m.migration_date, startsAt: m.starts_at, timeZone: facts.timeZone, now: options.now(),
    });
  };

  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = ROUTE.exec(url.pathname);
    if (!route) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return true;
    }
    const notice = await load(route[1]!);
    if (route[2]) {
      sendNotice(res, notice && { ...notice, helpUrl: helpPageUrl(options.baseUrl, notice.subscriptionId), imsName: options.imsName, brandText: options.brandText, productUrl: options.productUrl });
    } else if (notice) {
      sendHtml(res, 200, renderHelpPage(notice, options));
    } else {
      sendHtml(res, 404, renderUnknownHelpPage(options));
    }
    return true;
  };
}

function sendNotice(res: ServerResponse, doc: NoticeDocument | undefined): void {
  const body = JSON.stringify(doc ?? { error: 'not_found' });
  res.writeHead(doc ? 200 : 404, {
    'content-type': 'application/json; charset=utf-8',
    // Products poll it for their banner; a date change shows within minutes.
    'cache-control': doc ? 'public, max-age=300' : 'no-store',
    'x-content-type-options': 'nosniff',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}
