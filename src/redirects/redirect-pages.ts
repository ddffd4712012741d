/**
 * The redirect service's pages: the fragment-forwarding page and the small error pages. Plain HTML, no external
 * resources; the only script is FRAGMENT_SCRIPT, allowed by its hash in the Content-Security-Policy.
 */
import { escapeHtml } from '../http/html.ts';
import { FRAGMENT_DATA_ID, FRAGMENT_SCRIPT, FRAGMENT_SCRIPT_HASH, scriptSafeJson, type FragmentPageData } from './fragment-script.ts';

export const FRAGMENT_PAGE_CSP = `default-src 'none'; script-src '${FRAGMENT_SCRIPT_HASH}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;
export const ERROR_PAGE_CSP = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

function layout(title: string, head: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title>${head}
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

export function renderRefusedPage(): string {
  return layout('This link cannot be forwarded', '', '<p>The old address contains characters that cannot be carried over safely, or it would lead somewhere this service does not send people. Ask your administrator for the new address.</p>');
}

export function renderUnmatchedPage(): string {
  return layout('This link has no new address yet', '', '<p>This old link is not known to the redirect service. It has been noted so an administrator can add it; ask them for the new address meanwhile.</p>');
}
