/**
 * Old links inside free text (report subscription bodies, bookmarks, email templates): plain URLs, HTML
 * attributes (`href="…"`, entities decoded) and markdown links. Only the characters of a URL some rule rewrote are
 * replaced; everything else is left byte for byte. Rewriting is idempotent: the result is re-read and any link
 * whose replacement would change again on a second run is put back and reported as `would_loop`.
 */
import { rewriteUrl, splitUrl } from './url-rules.ts';
import type { CompiledUrlRules, RewriteResult } from './url-rule-types.ts';

export type LinkContext = 'attribute' | 'markdown' | 'angle' | 'plain';

export interface FoundLink {
  /** Offsets of the URL as written in the text (end exclusive). */
  start: number;
  end: number;
  context: LinkContext;
  /** The URL as a browser would read it (HTML entities decoded in attributes). */
  url: string;
  /** Quote around an attribute value, for re-encoding. */
  quote?: '"' | "'";
}

export interface LinkRewrite extends FoundLink {
  result: RewriteResult;
  /**
   * True when a rule names the URL's host (or some rule matches any host) and the URL is not already in the new
   * shape (it does not start like a target): an unmatched one needs a rule.
   */
  knownHost: boolean;
  /** What was written in place of the URL, when it was rewritten. */
  replacement?: string;
}

export interface TextRewrite {
  text: string;
  changed: boolean;
  links: LinkRewrite[];
}

const START = /https?:\/\//gi;
const ATTRIBUTE_BEFORE = /\b(?:href|src|action|formaction|cite|data-href)\s*=\s*(["'])$/i;
const PLAIN_STOP = /[\s<>"'`]/;
const TRAILING = /[.,;:!?*_~'"]/;
const MAX_URL = 8192;

/** Every http(s) URL in `text`, outermost only, in order. */
export function findLinks(text: string): FoundLink[] {
  const links: FoundLink[] = [];
  START.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = START.exec(text)) !== null) {
    const start = m.index;
    if (start > 0 && /[A-Za-z0-9+.-]/.test(text[start - 1]!)) continue;
    const link = readLink(text, start);
    if (link !== undefined) {
      links.push(link);
      START.lastIndex = Math.max(link.end, start + 1);
    }
  }
  return links;
}

function readLink(text: string, start: number): FoundLink | undefined {
  const before = text.slice(Math.max(0, start - 40), start);
  const attribute = ATTRIBUTE_BEFORE.exec(before);
  if (attribute !== null) {
    const quote = attribute[1] as '"' | "'";
    const close = text.indexOf(quote, start);
    const end = close < 0 || close - start > MAX_URL ? -1 : close;
    if (end < 0 || /[<>\s]/.test(text.slice(start, end).trim())) return undefined;
    return { start, end, context: 'attribute', url: decodeEntities(text.slice(start, end)), quote };
  }
  if (text[start - 1] === '<') {
    const end = text.indexOf('>', start);
    if (end > start && !/\s/.test(text.slice(start, end))) return { start, end, context: 'angle', url: text.slice(start, end) };
  }
  let end = start;
  while (end < text.length && end - start < MAX_URL && !PLAIN_STOP.test(text[end]!)) end++;
  const markdown = before.endsWith('](');
  end = trimTrailing(text, start, end, markdown);
  if (end <= text.indexOf('//', start) + 2) return undefined;
  return { start, end, context: markdown ? 'markdown' : 'plain', url: text.slice(start, end) };
}

/** Trailing punctuation ends a sentence, not the URL; a `)` only belongs to the URL when it closes a `(` in it. */
function trimTrailing(text: string, start: number, end: number, markdown: boolean): number {
  for (;;) {
    const last = text[end - 1]!;
    if (TRAILING.test(last)) {
      end--;
      continue;
    }
    if (last === ')' || last === ']') {
      const open = last === ')' ? '(' : '[';
      const body = text.slice(start, end);
      const opens = body.split(open).length - 1;
      const closes = body.split(last).length - 1;
      if (closes > opens || (markdown && last === ')' && closes >= opens)) {
        end--;
        continue;
      }
    }
    return end;
  }
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(value: string): string {
  return value.replace(/&(#\d{1,7}|#x[0-9a-f]{1,6}|[a-z]+);/gi, (whole, body: string) => {
    if (body[0] === '#') {
      const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[body.toLowerCase()] ?? whole;
  });
}

/** How a rewritten URL is written back into its context. */
function encodeFor(link: FoundLink, url: string): string {
  if (link.context === 'attribute') return url.replace(/&/g, '&amp;').replace(/'/g, '&#39;');
  // A markdown destination ends at an unbalanced ")": percent-encode parentheses there.
  if (link.context === 'markdown') return url.replace(/\(/g, '%28').replace(/\)/g, '%29');
  return url;
}

function knownHost(url: string, compiled: CompiledUrlRules): boolean {
  if (compiled.targetPrefixes.some((p) => url.startsWith(p))) return false;
  if (compiled.anyHost.all.length > 0) return true;
  const parts = splitUrl(url);
  return parts !== undefined && compiled.oldHosts.has(parts.host);
}

/** Rewrites every old link in `text`; links that are not rewritten are reported and left as they were. */
export function rewriteLinksInText(text: string, compiled: CompiledUrlRules): TextRewrite {
  const links: LinkRewrite[] = findLinks(text).map((link) => {
    const result = rewriteUrl(link.url, compiled);
    const out: LinkRewrite = { ...link, result, knownHost: knownHost(link.url, compiled) };
    if (result.kind === 'rewritten') {
      const replacement = encodeFor(link, result.url);
      if (replacement !== text.slice(link.start, link.end)) out.replacement = replacement;
    }
    return out;
  });
  // Put back, one round at a time, every replacement that a second run would change again.
  for (let round = 0; round < 5; round++) {
    const next = splice(text, links);
    const unstable = unstableSpans(next.text, compiled);
    if (unstable.length === 0) return { text: next.text, changed: next.text !== text, links };
    let reverted = false;
    next.spans.forEach((span, i) => {
      if (span === null || !unstable.some(([s, e]) => s < span[1] && e > span[0])) return;
      const link = links[i]!;
      const ruleId = link.result.kind === 'rewritten' ? link.result.ruleId : '';
      link.result = { kind: 'refused', reason: 'would_loop', ruleId };
      delete link.replacement;
      reverted = true;
    });
    if (!reverted) break;
  }
  for (const link of links) {
    if (link.replacement === undefined) continue;
    const ruleId = link.result.kind === 'rewritten' ? link.result.ruleId : '';
    link.result = { kind: 'refused', reason: 'would_loop', ruleId };
    delete link.replacement;
  }
  return { text, changed: false, links };
}

function splice(text: string, links: readonly LinkRewrite[]): { text: string; spans: ([number, number] | null)[] } {
  let out = '';
  let at = 0;
  const spans: ([number, number] | null)[] = [];
  for (const link of links) {
    if (link.replacement === undefined) {
      spans.push(null);
      continue;
    }
    out += text.slice(at, link.start);
    spans.push([out.length, out.length + link.replacement.length]);
    out += link.replacement;
    at = link.end;
  }
  return { text: out + text.slice(at), spans };
}

/** Spans of `text` a further run would rewrite. */
function unstableSpans(text: string, compiled: CompiledUrlRules): [number, number][] {
  const out: [number, number][] = [];
  for (const link of findLinks(text)) {
    const result = rewriteUrl(link.url, compiled);
    if (result.kind === 'rewritten' && encodeFor(link, result.url) !== text.slice(link.start, link.end)) out.push([link.start, link.end]);
  }
  return out;
}
