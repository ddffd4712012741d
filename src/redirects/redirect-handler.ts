/**
 * The redirect service: answers old URLs with a 301/308 (path rules) or the fragment-forwarding page (fragment
 * rules: the browser never sends `#…`). Every target comes from compiled rules and is checked against the
 * allow-list, so nothing in a request can choose the host people are sent to (no open redirect). Unmatched old URLs
 * are counted for `GET /redirects/unmatched.json` and get a page that says where to go instead (the product's new
 * home, the help page). Mount it in Rehome's server or run it alone (redirect-server.ts).
 *
 * The request path is kept lean: rules are compiled once, matching starts with a prefix test, and the only thing
 * recorded per request is a counter.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { keptQuery, matchPath, normalizeHost, rewriteUrlParts, rulesFor } from '../core/urls/url-rules.ts';
import { checkCapture } from '../core/urls/url-encoding.ts';
import type { CompiledRule, CompiledUrlRules, RewriteResult, UrlParts } from '../core/urls/url-rule-types.ts';
import type { RequestHandler } from '../http/request-handler.ts';
import type { FragmentPageData } from './fragment-script.ts';
import { ERROR_PAGE_CSP, FRAGMENT_PAGE_CSP, renderFragmentPage, renderRefusedPage, renderUnmatchedPage, type RedirectGuide } from './redirect-pages.ts';
import type { UnmatchedLog } from './unmatched-log.ts';

export const UNMATCHED_PATH = '/redirects/unmatched.json';

export interface RedirectHandlerOptions {
  rules: CompiledUrlRules;
  /** Where unmatched old URLs are counted; none means they are not recorded. */
  unmatched?: UnmatchedLog;
  /**
   * `standalone` answers every request (a 404 page when no rule matches); `mounted` (in Rehome's server) answers
   * old URLs a rule matches and its own endpoint, counts unmatched URLs only on hosts the rules name, and, with a
   * `guide`, answers those with the unmatched page too.
   */
  mode?: 'standalone' | 'mounted';
  /** Who may read the unmatched log: `loopback` (default), `public`, or callers presenting a bearer token. */
  unmatchedAccess?: 'loopback' | 'public' | { bearerToken: string };
  /** Cache lifetime of 301/308 answers, in seconds (default 3600: a corrected rule takes effect within the hour). */
  redirectMaxAge?: number;
  /**
   * Where the error pages send people (the product's new home, the help page). In `mounted` mode it also makes the
   * service answer unmatched URLs on the old hosts with that page, instead of leaving them to the next handler.
   */
  guide?: RedirectGuide;
}

const HTML = 'text/html; charset=utf-8';

