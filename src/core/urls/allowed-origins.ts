/**
 * The allow-list of places a rewritten URL may point to: the defence against open redirects. Every URL the rules
 * produce is parsed again with the WHATWG parser (what browsers use) and its scheme, host and port compared, so
 * tricks in the text (`//evil`, `https:evil`, backslashes, `user@host`) are judged as a browser would read them.
 */
import type { AllowedOrigin } from './url-rule-types.ts';

/** Parses allow-list entries: `host`, `host:port` (https) or `http(s)://host[:port]`. */
export function parseAllowedOrigins(entries: unknown, at: string, problems: string[]): AllowedOrigin[] {
  if (!Array.isArray(entries)) {
    problems.push(`${at}: must be a list of hosts or origins`);
    return [];
  }
  const out: AllowedOrigin[] = [];
  entries.forEach((entry, i) => {
    const origin = typeof entry === 'string' ? parseOrigin(entry) : undefined;
    if (origin === undefined) problems.push(`${at}[${i}]: ${JSON.stringify(entry)} is not a host (new.example, new.example:8443) or an origin (https://new.example)`);
    else if (!out.some((o) => o.protocol === origin.protocol && o.host === origin.host)) out.push(origin);
  });
  return out;
}

function parseOrigin(entry: string): AllowedOrigin | undefined {
  const text = entry.includes('://') ? entry : `https://${entry}`;
  if (/[\s\\@]/.test(text)) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.host === '') return undefined;
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '' || /[?#]/.test(text)) return undefined;
  return { protocol: url.protocol, host: url.host };
}

/** True when `url` parses, has no userinfo, and its scheme and host are on the list. */
export function isAllowedUrl(url: string, allowed: readonly AllowedOrigin[]): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.username !== '' || parsed.password !== '') return false;
  for (const origin of allowed) {
    if (origin.host === parsed.host && origin.protocol === parsed.protocol) return true;
  }
  return false;
}
