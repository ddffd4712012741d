/**
 * Old URLs no rule matched, so an admin can add rules. Only the path is kept, and only as a pattern (numbers and
 * long ids replaced), with the names of query parameters but never their values: links carry tokens. Counting is
 * a map increment, cheap enough for the request path; the number of patterns is bounded.
 */

export interface UnmatchedEntry {
  host: string;
  /** The path with ids replaced: `/app-ab12/report/{n}`. */
  pattern: string;
  count: number;
  /** Names of query parameters seen (values are never kept), at most 20. */
  queryNames: string[];
  firstSeen: string;
  lastSeen: string;
}

/** The port the redirect service logs to; an adapter may persist it. */
export interface UnmatchedLog {
  record(host: string, path: string, search: string): void;
  /** Entries by count, highest first. */
  list(): UnmatchedEntry[];
}

const MAX_PATTERNS = 1000;
const MAX_QUERY_NAMES = 20;
const OTHER = '(other patterns)';

/** An in-memory log; `now` is injected so tests can pin the clock. */
export function createMemoryUnmatchedLog(options: { now?: () => Date; maxPatterns?: number } = {}): UnmatchedLog {
  const now = options.now ?? (() => new Date());
  const max = options.maxPatterns ?? MAX_PATTERNS;
  const entries = new Map<string, UnmatchedEntry>();
  return {
    record(host, path, search) {
      let key = `${host} ${pathPattern(path)}`;
      let entry = entries.get(key);
      if (entry === undefined) {
        if (entries.size >= max) key = `* ${OTHER}`;
        entry = entries.get(key);
        if (entry === undefined) {
          const at = now().toISOString();
          entry = key === `* ${OTHER}` ? { host: '*', pattern: OTHER, count: 0, queryNames: [], firstSeen: at, lastSeen: at } : { host, pattern: pathPattern(path), count: 0, queryNames: [], firstSeen: at, lastSeen: at };
          entries.set(key, entry);
        }
      }
      entry.count++;
      // The clock is read once per 64 hits: lastSeen is a hint, not an audit trail.
      if ((entry.count & 63) === 1) entry.lastSeen = now().toISOString();
      if (search.length > 1 && entry.queryNames.length < MAX_QUERY_NAMES) addQueryNames(entry.queryNames, search);
    },
    list() {
      return [...entries.values()].map((e) => ({ ...e, queryNames: [...e.queryNames] })).sort((a, b) => b.count - a.count || (a.pattern < b.pattern ? -1 : 1));
    },
  };
}

function addQueryNames(names: string[], search: string): void {
  for (const pair of search.slice(1).split('&')) {
    const name = pair.split('=', 1)[0]!.slice(0, 40);
    if (name !== '' && /^[\w.%-]+$/.test(name) && !names.includes(name) && names.length < MAX_QUERY_NAMES) names.push(name);
  }
}

/** Replaces numbers, long hex ids and UUIDs in path segments, and shortens the path, so ids do not multiply patterns. */
export function pathPattern(path: string): string {
  const segments = path.slice(0, 512).split('/').slice(0, 12);
  return segments.map((s) => {
    if (/^\d+$/.test(s)) return '{n}';
    if (/^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(s) || /^(?=.*\d)[0-9a-z_-]{16,}$/i.test(s)) return '{id}';
    if (s.length > 40) return '{long}';
    return s.replace(/[^\w.~@:!$'()*+,;=%-]/g, '_');
  }).join('/');
}