export function createRedirectHandler(options: RedirectHandlerOptions): RequestHandler {
  const { rules } = options;
  const mounted = options.mode === 'mounted';
  const cacheControl = `public, max-age=${options.redirectMaxAge ?? 3600}`;
  const allowed = rules.allowed.map((o): [string, string] => [o.protocol, o.host]);
  // One page per old host (its help link names that host's subscription), rendered on first use; other hosts
  // share one. The set of old hosts is fixed by the rules, so this stays small.
  const pages = new Map<string, { unmatched: string; refused: string }>();
  const pagesFor = (host: string): { unmatched: string; refused: string } => {
    const key = rules.oldHosts.has(host) ? host : '';
    let found = pages.get(key);
    if (!found) {
      const g = options.guide;
      // The service sends people only where its rules may: a product home outside the allow-list is not linked.
      const links = g && { productName: g.productName, productUrl: g.productUrl && isAllowed(g.productUrl, allowed) ? g.productUrl : null, helpUrl: key ? g.helpUrl?.(key) : undefined };
      found = { unmatched: renderUnmatchedPage(links), refused: renderRefusedPage(links) };
      pages.set(key, found);
    }
    return found;
  };

  function redirect(res: ServerResponse, result: Extract<RewriteResult, { kind: 'rewritten' }>): void {
    // The flat header array skips the per-key object walk of writeHead: this is the hot path.
    res.writeHead(result.status, ['location', result.url, 'cache-control', cacheControl, 'content-length', '0']);
    res.end();
  }

  function page(res: ServerResponse, status: number, body: string, csp: string, cache: string): void {
    res.writeHead(status, {
      'content-type': HTML,
      'content-security-policy': csp,
      'cache-control': cache,
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
  }

  function fragmentPage(res: ServerResponse, parts: UrlParts, candidates: CompiledRule[], captures: Record<string, string>[]): void {
    for (const c of captures) for (const name in c) if (checkCapture(c[name]!) !== null) return page(res, 400, pagesFor(parts.host).refused, ERROR_PAGE_CSP, 'no-store');
    const fallback = rewriteUrlParts(parts, rules);
    const data: FragmentPageData = {
      c: candidates.map((rule, i) => ({ id: rule.id, f: rule.fragment!.source, t: rule.target, p: captures[i]!, q: keptQuery(rule.query, parts.search) })),
      fb: fallback.kind === 'rewritten' ? fallback.url : null,
      a: allowed,
    };
    page(res, 200, renderFragmentPage(data), FRAGMENT_PAGE_CSP, 'no-store');
  }

  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const raw = req.url ?? '';
    if (raw.charCodeAt(0) !== 47) {
      // Absolute-form or asterisk request targets (RFC 9112 section 3.2) never name an old page.
      if (mounted) return false;
      page(res, 400, pagesFor('').refused, ERROR_PAGE_CSP, 'no-store');
      return true;
    }
    const hash = raw.indexOf('#');
    const target = hash < 0 ? raw : raw.slice(0, hash);
    const q = target.indexOf('?');
    const path = q < 0 ? target : target.slice(0, q);
    const search = q < 0 ? '' : target.slice(q);
    if (path === UNMATCHED_PATH) {
      serveUnmatched(req, res, options);
      return true;
    }
    const host = normalizeHost(req.headers.host ?? '');
    const list = rulesFor(host, path, rules);
    const candidates: CompiledRule[] = [];
    const captures: Record<string, string>[] = [];
    let pathRule = false;
    for (const rule of list) {
      const caps = matchPath(rule, path);
      if (caps === undefined) continue;
      if (rule.fragment === null) {
        pathRule = true;
        break;
      }
      candidates.push(rule);
      captures.push(caps);
    }
    const parts: UrlParts = { host, path, search, fragment: null };
    if (candidates.length > 0) {
      fragmentPage(res, parts, candidates, captures);
      return true;
    }
    if (pathRule) {
      const result = rewriteUrlParts(parts, rules);
      if (result.kind === 'rewritten') redirect(res, result);
      else page(res, 400, pagesFor(host).refused, ERROR_PAGE_CSP, 'no-store');
      return true;
    }
    if (mounted && !rules.oldHosts.has(host)) return false;
    options.unmatched?.record(host, path, search);
    if (mounted && !options.guide) return false;
    page(res, 404, pagesFor(host).unmatched, ERROR_PAGE_CSP, 'no-store');
    return true;
  };
}

function serveUnmatched(req: IncomingMessage, res: ServerResponse, options: RedirectHandlerOptions): void {
  const access = options.unmatchedAccess ?? 'loopback';
  const remote = req.socket.remoteAddress ?? '';
  const ok = access === 'public'
    || (access === 'loopback' && (remote === '127.0.0.1' || remote === '::1' || remote === '::ffff:127.0.0.1'))
    || (typeof access === 'object' && bearerMatches(req.headers.authorization, access.bearerToken));
  const send = (status: number, body: unknown) => {
    const text = JSON.stringify(body, null, 2);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, { error: 'method_not_allowed' });
  if (!ok) return send(403, { error: 'forbidden' });
  send(200, { entries: options.unmatched?.list() ?? [] });
}

function isAllowed(url: string, allowed: readonly [string, string][]): boolean {
  try {
    const u = new URL(url);
    return allowed.some(([protocol, host]) => u.protocol === protocol && u.host === host);
  } catch {
    return false;
  }
}

function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer (.+)$/i.exec(header ?? '');
  if (m === null) return false;
  const given = Buffer.from(m[1]!);
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
