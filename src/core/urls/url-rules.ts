/**
 * URL rules: validated and compiled once (`compileUrlRules`), then applied to old URLs (`rewriteUrl`,
 * `rewriteUrlParts`). The first rule whose host and path match, and whose fragment pattern (if any) matches, wins;
 * when none does, the first path match of a fragment rule with a `fallback` is used. Every produced URL is checked
 * against the allow-list and must not match a rule again (so rewriting is idempotent and redirects cannot loop).
 */
import { isAllowedUrl, parseAllowedOrigins } from './allowed-origins.ts';
import { checkCapture } from './url-encoding.ts';
import { compilePattern } from './url-pattern.ts';
import { compileTemplate, fillTemplate, MAX_URL_LENGTH, templateHost } from './url-template.ts';
import { UrlRulesError } from './url-rules-error.ts';
import type { AllowedOrigin, CompiledRule, CompiledUrlRules, QueryMode, RewriteResult, RuleIndex, UrlParts, UrlRule } from './url-rule-types.ts';
import { SAFE_URL } from './url-encoding.ts';

export interface CompileOptions {
  /** Joined with the file's own `allowedHosts`. */
  allowedHosts?: readonly string[];
}

/** Validates and compiles a rules file (parsed JSON). Throws UrlRulesError (`invalid_rules`) listing every problem. */
export function compileUrlRules(file: unknown, options: CompileOptions = {}): CompiledUrlRules {
  const problems: string[] = [];
  const data = (Array.isArray(file) ? { rules: file } : file) as Record<string, unknown> | null;
  if (data === null || typeof data !== 'object') throw new UrlRulesError('invalid_rules', ['rules file: must be a JSON object with "rules" (or a JSON array of rules)']);
  const allowed: AllowedOrigin[] = [
    ...(options.allowedHosts ? parseAllowedOrigins([...options.allowedHosts], 'allowedHosts (configuration)', problems) : []),
    ...(data.allowedHosts !== undefined ? parseAllowedOrigins(data.allowedHosts, 'allowedHosts', problems) : []),
  ];
  if (allowed.length === 0 && problems.length === 0) problems.push('allowedHosts: name at least one host new URLs may point to');
  if (!Array.isArray(data.rules)) {
    problems.push('rules: must be a list');
    throw new UrlRulesError('invalid_rules', problems);
  }
  const rules: CompiledRule[] = [];
  const ids = new Set<string>();
  data.rules.forEach((rule, index) => {
    const compiled = compileRule(rule, index, allowed, problems);
    if (compiled === undefined) return;
    if (ids.has(compiled.id)) problems.push(`rules[${index}].id: "${compiled.id}" is used by an earlier rule`);
    ids.add(compiled.id);
    rules.push(compiled);
  });
  if (problems.length > 0) throw new UrlRulesError('invalid_rules', problems);
  const result = indexRules(rules, allowed);
  checkExamples(data.rules as UrlRule[], result, problems);
  if (problems.length > 0) throw new UrlRulesError('invalid_rules', problems);
  return result;
}

function compileRule(raw: unknown, index: number, allowed: readonly AllowedOrigin[], problems: string[]): CompiledRule | undefined {
  const at = `rules[${index}]`;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    problems.push(`${at}: must be an object`);
    return undefined;
  }
  const rule = raw as Partial<UrlRule>;
  const before = problems.length;
  const id = rule.id === undefined ? at : rule.id;
  if (rule.id !== undefined && (typeof id !== 'string' || !/^[\w.:-]{1,80}$/.test(id))) problems.push(`${at}.id: letters, digits, . : _ - only (at most 80)`);
  const match = (rule.match ?? {}) as Partial<UrlRule['match']>;
  if (rule.match === undefined || typeof rule.match !== 'object') problems.push(`${at}.match: required (with at least a path)`);
  const hosts = match.hosts === undefined ? null : compileHosts(match.hosts, `${at}.match.hosts`, problems);
  const path = compilePattern(match.path, 'path', `${at}.match.path`, problems);
  const fragment = match.fragment === undefined ? undefined : compilePattern(match.fragment, 'fragment', `${at}.match.fragment`, problems);
  const names = [...(path?.names ?? []), ...(fragment?.names ?? [])];
  if (path && fragment && path.names.some((n) => fragment.names.includes(n))) problems.push(`${at}.match: a capture name is used in both path and fragment`);
  const ctx = { allowed, captures: names, org: rule.org, subscription: rule.subscription, rule: at };
  const target = compileTemplate(rule.target, { ...ctx, at: `${at}.target`, fragment: match.fragment !== undefined }, problems);
  let fallback: CompiledRule['fallback'] = null;
  if (rule.fallback !== undefined) {
    if (match.fragment === undefined) problems.push(`${at}.fallback: only fragment rules (match.fragment) have a fallback`);
    else fallback = compileTemplate(rule.fallback, { ...ctx, captures: path?.names ?? [], at: `${at}.fallback`, fragment: false }, problems) ?? null;
  }
  const query = compileQuery(rule.query, `${at}.query`, problems);
  if (rule.status !== undefined && rule.status !== 301 && rule.status !== 308) problems.push(`${at}.status: must be 301 or 308`);
  if (rule.examples !== undefined && !Array.isArray(rule.examples)) problems.push(`${at}.examples: must be a list of { from, to }`);
  const known = new Set(['id', 'match', 'target', 'fallback', 'org', 'subscription', 'query', 'status', 'examples']);
  for (const key of Object.keys(rule)) if (!known.has(key)) problems.push(`${at}.${key}: unknown field`);
  if (problems.length > before || !path || !target || (match.fragment !== undefined && !fragment)) return undefined;
  return {
    id: id as string,
    index,
    hosts,
    firstSegment: path.firstSegment,
    targetHosts: [...new Set([target, ...(fallback ? [fallback] : [])].map(templateHost))],
    pathPrefix: path.literalPrefix,
    path: new RegExp(path.source),
    fragment: fragment ? { re: new RegExp(fragment.source), source: fragment.source } : null,
    target,
    fallback,
    query,
    status: rule.status ?? 301,
  };
}

