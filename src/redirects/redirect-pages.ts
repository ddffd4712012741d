/**
 * The redirect service's pages: the fragment-forwarding page and the small error pages. Plain HTML, no external
 * resources; the only script is FRAGMENT_SCRIPT and the only style STYLE, each allowed by its hash in the
 * Content-Security-Policy.
 */
import { createHash } from 'node:crypto';
import { escapeHtml } from '../http/html.ts';
import { FRAGMENT_DATA_ID, FRAGMENT_SCRIPT, FRAGMENT_SCRIPT_HASH, scriptSafeJson, type FragmentPageData } from './fragment-script.ts';

/** The pages' one style sheet, inline and allowed by its hash like the script: people read these pages. */
const STYLE = 'body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1a1a1a}a{color:#0b57d0}li{margin:.3rem 0}';
const STYLE_HASH = `sha256-${createHash('sha256').update(STYLE).digest('base64')}`;

export const FRAGMENT_PAGE_CSP = `default-src 'none'; script-src '${FRAGMENT_SCRIPT_HASH}'; style-src '${STYLE_HASH}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;
export const ERROR_PAGE_CSP = `default-src 'none'; style-src '${STYLE_HASH}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;

function layout(title: string, head: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>${head}
</head>
<body>
<main>
<h1>${escapeHtml(title)}</h1>
${body}
</main>
</body>
</html>
`;
}

/** The page that carries the fragment over in the browser; `noscript` links to the server-side fallback. */
export function renderFragmentPage(data: FragmentPageData): string {
  const head = `
<script type="application/json" id="${FRAGMENT_DATA_ID}">${scriptSafeJson(data)}</script>
<script>${FRAGMENT_SCRIPT}</script>`;
  const fallback = data.fb === null ? '' : `<p><a id="continue" href="${escapeHtml(data.fb)}">Continue to the new address</a></p>`;
  return layout('This page has moved', head, `<p id="msg" role="status">Taking you to its new address…</p>
<noscript>${fallback || '<p>Turn on JavaScript to follow this link, or ask your administrator for its new address.</p>'}</noscript>`);
}

/**
 * Where the service's own pages send people it cannot forward: the product's new home and the subscription's
 * "What changes for me" page. Without it the pages only say to ask an administrator.
 */
export interface RedirectGuide {
  /** The product's name as its users know it ("Engage"). */
  productName: string | null;
  /** The product's new home. */
  productUrl: string | null;
  /** The help page for an old host (the one subscription its rules name), if any. */
  helpUrl?: (host: string) => string | undefined;
}

export interface GuideLinks {
  productName: string | null;
  productUrl: string | null;
  helpUrl: string | undefined;
}

function whereToGo(links: GuideLinks | undefined): string {
  if (!links || (!links.productUrl && !links.helpUrl)) return '';
  const product = links.productName ?? 'The product';
  return `<h2>Where to go now</h2>
<ul>
${links.productUrl ? `<li>${escapeHtml(product)}'s new home: <a id="product-home" href="${escapeHtml(links.productUrl)}">${escapeHtml(links.productUrl)}</a>. Sign in there and find the page from its menus.</li>\n` : ''}${links.helpUrl ? `<li><a id="help-page" href="${escapeHtml(links.helpUrl)}">What changes for you</a>: the new address, how to sign in, what happens to bookmarks.</li>\n` : ''}<li>Update the bookmark or link you came from once you have found the page.</li>
</ul>`;
}

export function renderRefusedPage(links?: GuideLinks): string {
  return layout('This link cannot be forwarded', '', `<p>The old address contains characters that cannot be carried over safely, or it would lead somewhere this service does not send people. Ask your administrator for the new address.</p>
${whereToGo(links)}`);
}

export function renderUnmatchedPage(links?: GuideLinks): string {
  return layout('This link has no new address yet', '', `<p>This old link is not known to the redirect service: it may be mistyped, or its page may not exist any more. It has been noted, without anything that identifies you, so an administrator can add it.</p>
${whereToGo(links)}`);
}
