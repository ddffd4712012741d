import { html, raw, type SafeHtml } from '../../http/html.ts';
import type { SubscriptionRef } from '../authz.ts';
import type { ConsoleSession, Flash } from '../session.ts';

export { html, raw, type SafeHtml } from '../../http/html.ts';

export type Tab = 'overview' | 'readiness' | 'status' | 'users' | 'support' | 'audit' | 'api-clients';

const TABS: { tab: Tab; label: string; path: string }[] = [
  { tab: 'overview', label: 'Overview', path: '' },
  { tab: 'readiness', label: 'Readiness', path: '/readiness' },
  { tab: 'status', label: 'Migration Status', path: '/status' },
  { tab: 'users', label: 'User Migration', path: '/users' },
  { tab: 'support', label: 'Support & links', path: '/support' },
  { tab: 'audit', label: 'Audit', path: '/audit' },
  { tab: 'api-clients', label: 'API clients', path: '/api-clients' },
];

export function subscriptionPath(id: string, rest = ''): string {
  return `/console/s/${encodeURIComponent(id)}${rest}`;
}

export interface LayoutInput {
  title: string;
  session?: ConsoleSession | undefined;
  subscription?: SubscriptionRef | undefined;
  active?: Tab;
  flash?: Flash | undefined;
  body: SafeHtml;
  /** Extra attributes for <main> (the live view reads its events URL from here). */
  live?: string;
}

/**
 * The one page frame: skip link, header with who is signed in, the subscription's tabs, a status region for the
 * outcome of the last action, and the page's own heading. Server-rendered; /console/assets/console.js only
 * enhances (live progress, select-all, confirm prompts).
 */
export function layout(input: LayoutInput): string {
  const sub = input.subscription;
  const nav = sub ? html`<nav class="tabs" aria-label="${sub.name} sections"><ul>${TABS.map((t) => html`<li><a href="${subscriptionPath(sub.id, t.path)}"${raw(t.tab === input.active ? ' aria-current="page"' : '')}>${t.label}</a></li>`)}</ul></nav>` : '';
  const signedIn = input.session
    ? html`<div class="who"><span>Signed in as <strong>${input.session.displayName}</strong>${input.session.kind === 'bootstrap' ? ' (bootstrap link)' : ''}</span>
<form method="post" action="/console/logout"><input type="hidden" name="csrf" value="${input.session.csrf}"><button type="submit" class="link">Sign out</button></form></div>`
    : '';
  // A refusal keeps its stable code (docs/errors.md) in data-code: people read the sentence, support the code.
  const code = (input.flash as (Flash & { code?: unknown }) | undefined)?.code;
  const flash = input.flash
    ? html`<div class="flash ${input.flash.kind}" role="${input.flash.kind === 'error' ? 'alert' : 'status'}" tabindex="-1" id="flash"${raw(typeof code === 'string' && /^[a-z0-9_]+$/.test(code) ? ` data-code="${code}"` : '')}>${input.flash.text}</div>`
    : html`<div class="flash-empty" role="status" id="flash"></div>`;
  return `<!doctype html>
${html`<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${input.title}${sub ? ` – ${sub.name}` : ''} – Rehome console</title>
<link rel="icon" href="/console/assets/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/console/assets/console.css">
<script src="/console/assets/console.js" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to main content</a>
<header class="top">
<div class="brand"><a href="/console/">Rehome <span>migration console</span></a></div>
${signedIn}
</header>
${sub ? html`<section class="sub-head" aria-label="Subscription"><p class="sub-name">${sub.name} <span class="sub-id">${sub.id}</span></p>${nav}</section>` : ''}
<main id="main" tabindex="-1" data-events="${input.live ?? ''}">
${flash}
<h1>${input.title}</h1>
${input.body}
</main>
<footer class="foot"><p>Rehome moves your users onto the IMS. Every action here is recorded in the audit log.</p></footer>
</body>
</html>`}`;
}

/** The hidden CSRF field every console form carries. */
export function csrfField(session: ConsoleSession): SafeHtml {
  return html`<input type="hidden" name="csrf" value="${session.csrf}">`;
}

export function emptyState(title: string, text: string | SafeHtml): SafeHtml {
  return html`<div class="empty"><p class="empty-title">${title}</p><p>${text}</p></div>`;
}