function compileHosts(hosts: unknown, at: string, problems: string[]): string[] | null {
  if (!Array.isArray(hosts) || hosts.length === 0) {
    problems.push(`${at}: must be a non-empty list of hosts (omit it to match any host)`);
    return null;
  }
  return hosts.map((h, i) => {
    const host = typeof h === 'string' ? normalizeHost(h) : '';
    if (!/^[a-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-f:.]+\](:\d{1,5})?$/.test(host)) problems.push(`${at}[${i}]: ${JSON.stringify(h)} is not a host or host:port`);
    return host;
  });
}

function compileQuery(query: unknown, at: string, problems: string[]): QueryMode {
  if (query === undefined || query === 'drop') return { mode: 'drop' };
  if (query === 'keep') return { mode: 'keep', names: null };
  const keep = (query as { keep?: unknown } | null)?.keep;
  if (Array.isArray(keep) && keep.every((k) => typeof k === 'string' && k !== '')) return { mode: 'keep', names: keep as string[] };
  problems.push(`${at}: must be "drop", "keep" or { "keep": ["name", ...] }`);
  return { mode: 'drop' };
}

/** Lower-cases and drops the default ports, as `URL.host` would write the host. */
export function normalizeHost(host: string): string {
  return host.toLowerCase().replace(/:(80|443)$/, '');
}

function indexRules(rules: CompiledRule[], allowed: AllowedOrigin[]): CompiledUrlRules {
  const oldHosts = new Set(rules.flatMap((r) => r.hosts ?? []));
  const byHost = new Map<string, RuleIndex>();
  for (const host of oldHosts) byHost.set(host, buildIndex(rules.filter((r) => r.hosts === null || r.hosts.includes(host))));
  // Only a URL on a host some rule can match might loop; usually the new host is not an old one.
  const mayLoop = rules.some((r) => r.hosts === null || r.targetHosts.some((h) => oldHosts.has(h)));
  const targetPrefixes = [...new Set(rules.flatMap((r) => [r.target, ...(r.fallback ? [r.fallback] : [])]).map((t) => (typeof t[0] === 'string' ? t[0] : '')).filter((p) => p !== ''))];
  return { rules, allowed, oldHosts, byHost, anyHost: buildIndex(rules.filter((r) => r.hosts === null)), mayLoop, targetPrefixes };
}

function buildIndex(rules: CompiledRule[]): RuleIndex {
  const other = rules.filter((r) => r.firstSegment === null);
  const bySegment = new Map<string, CompiledRule[]>();
  for (const rule of rules) {
    if (rule.firstSegment !== null && !bySegment.has(rule.firstSegment)) {
      bySegment.set(rule.firstSegment, rules.filter((r) => r.firstSegment === null || r.firstSegment === rule.firstSegment));
    }
  }
  return { bySegment, other, all: rules };
}

function checkExamples(raw: UrlRule[], compiled: CompiledUrlRules, problems: string[]): void {
  raw.forEach((rule, index) => {
    (rule.examples ?? []).forEach((example, j) => {
      const at = `rules[${index}].examples[${j}]`;
      if (typeof example?.from !== 'string' || (example.to !== null && typeof example.to !== 'string')) {
        problems.push(`${at}: must be { "from": "old URL", "to": "new URL" or null }`);
        return;
      }
      const result = rewriteUrl(example.from, compiled);
      const got = result.kind === 'rewritten' ? result.url : null;
      if (got !== example.to) problems.push(`${at}: ${example.from} gives ${got ?? result.kind + (result.kind === 'refused' ? ` (${result.reason})` : '')}, expected ${example.to ?? 'unmatched'}`);
    });
  });
}

/** Rewrites one absolute URL; anything that does not parse as an http(s) URL is `unmatched`. */
export function rewriteUrl(url: string, compiled: CompiledUrlRules): RewriteResult {
  const parts = splitUrl(url);
  return parts === undefined ? { kind: 'unmatched' } : rewriteUrlParts(parts, compiled);
}

