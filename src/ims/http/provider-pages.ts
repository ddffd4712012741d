import type { KoaContextWithOIDC } from 'oidc-provider';
import type { ImsConfig } from '../ims-config.ts';
import { html, page, raw } from '../../http/html.ts';

/** RP-initiated logout confirmation; `form` is oidc-provider's hidden form (it carries its own xsrf token). */
export function renderLogoutPage(ctx: KoaContextWithOIDC, form: string, config: ImsConfig): void {
  ctx.type = 'html';
  ctx.body = page({
    title: 'Sign out',
    productName: config.productName,
    body: html`${raw(form)}<p>Do you want to sign out of ${config.productName}?</p>
<button form="op.logoutForm" type="submit" name="logout" value="yes">Sign out</button>
<button form="op.logoutForm" type="submit" class="secondary">Stay signed in</button>`,
  });
}

export function renderLogoutSuccessPage(ctx: KoaContextWithOIDC, config: ImsConfig): void {
  ctx.type = 'html';
  ctx.body = page({ title: 'Signed out', productName: config.productName, body: html`<p>You are signed out.</p>` });
}

/** Provider errors: shows the OAuth error code and description only (never stack traces or causes). */
export function renderErrorPage(ctx: KoaContextWithOIDC, out: { error: string; error_description?: string }, _error: unknown, config: ImsConfig): void {
  ctx.type = 'html';
  ctx.body = page({
    title: 'Something went wrong',
    productName: config.productName,
    error: out.error_description ?? 'The request could not be completed.',
    body: html`<p>Error code: <code>${out.error}</code></p>`,
  });
}
