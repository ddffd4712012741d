import { domainToASCII } from 'node:url';

/** How addresses are compared. Part of the validated config (`matching.*`). */
export interface EmailPolicy {
  /**
   * Case-fold the local part. RFC 5321 §2.4 lets a mail server treat it case-sensitively, but practically no
   * provider does, and two identities that differ only in case are the failure mode peers report (reference test 11).
   */
  caseFoldLocalPart: boolean;
}

export const DEFAULT_EMAIL_POLICY: EmailPolicy = Object.freeze({ caseFoldLocalPart: true });

export type EmailProblem =
  | 'empty'
  | 'no_at_sign'
  | 'several_at_signs'
  | 'local_part_invalid'
  | 'local_part_too_long'
  | 'domain_invalid'
  | 'too_long';

export type NormalizedEmail =
  | { ok: true; address: string; local: string; domain: string; ascii: boolean }
  | { ok: false; problem: EmailProblem };

// RFC 5322 atext plus UTF-8 (RFC 6531); dots checked separately.
const LOCAL_CHAR = /^[\p{L}\p{M}\p{N}!#$%&'*+/=?^_`{|}~.-]+$/u;
const LOCAL_CHAR_ASCII = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+$/;
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * Trim, NFC, domain to lower-case ASCII (IDNA via WHATWG URL's domainToASCII), local part case-folded per policy.
 * Never throws: any string in, a result out (property-tested).
 */
export function normalizeEmail(raw: string, policy: EmailPolicy = DEFAULT_EMAIL_POLICY, domainCache?: Map<string, string>): NormalizedEmail {
  const s = raw.trim().normalize('NFC');
  if (s === '') return { ok: false, problem: 'empty' };
  const at = s.indexOf('@');
  if (at < 0) return { ok: false, problem: 'no_at_sign' };
  if (s.indexOf('@', at + 1) >= 0) return { ok: false, problem: 'several_at_signs' };
  let local = s.slice(0, at);
  const rawDomain = s.slice(at + 1);
  const ascii = isAscii(local);
  if (local.length === 0 || !(ascii ? LOCAL_CHAR_ASCII : LOCAL_CHAR).test(local) || local.startsWith('.') || local.endsWith('.') || local.includes('..')) {
    return { ok: false, problem: 'local_part_invalid' };
  }
  if (local.length > 64) return { ok: false, problem: 'local_part_too_long' };
  const domain = toAsciiDomain(rawDomain, domainCache);
  if (domain === null) return { ok: false, problem: 'domain_invalid' };
  if (policy.caseFoldLocalPart) local = local.toLowerCase();
  const address = `${local}@${domain}`;
  if (address.length > 254) return { ok: false, problem: 'too_long' };
  return { ok: true, address, local, domain, ascii };
}

/** Lower-case ASCII form of a domain, or null when it is not a usable internet domain. */
export function toAsciiDomain(domain: string, cache?: Map<string, string>): string | null {
  const hit = cache?.get(domain);
  if (hit !== undefined) return hit === '' ? null : hit;
  const result = computeAsciiDomain(domain);
  cache?.set(domain, result ?? '');
  return result;
}

function computeAsciiDomain(domain: string): string | null {
  if (domain === '' || domain.length > 253 || /[\s/\\?#@:[\]]/.test(domain)) return null;
  const ascii = domainToASCII(domain.replace(/\.$/, '')).toLowerCase();
  if (ascii === '' || ascii.length > 253) return null;
  const labels = ascii.split('.');
  if (labels.length < 2) return null;
  if (!labels.every((l) => LABEL.test(l))) return null;
  if (/^\d+$/.test(labels[labels.length - 1]!)) return null; // a bare IP address is not a mail domain here
  return ascii;
}

export function isAscii(s: string): boolean {
  return !NON_ASCII.test(s);
}
// oxlint-disable-next-line no-control-regex -- the ASCII range, on purpose
const NON_ASCII = /[^\x00-\x7f]/;

const GMAIL_DOMAINS = new Set(['gmail.com', 'googlemail.com']);

/** Gmail ignores dots and treats `+tag` as the same mailbox: such addresses name someone else's inbox too. */
export function isPlusOrDotGmail(e: { local: string; domain: string }): boolean {
  return GMAIL_DOMAINS.has(e.domain) && (e.local.includes('.') || e.local.includes('+'));
}
