/**
 * URL rules as data: what an admin writes in a rules file (JSON), and what `compileUrlRules` makes of it.
 * Syntax and examples: docs/urls-and-links.md.
 */

/** A rules file. `allowedHosts` may also come from configuration; both lists are joined. */
export interface UrlRulesFile {
  /** Where rewritten URLs may point: hosts (`new.example`, `new.example:8443`, https only) or origins (`http://127.0.0.1:4000`). */
  allowedHosts?: string[];
  rules: UrlRule[];
}

export interface UrlRule {
  /** Names the rule in reports and logs; defaults to `rules[i]`. */
  id?: string;
  match: {
    /** Old hosts (`host` or `host:port`, lower case); absent means any host. */
    hosts?: string[];
    /**
     * Path pattern: literal text with `{name}` (one segment), `{name*}` (the rest, may be empty) or `{name:REGEX}`.
     * A pattern ending in `/` also matches the path without that slash.
     */
    path: string;
    /**
     * Fragment pattern (same syntax, matched against the whole fragment without `#`). A rule with a fragment pattern
     * is a fragment rule: the browser never sends the fragment, so the redirect service answers with a page.
     */
    fragment?: string;
  };
  /**
   * The new URL: a literal `scheme://host[:port]` followed by text and placeholders `{org}`, `{subscription}`,
   * `{fragment}` (the whole old fragment, fragment rules only) and `{capture.NAME}`.
   */
  target: string;
  /** Where a fragment rule sends a URL whose fragment is missing or does not match (no `{fragment}` here). */
  fallback?: string;
  /** IMS organization slug for `{org}`. */
  org?: string;
  /** Product subscription id for `{subscription}`. */
  subscription?: string;
  /** The old query string: dropped (default), kept, or only the named parameters kept. */
  query?: 'drop' | 'keep' | { keep: string[] };
  /** HTTP status of the redirect for path rules: 301 (default) or 308. */
  status?: 301 | 308;
  /** Checked when the rules are compiled: `from` must rewrite to exactly `to` (or stay unmatched when `to` is null). */
  examples?: { from: string; to: string | null }[];
}

/** One piece of a compiled template: literal text, or a value inserted (percent-encoded for its section). */
export type TemplatePart = string | { capture: string; section: UrlSection };

/** Where in the URL a placeholder sits; it decides which characters are encoded. */
export type UrlSection = 'path' | 'query' | 'fragment';

export type QueryMode = { mode: 'drop' } | { mode: 'keep'; names: readonly string[] | null };

/** A rule ready to run: regexes built once, constants (`{org}`, `{subscription}`) already inserted. */
export interface CompiledRule {
  id: string;
  index: number;
  hosts: readonly string[] | null;
  /** The literal first path segment, or null when the pattern captures there (see RuleIndex). */
  firstSegment: string | null;
  /** Hosts the target and fallback point to (`URL.host`), for the cheap loop check. */
  targetHosts: readonly string[];
  /** Cheap test before the regex: every matching path starts with it. */
  pathPrefix: string;
  path: RegExp;
  fragment: { re: RegExp; source: string } | null;
  target: readonly TemplatePart[];
  fallback: readonly TemplatePart[] | null;
  query: QueryMode;
  status: 301 | 308;
}

export interface AllowedOrigin {
  /** `https:` or `http:`. */
  protocol: string;
  /** `host` or `host:port`, as `URL.host` writes it. */
  host: string;
}

/**
 * The rules one host can use, by first path segment: a path can only match rules with its own first segment or
 * with none (a capture there), so a request looks at a handful of rules however many instances there are.
 * Lists keep file order.
 */
export interface RuleIndex {
  bySegment: ReadonlyMap<string, readonly CompiledRule[]>;
  /** Rules without a literal first segment: the list for any other segment. */
  other: readonly CompiledRule[];
  /** Every rule of this host, in file order. */
  all: readonly CompiledRule[];
}

export interface CompiledUrlRules {
  rules: readonly CompiledRule[];
  allowed: readonly AllowedOrigin[];
  /** Old hosts some rule names. */
  oldHosts: ReadonlySet<string>;
  /** Per old host named by a rule; `anyHost` for every other host (rules without `match.hosts`). */
  byHost: ReadonlyMap<string, RuleIndex>;
  anyHost: RuleIndex;
  /** Whether some target could match a rule again (checked per URL only then). */
  mayLoop: boolean;
  /** The literal start of every target and fallback: a URL starting with one is already in the new shape. */
  targetPrefixes: readonly string[];
}

/** An old URL split the way both the rewriter (WHATWG URL) and the redirect service (request line) can give it. */
export interface UrlParts {
  /** Lower case, with the port when it is not the default one. */
  host: string;
  /** Raw (percent-encoded) path, starting with `/`. */
  path: string;
  /** Raw query including `?`, or empty. */
  search: string;
  /** Raw fragment without `#`; null when the URL has none or an empty one (as `location.hash` reads it). */
  fragment: string | null;
}

export type RefusalReason = 'unsafe_capture' | 'bad_encoding' | 'host_not_allowed' | 'unsafe_url' | 'too_long' | 'would_loop';

export type RewriteResult =
  | { kind: 'rewritten'; url: string; ruleId: string; status: 301 | 308; fallback: boolean }
  | { kind: 'unmatched' }
  | { kind: 'refused'; reason: RefusalReason; ruleId: string };
