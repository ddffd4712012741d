import { domainToASCII, domainToUnicode } from 'node:url';
import { isMixedScript } from './confusables.ts';

/**
 * The one address rule of Rehome (docs/security.md, "One address rule"). Importers, readiness, the plan, the
 * engine, the embedded IMS (sign-up, SCIM, Admin API, CSV import) and the mailer all derive an address's two forms
 * here, and nowhere else:
 * - the **delivery** form: the exact address mail is sent to (local part as given, NFC; domain in A-labels);
 * - the **key**: what accounts are matched and looked up by (the delivery form, local part case-folded when
 *   `matching.caseFoldLocalPart`).
 * Two addresses share a key only when mail to both reaches the same mailbox. Anything that would make them meet by
 * *folding* characters a mail system keeps apart (full-width and other compatibility forms, invisible characters,
 * mixed scripts, a trailing dot) is refused with a named problem instead of silently folded: that folding is how a
 * look-alike sign-up took over another person's migration.
 */

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
  | 'too_long'
  // Look-alike forms: refused rather than folded (they would otherwise collapse distinct mailboxes into one key).
  | 'compatibility_form'
  | 'default_ignorable'
  | 'mixed_script'
  | 'trailing_dot';

/** What each problem means, for error messages (CLI, IMS pages, SCIM errors, readiness reasons). */
export const EMAIL_PROBLEMS: Readonly<Record<EmailProblem, string>> = Object.freeze({
  empty: 'the address is empty',
  no_at_sign: 'the address has no @',
  several_at_signs: 'the address has more than one @',
  local_part_invalid: 'the part before @ has characters or dots an address cannot have',
  local_part_too_long: 'the part before @ is longer than 64 characters',
  domain_invalid: 'the domain is not a usable internet domain',
  too_long: 'the address is longer than 254 characters',
  compatibility_form: 'the address uses full-width or other compatibility characters that stand for other letters',
  default_ignorable: 'the address contains invisible characters (such as a zero-width space or a soft hyphen)',
  mixed_script: 'a part of the address mixes writing systems (for example Latin and Cyrillic letters)',
  trailing_dot: 'the domain ends with a dot',
});

export type NormalizedEmail =
  | {
    ok: true;
    /** The matching key (what accounts are found by). */
    address: string;
    /** The exact address mail goes to. */
    delivery: string;
    /** Local part of the key. */
    local: string;
    /** Domain in lower-case A-labels (the same in both forms). */
    domain: string;
    ascii: boolean;
  }
  | { ok: false; problem: EmailProblem };

// RFC 5322 atext plus UTF-8 (RFC 6531); dots checked separately.
const LOCAL_CHAR = /^[\p{L}\p{M}\p{N}!#$%&'*+/=?^_`{|}~.-]+$/u;
const LOCAL_CHAR_ASCII = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+$/;
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const IGNORABLE = /\p{Default_Ignorable_Code_Point}/u;

/**
 * Raw address -> delivery form and key, or the problem. Trims surrounding white space, NFC; never throws: any
 * string in, a result out (property-tested).
 */
export function normalizeEmail(raw: string, policy: EmailPolicy = DEFAULT_EMAIL_POLICY, domainCache?: Map<string, string>): NormalizedEmail {
  if (typeof raw !== 'string') return { ok: false, problem: 'empty' };
  const trimmed = raw.trim();
  const ascii = isAscii(trimmed);
  const s = ascii ? trimmed : trimmed.normalize('NFC');
  if (s === '') return { ok: false, problem: 'empty' };
  if (!ascii) {
    if (IGNORABLE.test(s)) return { ok: false, problem: 'default_ignorable' };
    if (s.normalize('NFKC') !== s) return { ok: false, problem: 'compatibility_form' };
  }
  const at = s.indexOf('@');
  if (at < 0) return { ok: false, problem: 'no_at_sign' };
  if (s.indexOf('@', at + 1) >= 0) return { ok: false, problem: 'several_at_signs' };
  const local = s.slice(0, at);
  const rawDomain = s.slice(at + 1);
  const asciiLocal = isAscii(local);
  if (local.length === 0 || !(asciiLocal ? LOCAL_CHAR_ASCII : LOCAL_CHAR).test(local) || local.startsWith('.') || local.endsWith('.') || local.includes('..')) {
    return { ok: false, problem: 'local_part_invalid' };
  }
  if (local.length > 64) return { ok: false, problem: 'local_part_too_long' };
  if (rawDomain.endsWith('.') && rawDomain.length > 1) return { ok: false, problem: 'trailing_dot' };
  if (!ascii && isMixedScript(s)) return { ok: false, problem: 'mixed_script' };
  const domain = toAsciiDomain(rawDomain, domainCache);
  if (domain === null) return { ok: false, problem: 'domain_invalid' };
  if (!ascii && !sameLabels(rawDomain, domain)) return { ok: false, problem: 'compatibility_form' };
  const key = `${policy.caseFoldLocalPart ? local.toLowerCase() : local}@${domain}`;
  if (key.length > 254) return { ok: false, problem: 'too_long' };
  return { ok: true, address: key, delivery: `${local}@${domain}`, local: policy.caseFoldLocalPart ? local.toLowerCase() : local, domain, ascii };
}

/** The matching key of an address, or undefined when the address is refused (the problem is `normalizeEmail`'s). */
export function emailKey(raw: string, policy: EmailPolicy = DEFAULT_EMAIL_POLICY): string | undefined {
  const e = normalizeEmail(raw, policy);
  return e.ok ? e.address : undefined;
}

/**
 * True when IDNA changed nothing but letter case and the U-label/A-label spelling: `BÜCHER.de` and
 * `xn--bcher-kva.de` name `xn--bcher-kva.de`; `ｆreelance.example`, which UTS #46 *maps* to `freelance.example`,
 * does not.
 */
function sameLabels(rawDomain: string, ascii: string): boolean {
  const lower = rawDomain.toLowerCase();
  return lower === ascii || domainToUnicode(ascii) === lower;
}

/**
 * Lower-case A-label form of a domain (UTS #46 non-transitional processing, as WHATWG URL does it), or null when it
 * is not a usable internet domain. A trailing dot is refused: the domain rule is the address rule.
 */
export function toAsciiDomain(domain: string, cache: Map<string, string> = sharedDomains): string | null {
  const hit = cache.get(domain);
  if (hit !== undefined) return hit === '' ? null : hit;
  const result = computeAsciiDomain(domain);
  // Bounded: a stream of a million distinct domains must not grow it without end (the answer never changes).
  if (cache === sharedDomains && cache.size >= SHARED_DOMAINS_MAX) cache.clear();
  cache.set(domain, result ?? '');
  return result;
}

/**
 * Domains repeat (a company's users share a handful), and UTS #46 processing is the dearest part of the rule: one
 * process-wide memo for callers that bring no cache of their own. A pure function's memo: same input, same answer.
 */
const sharedDomains = new Map<string, string>();
const SHARED_DOMAINS_MAX = 50_000;

function computeAsciiDomain(raw: string): string | null {
  const domain = raw.trim();
  if (domain === '' || domain.length > 253 || /[\s/\\?#@:[\]]/.test(domain) || domain.endsWith('.')) return null;
  if (!isAscii(domain) && (IGNORABLE.test(domain) || domain.normalize('NFKC') !== domain.normalize('NFC'))) return null;
  const ascii = domainToASCII(domain).toLowerCase();
  if (ascii === '' || ascii.length > 253) return null;
  if (!isAscii(domain) && !sameLabels(domain.normalize('NFC'), ascii)) return null;
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
