import type { IncomingMessage, ServerResponse } from 'node:http';
import { legacyLoginGate, SILENT_COOKIE, silentSignInAllowed, silentSignInCookie } from 'rehome/product-kit';
import { clearSessionCookie, createSession, endSession, sessionCookie } from '../auth/sessions.ts';
import { signedInUser, type EngageContext } from '../engage-context.ts';
import { html, layout } from '../http/html.ts';
import { addCookie, assertSameOrigin, parseCookies, readForm, redirect, sendHtml } from '../http/http-io.ts';
import { findSubscriptionByInstance, getSubscription, listSubscriptions, newAppFragment, type EngageSubscription } from '../users/subscriptions.ts';
import { adminContacts, findUserByLogin, isLockedNow, recordLastLogin } from '../users/user-records.ts';
import { verifyPassword } from '../users/passwords.ts';
import { ASSET_SCRIPT, homePage } from './home-page.ts';
import { imsButton, loginPage, SIGN_IN_SCRIPTS, silentSignIn } from './login-page.ts';
import { bannerFor, noticeFor } from './migration-banner.ts';

const INSTANCE_PATH = /^\/app-([a-z0-9]+)(\/.*)?$/;

/** The product's pages: `/` (the new shell), `/app-<instance>/` (the old home), sign-in and sign-out. */
export async function handleAppRoutes(ctx: EngageContext, req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
  if (url.pathname === '/' && req.method === 'GET') return await showShell(ctx, req, res), true;
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
    // Signed in through the IMS: this person lives at the new address. The browser keeps the old fragment across
    // the redirect (RFC 9110 section 10.2.2) and the new shell shows it in the new shape.
    if (current.session.kind === 'ims') return redirect(res, '/', 302), true;
    sendHtml(res, 200, homePage(ctx.db, subscription, current.user, current.session.kind, `${base}/logout`, await bannerFor(ctx, req, subscription, current.user)), [ASSET_SCRIPT.hash]);
    return true;
  }
  if (rest === '/login' && req.method === 'GET') return await showLogin(ctx, req, res, subscription, {}), true;
  if (rest === '/login' && req.method === 'POST') return await passwordLogin(ctx, req, res, subscription), true;
  if (rest === '/logout' && req.method === 'POST') return signOut(ctx, req, res, `${base}/login`), true;
  return false;
}

async function showLogin(ctx: EngageContext, req: IncomingMessage, res: ServerResponse, subscription: EngageSubscription, o: { status?: number; login?: string; error?: string; offerIms?: boolean }): Promise<void> {
  const notice = await noticeFor(ctx, subscription);
  // An old bookmark after the move: someone still signed in to the IMS comes back signed in, without a click.
  const silent = !o.error && silentSignInAllowed({
    imsConfigured: ctx.ims !== undefined, cookie: parseCookies(req)[SILENT_COOKIE], forSubscription: true,
    phase: subscription.movedAt !== null ? 'moved' : notice?.phase,
  });
  const page = loginPage({ subscription, brandText: ctx.ims?.brandText, ...o, silent, banner: await bannerFor(ctx, req, subscription) });
  sendHtml(res, o.status ?? 200, page, SIGN_IN_SCRIPTS.hashes);
}

async function passwordLogin(ctx: EngageContext, req: IncomingMessage, res: ServerResponse, subscription: EngageSubscription): Promise<void> {
  assertSameOrigin(req, ctx.origin);
  const form = await readForm(req);
  const login = form.get('login') ?? '';
  const user = findUserByLogin(ctx.db, subscription.id, login);
  const passwordOk = await verifyPassword(user?.passwordHash ?? null, form.get('password') ?? '');
  if (!user || !passwordOk) return showLogin(ctx, req, res, subscription, { status: 401, login, error: 'That login and password do not match.' });
  // The gate speaks only after the password proved who this is: it must not tell strangers how an account signs in.
  const decision = legacyLoginGate(
    { loginMode: user.loginMode, apiOnly: user.apiOnly, status: user.status, locked: isLockedNow(user, ctx.now()) },
    { subscriptionMoved: subscription.movedAt !== null, admins: adminContacts(ctx.db, subscription.id), brandText: ctx.ims?.brandText ?? 'Continue with IMS' },
  );
  if (!decision.allowed) {
    return showLogin(ctx, req, res, subscription, { status: 403, login, error: decision.message, offerIms: decision.offerIms && ctx.ims !== undefined });
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
async function showShell(ctx: EngageContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const current = signedInUser(ctx, req);
  const subscription = current && getSubscription(ctx.db, current.user.subscriptionId);
  if (current && subscription) {
    sendHtml(res, 200, homePage(ctx.db, subscription, current.user, current.session.kind, '/logout', await bannerFor(ctx, req, subscription, current.user)), [ASSET_SCRIPT.hash]);
    return;
  }
  // The new address is IMS-only: someone signed in to the IMS already is signed in here without a click.
  const silent = silentSignInAllowed({ imsConfigured: ctx.ims !== undefined, cookie: parseCookies(req)[SILENT_COOKIE], forSubscription: false });
  const body = html`<div class="card"><h1>Engage</h1>
${ctx.ims ? imsButton('/auth/ims', ctx.ims.brandText) : ''}
<h2>Sign in with a password</h2><ul>${listSubscriptions(ctx.db).map((s) => html`<li><a href="/app-${s.instance}/login">${s.name}</a> <code>${s.id}</code></li>`)}</ul></div>
${silent ? silentSignIn('/auth/ims') : ''}`;
  sendHtml(res, 200, layout('Sign in', body, { script: SIGN_IN_SCRIPTS.tag }), SIGN_IN_SCRIPTS.hashes);
}

function signOut(ctx: EngageContext, req: IncomingMessage, res: ServerResponse, to: string): void {
  assertSameOrigin(req, ctx.origin);
  const current = signedInUser(ctx, req);
  if (current) endSession(ctx.db, current.token);
  addCookie(res, clearSessionCookie);
  // Signed out on purpose: no silent sign-in may take them straight back in.
  addCookie(res, silentSignInCookie({ secure: ctx.origin.startsWith('https:') }));
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
