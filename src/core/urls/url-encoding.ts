/**
 * What a value taken from an old URL may become in a new one. Captured text is checked (after decoding) for
 * control characters and backslashes, then percent-encoded for the section it lands in; existing `%XX` escapes
 * are kept so an already-encoded value is not encoded twice. The fragment page repeats these rules in the browser
 * (src/redirects/fragment-script.ts); the differential test keeps both in step.
 */
import type { UrlSection } from './url-rule-types.ts';

/** RFC 3986 characters that may appear in a URL as written (section 2); anything else is refused. */
export const SAFE_URL = /^[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]*$/;

/** Per section: the characters left as they are (a regex class); `%` is kept only before two hex digits. */
export const KEEP_CLASS: Readonly<Record<UrlSection, string>> = {
  path: "[A-Za-z0-9\\-._~!$'()*,;:@/]",
  query: "[A-Za-z0-9\\-._~!$'()*,;:@/?]",
  fragment: "[A-Za-z0-9\\-._~!$'()*,;:@/?=&+]",
};
const KEEP: Record<UrlSection, RegExp> = { path: new RegExp(KEEP_CLASS.path), query: new RegExp(KEEP_CLASS.query), fragment: new RegExp(KEEP_CLASS.fragment) };
/** The common case (nothing to encode), tested once for the whole value. */
const ALL_KEPT: Record<UrlSection, RegExp> = {
  path: new RegExp(`^${KEEP_CLASS.path}*$`),
  query: new RegExp(`^${KEEP_CLASS.query}*$`),
  fragment: new RegExp(`^${KEEP_CLASS.fragment}*$`),
};

const HEX = /^[0-9A-Fa-f]{2}$/;
/** C0 controls, DEL and C1 controls: a decoded newline in a Location header or a link is an injection. */
// oxlint-disable-next-line no-control-regex -- matching control characters is the point
export const UNSAFE_DECODED = /[\u0000-\u001f\u007f-\u009f\\]/;

/** `bad_encoding` when `%` escapes do not decode as UTF-8; `unsafe_capture` on controls or backslashes. */
export function checkCapture(raw: string): 'bad_encoding' | 'unsafe_capture' | null {
  if (UNSAFE_DECODED.test(raw)) return 'unsafe_capture';
  if (raw.indexOf('%') < 0) return null;
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return 'bad_encoding';
  }
  return UNSAFE_DECODED.test(decoded) ? 'unsafe_capture' : null;
}

/** Percent-encodes `value` for `section`, keeping valid `%XX` escapes. */
export function encodeForSection(value: string, section: UrlSection): string {
  if (ALL_KEPT[section].test(value)) return value;
  const keep = KEEP[section];
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    if (keep.test(ch)) {
      out += ch;
    } else if (ch === '%' && HEX.test(value.slice(i + 1, i + 3))) {
      out += ch;
    } else {
      const code = value.codePointAt(i)!;
      const char = String.fromCodePoint(code);
      if (char.length === 2) i++;
      out += code >= 0xd800 && code <= 0xdfff ? '%EF%BF%BD' : encodeURIComponent(char);
    }
  }
  return out;
}
