import type { IncomingMessage, ServerResponse } from 'node:http';
import { isProductKitError, silentSignInCookie } from 'rehome/product-kit';
import { createSession, sessionCookie } from '../auth/sessions.ts';
import type { EngageContext } from '../engage-context.ts';
import { html, layout } from '../http/html.ts';
import { addCookie, parseCookies, redirect, sendHtml } from '../http/http-io.ts';
import { findSubscriptionByInstance, getSubscription } from '../users/subscriptions.ts';
import { getUser, isLockedNow, recordLastLogin } from '../users/user-records.ts';
import { newShellLocation, safeFragment } from './app-routes.ts';

export const CALLBACK_PATH = '/auth/ims/callback';
const LOGIN_COOKIE = 'engage_ims_login';
const NOT_CONNECTED = 'You signed in, but your account is not connected to a user here. Contact your subscription\'s administrator and ask them to add you.';

/**
 * "Continue with IMS" through the product kit: start (`/auth/ims`, or `/app-<instance>/auth/ims` to say which
 * subscription) and the callback. The IMS proves who the person is; Engage's own link table says which user that is,
 * and Engage's own tables keep deciding what they may do: the sign-in writes no role, workspace or partition.
 */
export async function handleImsRoutes(ctx: EngageContext, req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
  if (req.method !== 'GET') return false;
  const start = /^(?:\/app-([a-z0-9]+))?\/auth\/ims$/.exec(url.pathname);
  if (start) {
    const instance = start[1];
    if (instance !== undefined && !findSubscriptionByInstance(ctx.db, instance)) return false;
    await startImsLogin(ctx, res, instance, safeFragment(url.searchParams.get('fragment')), url.searchParams.get('silent') === '1');
    return true;
  }
  if (url.pathname === CALLBACK_PATH) {
    await finishImsLogin(ctx, req, res, url);
    return true;
  }
  return false;
}

async function startImsLogin(ctx: EngageContext, res: ServerResponse, instance: string | undefined, fragment: string, silent: boolean): Promise<void> {
  if (!ctx.ims) return sendHtml(res, 404, layout('Sign in', html`<p class="error">This Engage has no IMS sign-in configured.</p>`));
  const started = await ctx.ims.kit.startLogin({ returnTo: fragment ? `/#${fragment}` : '/', ...(instance ? { context: instance } : {}), silent });
  addCookie(res, `${LOGIN_COOKIE}=${started.cookieState}; Path=${CALLBACK_PATH}; HttpOnly; SameSite=Lax; Max-Age=600`);
  // Once per browser session: a person without an IMS session comes back to the sign-in page, which must not loop.
  if (silent) addCookie(res, silentSignInCookie({ secure: ctx.origin.startsWith('https:') }));
  redirect(res, started.url);
}

async function finishImsLogin(ctx: EngageContext, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  if (!ctx.ims) return sendHtml(res, 404, layout('Sign in', html`<p class="error">This Engage has no IMS sign-in configured.</p>`));
  addCookie(res, `${LOGIN_COOKIE}=; Path=${CALLBACK_PATH}; HttpOnly; SameSite=Lax; Max-Age=0`);
  let finished;
  try {
    finished = await ctx.ims.kit.finishLogin(new URL(`${url.pathname}${url.search}`, ctx.origin), parseCookies(req)[LOGIN_COOKIE]);
  } catch (error) {
    if (!isProductKitError(error)) throw error;
    // A silent attempt that did not sign anyone in (no IMS session, or an IMS account Engage does not know): the
    // sign-in page, where the person started, as if nothing had happened.
    if (error.login?.silent) return redirect(res, signInPageOf(error.login.context, error.login.returnTo));
    const status = error.code === 'not_linked' ? 403 : error.code === 'ims_unavailable' ? 503 : 400;
    // Anyone with an IMS account can reach this answer for any subscription: it names no person (the kit's message
    // and `whoToAsk` list the subscription's admins, which are for people Engage already knows).
    const text = error.code === 'not_linked' ? NOT_CONNECTED : error.message;
    return sendHtml(res, status, layout('Sign in', html`<div class="card"><h1>Sign-in did not complete</h1>
<p class="error" role="alert" data-code="${error.code}">${text}</p><p><a href="/">Back to sign-in</a></p></div>`));
  }
  const user = getUser(ctx.db, finished.productUserId);
  const subscription = user && getSubscription(ctx.db, user.subscriptionId);
  if (!user || !subscription || user.status !== 'active' || user.apiOnly || isLockedNow(user, ctx.now())) {
    return sendHtml(res, 403, layout('Sign in', html`<div class="card"><p class="error" role="alert" data-code="inactive">This Engage user cannot sign in (deactivated, locked or API-only).</p></div>`));
  }
  // One commit for the session and the last-login time.
  const token = ctx.db.transaction(() => {
    recordLastLogin(ctx.db, user.id, ctx.now().toISOString());
    return createSession(ctx.db, user.id, 'ims', ctx.now());
  });
  addCookie(res, sessionCookie(token));
  redirect(res, newShellLocation(subscription, safeFragment((finished.returnTo ?? '').replace(/^\/#?/, ''))));
}

/** Where a silent sign-in that failed goes back to: the old sign-in page it started from, or the new address. */
function signInPageOf(instance: string | undefined, returnTo: string | undefined): string {
  const fragment = safeFragment((returnTo ?? '').replace(/^\/#?/, ''));
  return `${instance && /^[a-z0-9]+$/.test(instance) ? `/app-${instance}/login` : '/'}${fragment ? `#${fragment}` : ''}`;
}
