import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RehomeApp } from '../app/compose.ts';
import { storeSupportReports } from '../app/store-support-reports.ts';
import type { EmbeddedIms } from '../ims/embedded-ims.ts';
import type { RequestHandler } from '../http/request-handler.ts';
import { createAuthz } from './authz.ts';
import { redeemBootstrapToken } from './bootstrap.ts';
import { CONSOLE_CLIENT_ID } from '../app/console-client.ts';
import { CONSOLE_CSS, CONSOLE_FAVICON, CONSOLE_JS } from './console-assets.ts';
import type { ConsoleContext, SubscriptionRequest } from './console-context.ts';
import { ConsoleError } from './console-error.ts';
import { HttpError, readForm, safeConsolePath, sendAsset, sendPage, seeOther } from './console-http.ts';
import { checkCsrf } from './csrf.ts';
import { liveView, loadLiveStatus } from './live-status.ts';
import { createMigrationRuns, type MigrationRuns } from './migration-runs.ts';
import { renderHomePage, renderMessage, renderSignInPage } from './pages/home-page.ts';
import { subscriptionStateLabel } from './pages/labels.ts';
import { html, layout, subscriptionPath } from './pages/layout.ts';
import { ACTIONS, runAction } from './routes/action-routes.ts';
import { DOWNLOADS } from './routes/download-routes.ts';
import { PAGES, servePage } from './routes/page-routes.ts';
import { PHASE_THREE_ACTIONS, PHASE_THREE_DOWNLOADS, runPhaseThreeAction } from './routes/phase-three-routes.ts';
import { createSessions, type ConsoleDb, type ConsoleSession } from './session.ts';
import { createSignIn } from './sign-in.ts';
import { createLiveHub } from './sse.ts';
import { createSubscriptionData } from './subscription-data.ts';

export interface ConsoleOptions {
  /** Rehome, composed once: every action of the console is the application function the CLI calls too. */
  app: RehomeApp;
  /** The embedded IMS the console signs in with (its issuer and the console's client registration). */
  ims: EmbeddedIms;
  /** How often the live view re-reads the database while somebody watches (default 1000 ms). */
  pollMs?: number;
}

/** The console's request handler, plus what the server needs to stop it cleanly. */
export type ConsoleHandler = RequestHandler & {
  readonly runs: MigrationRuns;
  /** Ends live streams and waits for background runs to stop. */
  close(): Promise<void>;
};

const SUBSCRIPTION_ROUTE = /^\/console\/s\/([^/]+)(\/[a-z-]+(?:\/action)?|\/[a-z-]+\.(?:csv|html|json))?$/;

/**
 * The self-service migration console under `/console`: server-rendered pages over the migration engine, signed in
 * through the IMS (or a one-time bootstrap link), with a session, a CSRF token on every form and a per-subscription
 * authorisation check on every route — an admin of one subscription gets a 404 for any other.
 */
