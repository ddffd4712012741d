import { html, inlineScript, layout, type SafeHtml } from '../http/html.ts';
import type { EngageSubscription } from '../users/subscriptions.ts';

/**
 * The deep link is in the fragment, which browsers never send: this copies it into the forms so the person lands
 * where the old bookmark pointed after signing in.
 */
export const FRAGMENT_SCRIPT = inlineScript(
  `for(const f of document.querySelectorAll('input[name=fragment]'))f.value=location.hash.slice(1);`,
);

export interface LoginPageOptions {
  subscription: EngageSubscription;
  /** The IMS button text, when the IMS is configured. */
  brandText: string | undefined;
  login?: string;
  error?: string;
  notice?: string;
  /** Shown next to a refusal that the IMS button resolves. */
  offerIms?: boolean;
}

export function imsButton(action: string, brandText: string): SafeHtml {
  return html`<form method="get" action="${action}"><input type="hidden" name="fragment" value="">
<button class="ims" type="submit">${brandText}</button></form>`;
}

export function loginPage(o: LoginPageOptions): string {
  const base = `/app-${o.subscription.instance}`;
  const ims = o.brandText ? imsButton(`${base}/auth/ims`, o.brandText) : html``;
  const body = html`<div class="card"><h1>Sign in to ${o.subscription.name}</h1>
${o.error ? html`<p class="error" role="alert">${o.error}</p>` : ''}
${o.notice ? html`<p class="notice">${o.notice}</p>` : ''}
${o.offerIms && o.brandText ? ims : ''}
<form method="post" action="${base}/login">
<input type="hidden" name="fragment" value="">
<label for="login">Email or login</label><input id="login" name="login" autocomplete="username" value="${o.login ?? ''}" required>
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button></form>
${!o.offerIms && o.brandText ? html`<p>or</p>${ims}` : ''}
<p><a href="${base}/account/password-reset">Forgot your password?</a></p></div>`;
  return layout('Sign in', body, { script: FRAGMENT_SCRIPT.tag });
}
