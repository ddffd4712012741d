import type { IncomingMessage, ServerResponse } from 'node:http';
import { legacyLoginGate } from 'rehome/product-kit';
import { clearSessionCookie, createSession, endSession, sessionCookie } from '../auth/sessions.ts';
import { signedInUser, type EngageContext } from '../engage-context.ts';
import { html, layout } from '../http/html.ts';
import { addCookie, assertSameOrigin, readForm, redirect, sendHtml } from '../http/http-io.ts';
import { findSubscriptionByInstance, getSubscription, listSubscriptions, newAppFragment, type EngageSubscription } from '../users/subscriptions.ts';
import { adminContacts, findUserByLogin, isLockedNow, recordLastLogin } from '../users/user-records.ts';
import { verifyPassword } from '../users/passwords.ts';
import { ASSET_SCRIPT, homePage } from './home-page.ts';
import { FRAGMENT_SCRIPT, imsButton, loginPage } from './login-page.ts';

const INSTANCE_PATH = /^\/app-([a-z0-9]+)(\/.*)?$/;

/** The product's pages: `/` (the new shell), `/app-<instance>/` (the old home), sign-in and sign-out. */
export async function handleAppRoutes(ctx: EngageContext, req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
  if (url.pathname === '/' && req.method === 'GET') return showShell(ctx, req, res), true;
  if (url.pathname === '/logout' && req.method === 'POST') return signOut(ctx, req, res, '/'), true;
  const match = INSTANCE_PATH.exec(url.pathname);
  if (!match) return false;
  const subscription = findSubscriptionByInstance(ctx.db, match[1]!);
  if (!subscription) return false;
  const rest = match[2] ?? '';
  const base = `/app-${subscription.instance}`;
  if (rest === '') return redirect(res, `${base}/`, 301), true;
  if (rest === '/' && req.method === 'GET') {
    const current = signedInUser(ctx, req);
    if (!current || current.user.subscriptionId !== subscription.id) return redirect(res, `${base}/login`, 302), true;
    sendHtml(res, 200, homePage(ctx.db, subscription, current.user, current.session.kind, `${base}/logout`), [ASSET_SCRIPT.hash]);
    return true;
  }
  if (rest === '/login' && req.method === 'GET') return showLogin(ctx, res, subscription, {}), true;
  if (rest === '/login' && req.method === 'POST') return await passwordLogin(ctx, req, res, subscription), true;
  if (rest === '/logout' && req.method === 'POST') return signOut(ctx, req, res, `${base}/login`), true;
  return false;
}

function showLogin(ctx: EngageContext, res: ServerResponse, subscription: EngageSubscription, o: { status?: number; login?: string; error?: string; offerIms?: boolean }): void {
  const page = loginPage({ subscription, brandText: ctx.ims?.brandText, ...o });
  sendHtml(res, o.status ?? 200, page, [FRAGMENT_SCRIPT.hash]);
}

async function passwordLogin(ctx: EngageContext, req: IncomingMessage, res: ServerResponse, subscription: EngageSubscription): Promise<void> {
  assertSameOrigin(req, ctx.origin);
  const form = await readForm(req);
  const login = form.get('login') ?? '';
  const user = findUserByLogin(ctx.db, subscription.id, login);
  const passwordOk = await verifyPassword(user?.passwordHash ?? null, form.get('password') ?? '');
  if (!user || !passwordOk) return showLogin(ctx, res, subscription, { status: 401, login, error: 'That login and password do not match.' });
  // The gate speaks only after the password proved who this is: it must not tell strangers how an account signs in.
  const decision = legacyLoginGate(
    { loginMode: user.loginMode, apiOnly: user.apiOnly, status: user.status, locked: isLockedNow(user, ctx.now()) },
    { subscriptionMoved: subscription.movedAt !== null, admins: adminContacts(ctx.db, subscription.id), brandText: ctx.ims?.brandText ?? 'Continue with IMS' },
  );
  if (!decision.allowed) {
    return showLogin(ctx, res, subscription, { status: 403, login, error: decision.message, offerIms: decision.offerIms && ctx.ims !== undefined });
  }
  // One commit for the session and the last-login time.
  const token = ctx.db.transaction(() => {
    recordLastLogin(ctx.db, user.id, ctx.now().toISOString());
    return createSession(ctx.db, user.id, 'password', ctx.now());
  });
  addCookie(res, sessionCookie(token));
  const fragment = safeFragment(form.get('fragment'));
  redirect(res, `/app-${subscription.instance}/${fragment ? `#${fragment}` : ''}`);
}

/** The new shell at `/`: the signed-in user's home (the route is in the fragment), or the sign-in choices. */
function showShell(ctx: EngageContext, req: IncomingMessage, res: ServerResponse): void {
  const current = signedInUser(ctx, req);
  const subscription = current && getSubscription(ctx.db, current.user.subscriptionId);
  if (current && subscription) {
    sendHtml(res, 200, homePage(ctx.db, subscription, current.user, current.session.kind, '/logout'), [ASSET_SCRIPT.hash]);
    return;
  }
  const body = html`<div class="card"><h1>Engage</h1>
${ctx.ims ? imsButton('/auth/ims', ctx.ims.brandText) : ''}
<h2>Sign in with a password</h2><ul>${listSubscriptions(ctx.db).map((s) => html`<li><a href="/app-${s.instance}/login">${s.name}</a> <code>${s.id}</code></li>`)}</ul></div>`;
  sendHtml(res, 200, layout('Sign in', body, { script: FRAGMENT_SCRIPT.tag }), [FRAGMENT_SCRIPT.hash]);
}

function signOut(ctx: EngageContext, req: IncomingMessage, res: ServerResponse, to: string): void {
  assertSameOrigin(req, ctx.origin);
  const current = signedInUser(ctx, req);
  if (current) endSession(ctx.db, current.token);
  addCookie(res, clearSessionCookie);
  redirect(res, to);
}

/** A fragment is an asset id or a shell route; nothing that could break out of the Location header. */
export function safeFragment(value: string | null | undefined): string {
  return value && /^[A-Za-z0-9/@:._-]{1,200}$/.test(value) ? value : '';
}

/** Where an IMS sign-in lands: the new shell, at the asset the person started from (if any). */
export function newShellLocation(subscription: EngageSubscription, fragment: string): string {
  const asset = fragment.split('/').pop() ?? '';
  return `/${newAppFragment(subscription)}${asset}`;
}