export function createConsoleHandler(options: ConsoleOptions): ConsoleHandler {
  const { app, ims } = options;
  const { store, now } = app;
  const db = store.kysely as ConsoleDb;
  const secure = ims.config.baseUrl.startsWith('https:');
  const sessions = createSessions(db, { now, secure });
  const data = createSubscriptionData({ store, policy: app.config.matching });
  // The hub and the runs refer to each other (a run's progress refreshes the view; the view shows the runs).
  const hub = createLiveHub({
    load: async (id) => {
      const live = await loadLiveStatus(store.kysely, id, runs.status(id));
      return { live, view: liveView(live, { state: subscriptionStateLabel }) };
    },
    ...(options.pollMs ? { pollMs: options.pollMs } : {}),
    onError: (e) => console.error('console: live status failed', (e as Error)?.name),
  });
  const runs = createMigrationRuns({
    app,
    onChange: (id) => hub.notify(id),
    onError: (e) => console.error('console: a migration run stopped', (e as Error)?.name, (e as { code?: string })?.code ?? ''),
  });
  const ctx: ConsoleContext = {
    app, store, sessions, authz: createAuthz(store.kysely), data, runs, hub, now, rules: app.scheduleRules, origin: new URL(ims.config.baseUrl).origin,
    support: storeSupportReports(store.kysely),
  };
  const signIn = createSignIn({
    db, store, sessions, issuer: ims.config.issuer, baseUrl: ims.config.baseUrl, now, secure,
    client: ims.config.clients.find((c) => c.clientId === CONSOLE_CLIENT_ID),
  });

  const message = (res: ServerResponse, status: number, title: string, text: string, session?: ConsoleSession, link?: { href: string; label: string }) =>
    sendPage(res, status, layout({ title, session, body: renderMessage(text, link) }));
  const notFound = (res: ServerResponse, session?: ConsoleSession) =>
    message(res, 404, 'Not found', 'There is no such page, or it belongs to a subscription you do not administer.', session, { href: '/console/', label: 'Back to your subscriptions' });

  async function route(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const path = url.pathname;
    const method = req.method ?? 'GET';
    if (path === '/console/assets/console.css') return sendAsset(res, CONSOLE_CSS, 'text/css; charset=utf-8');
    if (path === '/console/assets/console.js') return sendAsset(res, CONSOLE_JS, 'text/javascript; charset=utf-8');
    if (path === '/console/assets/favicon.svg') return sendAsset(res, CONSOLE_FAVICON, 'image/svg+xml');
    if (path === '/console/login' && method === 'GET') return signIn.start(res, url.searchParams.get('return_to'));
    if (path === '/console/callback' && method === 'GET') return signIn.callback(req, res);
    if (path === '/console/bootstrap') return bootstrap(req, res, url);

    const session = await sessions.load(req);
    if (path === '/console/logout' && method === 'POST') {
      if (session) {
        checkCsrf(req, session, await readForm(req), ctx.origin);
        await store.appendAudit({ at: now().toISOString(), actor: session.actor, action: 'console:signed_out', subscriptionId: session.subscriptionId });
      }
      await sessions.end(res, session);
      return message(res, 200, 'Signed out', 'You are signed out of the migration console.', undefined, { href: '/console/', label: 'Sign in again' });
    }
    if (path === '/console' || path === '/console/') {
      if (!session) return sendPage(res, 200, layout({ title: 'Migration console', body: renderSignInPage({ available: signIn.available(), returnTo: '/console/' }) }));
      const subs = await ctx.authz.subscriptionsFor(session);
      if (subs.length === 1 && session.kind === 'bootstrap') return seeOther(res, subscriptionPath(subs[0]!.id));
      return sendPage(res, 200, layout({ title: 'Your subscriptions', session, flash: await sessions.takeFlash(session), body: renderHomePage(subs) }));
    }

    const match = SUBSCRIPTION_ROUTE.exec(path);
    if (!match) return notFound(res, session);
    if (!session) {
      if (method !== 'GET') return message(res, 403, 'Signed out', 'Your session ended. Sign in again, then repeat the action.', undefined, { href: '/console/', label: 'Sign in' });
      return sendPage(res, 401, layout({ title: 'Sign in to continue', body: renderSignInPage({ available: signIn.available(), returnTo: safeConsolePath(path + url.search) }) }));
    }
    let subscriptionId: string;
    try { subscriptionId = decodeURIComponent(match[1]!); } catch { return notFound(res, session); }
    const sub = await ctx.authz.authorize(session, subscriptionId);
    if (!sub) return notFound(res, session);
    const r: SubscriptionRequest = { session, subscriptionId, url };
    const rest = match[2] ?? '';

    if (method === 'POST') {
      if (PHASE_THREE_ACTIONS[rest]) return runPhaseThreeAction(ctx, r, rest, req, res);
      const action = ACTIONS[rest];
      if (!action) return notFound(res, session);
      const form = await readForm(req);
      checkCsrf(req, session, form, ctx.origin);
      const fallback = subscriptionPath(subscriptionId, rest === '/users/action' ? '/users' : rest === '/extend' || rest === '/migrate-all' || rest === '/verify-all' ? '/status' : '');
      return runAction(ctx, r, action, form, res, fallback);
    }
    if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, 'method_not_allowed', 'This page only answers GET.');
    if (rest === '/events') return hub.subscribe(req, res, subscriptionId);
    const download = DOWNLOADS[rest] ?? PHASE_THREE_DOWNLOADS[rest];
    if (download) return download(ctx, r, res);
    const page = PAGES[rest];
    if (!page) return notFound(res, session);
    return servePage(ctx, r, sub, page, res);
  }

  /** GET shows a button (link scanners that prefetch URLs must not spend the token); POST spends it. */
  async function bootstrap(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (req.method === 'GET') {
      const token = url.searchParams.get('token') ?? '';
      return sendPage(res, 200, layout({
        title: 'Open the migration console',
        body: html`<p>This one-time link opens the migration console for your subscription before any admin has moved to the IMS. It works once.</p>
<form method="post" action="/console/bootstrap"><input type="hidden" name="token" value="${token}"><button type="submit">Continue to the console</button></form>`,
      }));
    }
    const form = await readForm(req);
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== ctx.origin) throw new HttpError(403, 'csrf_invalid', 'This request came from another site and was refused.');
    const redeemed = await redeemBootstrapToken(db, form.get('token') ?? '', now());
    if (!redeemed) return message(res, 400, 'Link not valid', 'This link was already used, has expired, or is not a console link. Ask your Rehome operator for a new one, or sign in through the IMS if an admin of your subscription has migrated.', undefined, { href: '/console/', label: 'Sign in through the IMS' });
    const subject = `bootstrap:${redeemed.id}`;
    await sessions.start(res, { kind: 'bootstrap', subject, displayName: 'First admin', subscriptionId: redeemed.subscriptionId });
    await store.appendAudit({ at: now().toISOString(), actor: `admin:${subject}`, action: 'console:signed_in', subscriptionId: redeemed.subscriptionId, details: { via: 'bootstrap_link' } });
    seeOther(res, subscriptionPath(redeemed.subscriptionId));
  }

  const handler = (async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const url = new URL(req.url ?? '/', 'http://console.invalid');
    if (url.pathname !== '/console' && !url.pathname.startsWith('/console/')) return false;
    try {
      await route(req, res, url);
    } catch (error) {
      if (res.headersSent) { res.destroy(); return true; }
      if (error instanceof HttpError) message(res, error.status, error.status === 403 ? 'Refused' : 'Something is wrong', error.message, undefined, { href: '/console/', label: 'Back to the console' });
      else if (error instanceof ConsoleError) message(res, error.code === 'console_not_registered' ? 503 : 400, 'Sign-in did not complete', error.message, undefined, { href: '/console/login', label: 'Sign in again' });
      else {
        console.error('console: unhandled error', (error as Error)?.name, (error as { code?: string })?.code ?? '');
        message(res, 500, 'Something went wrong', 'The console could not finish this request. Nothing was lost: reload the page to see where things stand.');
      }
    }
    return true;
  }) as ConsoleHandler;
  Object.defineProperty(handler, 'runs', { value: runs });
  handler.close = async () => {
    hub.close();
    await runs.close();
  };
  return handler;
}
