import type { IncomingMessage, ServerResponse } from 'node:http';
import { BANNER_COOKIE, dismissBannerCookie, migrationBanner, type MigrationNotice } from 'rehome/product-kit';
import type { EngageContext } from '../engage-context.ts';
import { html, type SafeHtml } from '../http/html.ts';
import { addCookie, assertSameOrigin, parseCookies, readForm, redirect } from '../http/http-io.ts';
import type { EngageSubscription } from '../users/subscriptions.ts';
import type { EngageUser } from '../users/user-records.ts';

export const DISMISS_PATH = '/migration-banner/dismiss';

/** The subscription's move as Rehome announces it, when Engage knows where Rehome is. */
export async function noticeFor(ctx: EngageContext, subscription: EngageSubscription): Promise<MigrationNotice | undefined> {
  return ctx.notices?.get(subscription.id);
}

/**
 * The banner on Engage's pages from the announcement until the move (`rehome/product-kit`'s `migrationBanner`):
 * what happens when, what to do, the help page, and a "Dismiss" that this browser remembers.
 */
export async function bannerFor(ctx: EngageContext, req: IncomingMessage, subscription: EngageSubscription, user?: EngageUser): Promise<SafeHtml> {
  const banner = migrationBanner(await noticeFor(ctx, subscription), { dismissed: parseCookies(req)[BANNER_COOKIE], userMoved: user?.loginMode === 'ims' });
  if (!banner) return html``;
  const back = new URL(req.url ?? '/', ctx.origin).pathname;
  return html`<aside class="banner" id="migration-banner" aria-label="Sign-in change">
<p><strong>${banner.headline}</strong> ${banner.todo} <a href="${banner.helpUrl}">${banner.helpText}</a></p>
<form method="post" action="${DISMISS_PATH}"><input type="hidden" name="key" value="${banner.key}"><input type="hidden" name="back" value="${back}">
<button type="submit" class="dismiss">Dismiss</button></form></aside>`;
}

/** `POST /migration-banner/dismiss`: remembers the dismissal in this browser and goes back to the page. */
export async function handleBannerRoutes(ctx: EngageContext, req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
  if (url.pathname !== DISMISS_PATH || req.method !== 'POST') return false;
  assertSameOrigin(req, ctx.origin);
  const form = await readForm(req);
  const key = form.get('key') ?? '';
  if (key) addCookie(res, dismissBannerCookie(key, parseCookies(req)[BANNER_COOKIE], { secure: ctx.origin.startsWith('https:') }));
  const back = form.get('back') ?? '/';
  // Only Engage's own pages (a path, never `//host`): the form is not a way to send people elsewhere.
  redirect(res, /^\/(?![/\\])[\w\-./@:~]*$/.test(back) ? back : '/');
  return true;
}
