import type { SubscriptionRef } from '../authz.ts';
import { emptyState, html, subscriptionPath, type SafeHtml } from './layout.ts';
import { subscriptionStateLabel } from './labels.ts';

export function renderHomePage(subs: SubscriptionRef[]): SafeHtml {
  if (subs.length === 0) {
    return emptyState('No subscription to manage', 'This IMS account is not an admin of any subscription being migrated. Admins of a subscription are migrated first and can then sign in here; until then, use the one-time link your Rehome operator gives you.');
  }
  return html`<p>Choose the subscription to work on.</p>
<ul class="subs">${subs.map((s) => html`<li><a href="${subscriptionPath(s.id)}">${s.name}</a> <span class="sub-id">${s.id}</span> — ${subscriptionStateLabel(s.state)}</li>`)}</ul>`;
}

export function renderSignInPage(input: { available: boolean; returnTo: string }): SafeHtml {
  return html`<p>Subscription admins move their users onto the IMS here: check readiness, pick the date, migrate, and confirm.</p>
${input.available ? html`<p><a class="button" href="/console/login?return_to=${encodeURIComponent(input.returnTo)}">Sign in with the IMS</a></p>`
    : html`<p class="flash error">Sign-in through the IMS is not set up on this server (the console is not registered as an IMS client).</p>`}
<p class="hint">Before any admin of your subscription has migrated, use the one-time link printed by <code>rehome serve</code>.</p>`;
}

export function renderMessage(text: string, link?: { href: string; label: string }): SafeHtml {
  return html`<p>${text}</p>${link ? html`<p><a href="${link.href}">${link.label}</a></p>` : ''}`;
}
