import { html, inlineScript, layout, type SafeHtml } from '../http/html.ts';
import type { EngageSubscription } from '../users/subscriptions.ts';

/**
 * The deep link is in the fragment, which browsers never send: this copies it into the forms so the person lands
 * where the old bookmark pointed after signing in.
 */
export const FRAGMENT_SCRIPT = inlineScript(
  `for(const f of document.querySelectorAll('input[name=fragment]'))f.value=location.hash.slice(1);`,
);

/**
 * A silent "Continue with IMS" (`prompt=none`, see rehome/product-kit's silentSignInAllowed): the page carries the
 * start URL only when the server decided to try, and the script adds the deep link the server never sees.
 */
export const SILENT_SCRIPT = inlineScript(
  `const s=document.getElementById('silent-sign-in');if(s)location.replace(s.dataset.href+'&fragment='+encodeURIComponent(location.hash.slice(1)));`,
);

/** The scripts of a sign-in page and their CSP hashes. */
export const SIGN_IN_SCRIPTS = { tag: html`${FRAGMENT_SCRIPT.tag}${SILENT_SCRIPT.tag}`, hashes: [FRAGMENT_SCRIPT.hash, SILENT_SCRIPT.hash] };

/** The marker that makes SILENT_SCRIPT start a silent sign-in at `start` (e.g. `/auth/ims`). */
export function silentSignIn(start: string): SafeHtml {
  return html`<span id="silent-sign-in" data-href="${start}?silent=1" hidden></span>`;
}

export interface LoginPageOptions {
  subscription: EngageSubscription;
  /** The IMS button text, when the IMS is configured. */
  brandText: string | undefined;
  login?: string;
  error?: string;
  notice?: string;
  /** Shown next to a refusal that the IMS button resolves. */
  offerIms?: boolean;
  /** The migration banner (web/migration-banner.ts). */
  banner?: SafeHtml;
  /** Try a silent IMS sign-in first (see `silentSignIn`). */
  silent?: boolean;
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
<p><a href="${base}/account/password-reset">Forgot your password?</a></p></div>
${o.silent && o.brandText ? silentSignIn(`${base}/auth/ims`) : ''}`;
  return layout('Sign in', body, { script: SIGN_IN_SCRIPTS.tag, ...(o.banner ? { banner: o.banner } : {}) });
}
