import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMigrationNotices, createProductKit } from 'rehome/product-kit';
import { handleApiTokenRoutes } from './api/api-token-routes.ts';
import { handleRehomeApi } from './api/rehome-api.ts';
import { engageLinkStore } from './auth/identity-links.ts';
import { openEngageDb, type EngageDb } from './db/engage-db.ts';
import type { EngageContext } from './engage-context.ts';
import { html, layout } from './http/html.ts';
import { HttpError, sendHtml, sendJson } from './http/http-io.ts';
import { handleAccountRoutes } from './web/account-routes.ts';
import { handleAppRoutes } from './web/app-routes.ts';
import { CALLBACK_PATH, handleImsRoutes } from './web/ims-routes.ts';
import { handleUserAdminRoutes } from './web/user-admin-routes.ts';
import { handleBannerRoutes } from './web/migration-banner.ts';

export interface EngageOptions {
  /** SQLite file, or `:memory:`. */
  dbPath: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Bearer token Rehome uses on `/api/rehome/v1` (at least 16 characters). */
  rehomeApiToken: string;
  now?: () => Date;
}

export interface EngageImsOptions {
  issuer: string;
  clientId: string;
  clientSecret?: string;
  /** Loopback demos and tests only. */
  allowInsecureHttp?: boolean;
  /** Button text; default "Continue with IMS". */
  brandText?: string;
  /** Rehome's public URL: Engage's banner reads each subscription's move from `<rehomeUrl>/help/<id>/notice.json`. */
  rehomeUrl?: string;
}

export interface EngageServer extends AsyncDisposable {
  url: string;
  db: EngageDb;
  /** The redirect URI to register at the IMS for this Engage. */
  callbackUrl: string;
  /** Turns on "Continue with IMS" (the IMS usually starts after Engage, once Engage's URL is known). */
  configureIms(options: EngageImsOptions): void;
  close(): Promise<void>;
}

type Handler = (ctx: EngageContext, req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;
const HANDLERS: Handler[] = [handleAppRoutes, handleImsRoutes, handleBannerRoutes, handleAccountRoutes, handleUserAdminRoutes, handleApiTokenRoutes, handleRehomeApi];

export async function startEngage(options: EngageOptions): Promise<EngageServer> {
  if (options.rehomeApiToken.length < 16) throw new Error('rehomeApiToken must be at least 16 characters');
  const db = openEngageDb(options.dbPath);
  const ctx: EngageContext = { db, origin: '', now: options.now ?? (() => new Date()), ims: undefined, rehomeApiToken: options.rehomeApiToken };
  const server = createServer((req, res) => {
    void route(ctx, req, res);
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port, address } = server.address() as AddressInfo;
  ctx.origin = `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
  const close = async (): Promise<void> => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    db.close();
  };
  return {
    url: ctx.origin,
    db,
    callbackUrl: `${ctx.origin}${CALLBACK_PATH}`,
    configureIms(ims) {
      const kit = createProductKit({
        issuer: ims.issuer, clientId: ims.clientId, redirectUri: `${ctx.origin}${CALLBACK_PATH}`, linkStore: engageLinkStore(db, ctx.now),
        ...(ims.clientSecret ? { clientSecret: ims.clientSecret } : {}), ...(ims.allowInsecureHttp ? { allowInsecureHttp: true } : {}),
      });
      ctx.ims = { kit, brandText: ims.brandText ?? 'Continue with IMS' };
      ctx.notices = ims.rehomeUrl ? createMigrationNotices({ rehomeUrl: ims.rehomeUrl, now: () => ctx.now().getTime() }) : undefined;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

async function route(ctx: EngageContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', ctx.origin);
  try {
    for (const handler of HANDLERS) {
      if (await handler(ctx, req, res, url)) return;
    }
    throw new HttpError(404, 'not_found', 'There is nothing here.');
  } catch (error) {
    if (res.headersSent) return void res.destroy();
    const known = error instanceof HttpError ? error : undefined;
    if (!known) console.error('engage: unhandled error', error);
    const status = known?.status ?? 500;
    const code = known?.code ?? 'internal_error';
    const message = known?.message ?? 'Something went wrong on our side.';
    if (url.pathname.startsWith('/api/') || url.pathname.includes('/api/')) sendJson(res, status, { error: { code, message } });
    else sendHtml(res, status, layout('Error', html`<div class="card"><p class="error" role="alert" data-code="${code}">${message}</p></div>`));
  }
}