/** Splits an absolute http(s) URL as browsers read it. */
export function splitUrl(url: string): UrlParts | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return undefined;
  // An empty fragment counts as none, as `location.hash` in the browser (the fragment page) reports it.
  return { host: parsed.host, path: parsed.pathname, search: parsed.search, fragment: parsed.hash === '' ? null : parsed.hash.slice(1) };
}

export function rewriteUrlParts(parts: UrlParts, compiled: CompiledUrlRules): RewriteResult {
  const first = applyRules(parts, compiled);
  if (first.kind !== 'rewritten') return first;
  if (!compiled.mayLoop) return first;
  const again = splitUrl(first.url);
  if (again !== undefined && applyRules(again, compiled).kind !== 'unmatched') return { kind: 'refused', reason: 'would_loop', ruleId: first.ruleId };
  return first;
}

/** The rules that can match `path` on `host`, in file order. */
export function rulesFor(host: string, path: string, compiled: CompiledUrlRules): readonly CompiledRule[] {
  const index = compiled.byHost.get(host) ?? compiled.anyHost;
  if (index.bySegment.size === 0) return index.other;
  const slash = path.indexOf('/', 1);
  return index.bySegment.get(slash < 0 ? path.slice(1) : path.slice(1, slash)) ?? index.other;
}

function applyRules(parts: UrlParts, compiled: CompiledUrlRules): RewriteResult {
  let fallbackRule: CompiledRule | undefined;
  let fallbackCaptures: Record<string, string> | undefined;
  for (const rule of rulesFor(parts.host, parts.path, compiled)) {
    const captures = matchPath(rule, parts.path);
    if (captures === undefined) continue;
    if (rule.fragment !== null) {
      const m = parts.fragment === null ? null : rule.fragment.re.exec(parts.fragment);
      if (m === null) {
        if (fallbackRule === undefined && rule.fallback !== null) {
          fallbackRule = rule;
          fallbackCaptures = captures;
        }
        continue;
      }
      Object.assign(captures, m.groups);
      captures.fragment = parts.fragment!;
    }
    return buildUrl(rule, rule.target, captures, parts.search, compiled.allowed, false);
  }
  if (fallbackRule !== undefined) return buildUrl(fallbackRule, fallbackRule.fallback!, fallbackCaptures!, parts.search, compiled.allowed, true);
  return { kind: 'unmatched' };
}

/** The path captures when `rule` matches `path`, else undefined. */
export function matchPath(rule: CompiledRule, path: string): Record<string, string> | undefined {
  if (!path.startsWith(rule.pathPrefix)) return undefined;
  const m = rule.path.exec(path);
  if (m === null) return undefined;
  // A fresh object per exec: callers may add to it.
  return m.groups ?? {};
}

/** Fills a template and checks the result; shared with the redirect service's fragment page. */
export function buildUrl(rule: CompiledRule, template: CompiledRule['target'], captures: Record<string, string>, search: string, allowed: readonly AllowedOrigin[], fallback: boolean): RewriteResult {
  for (const name in captures) {
    const problem = checkCapture(captures[name]!);
    if (problem !== null) return { kind: 'refused', reason: problem, ruleId: rule.id };
  }
  let url = fillTemplate(template, captures);
  const query = keptQuery(rule.query, search);
  if (query !== '') url = insertQuery(url, query);
  if (url.length > MAX_URL_LENGTH) return { kind: 'refused', reason: 'too_long', ruleId: rule.id };
  if (!SAFE_URL.test(url)) return { kind: 'refused', reason: 'unsafe_url', ruleId: rule.id };
  if (!isAllowedUrl(url, allowed)) return { kind: 'refused', reason: 'host_not_allowed', ruleId: rule.id };
  return { kind: 'rewritten', url, ruleId: rule.id, status: rule.status, fallback };
}

/** The part of `search` (with `?`) the rule keeps, without the `?`; empty when nothing is kept. */
export function keptQuery(mode: QueryMode, search: string): string {
  if (mode.mode === 'drop' || search.length <= 1) return '';
  if (mode.names === null) return search.slice(1);
  let out = '';
  let start = 1;
  while (start < search.length) {
    let end = search.indexOf('&', start);
    if (end < 0) end = search.length;
    const eq = search.indexOf('=', start);
    const name = search.slice(start, eq < 0 || eq > end ? end : eq);
    if (mode.names.includes(name) || ((name.includes('%') || name.includes('+')) && mode.names.includes(decodeName(name)))) {
      out += out === '' ? search.slice(start, end) : `&${search.slice(start, end)}`;
    }
    start = end + 1;
  }
  return out;
}

function decodeName(name: string): string {
  try {
    return decodeURIComponent(name.replace(/\+/g, ' '));
  } catch {
    return '';
  }
}

/** Puts `query` before the fragment, after any query the target already has. */
export function insertQuery(url: string, query: string): string {
  const hash = url.indexOf('#');
  const head = hash < 0 ? url : url.slice(0, hash);
  const tail = hash < 0 ? '' : url.slice(hash);
  return `${head}${head.includes('?') ? '&' : '?'}${query}${tail}`;
}
