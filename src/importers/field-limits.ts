/**
 * How long each imported value may be, and what a subscription id may look like. The limits sit well above any
 * real export (RFC 5321 caps an address at 254 usable characters, IANA zone names at about 30, Admin Console ids
 * at 40) and far below what would hurt: one absurd cell must not become a 100 MB row in the store, a page the
 * console cannot render, or an id that reaches a file name. A value over its limit is a `too_long` import error
 * with the usual file:line:column and field. Lengths count UTF-16 code units, as JavaScript's `length` does (one
 * per character outside the emoji and rare-script planes). docs/importing.md lists them: keep the two in step.
 */
export const FIELD_LIMITS = {
  /** Product user ids, IMS account ids, organization ids, ticket ids and the user ids inside tickets. */
  id: 128,
  /** Logins and IMS usernames: often an email address, so as long as one. */
  login: 320,
  /** RFC 5321: 64 for the local part, 255 for the domain, and the `@`. */
  email: 320,
  /** First and last names, subscription and organization names. */
  name: 256,
  /** A domain name (RFC 1035), the `Domain` column of the IMS directory. */
  domain: 253,
  /** IANA time zone names. */
  timeZone: 64,
  /** A whole multi-valued cell: `access` grants, Product Configurations, Admin Roles. */
  list: 65_536,
  /** The name of an extra column or JSON key kept in `attributes`. */
  attributeName: 256,
  /** The value of an extra column or JSON key kept in `attributes` (non-strings: as their JSON). */
  attributeValue: 65_536,
  /** A support ticket's subject. */
  subject: 1_024,
  /** One message of a support ticket. */
  body: 262_144,
} as const;

/**
 * A subscription id: letters, digits, `.`, `_` and `-`, starting with a letter or digit, at most 128 characters.
 * It names the subscription in URLs, audit entries and the file names of downloads, so it can never hold a path
 * separator, start with a dot, or spell `..` on its own.
 */
export const SUBSCRIPTION_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
export const SUBSCRIPTION_ID_EXPECTED = 'a subscription id like "123-ABC-456" (letters, digits, ".", "_" and "-", starting with a letter or digit, at most 128 characters)';

/** The words of a `too_long` error: `expected at most 320 characters, got "…" (1000 characters)`. */
export function tooLongProblem(limit: number, value: string): { expected: string; got: string; detail: string } {
  return { expected: `at most ${limit} characters`, got: value, detail: `${value.length} characters` };
}

/**
 * The `too_long` problem of an extra key and its value (as text) kept in `attributes`, or undefined when both fit.
 * `onKey`: the key itself is too long, so the error points at the object rather than naming the field.
 */
export function attributeProblem(key: string, value: string): ({ onKey: boolean } & ReturnType<typeof tooLongProblem>) | undefined {
  if (key.length > FIELD_LIMITS.attributeName) return { onKey: true, ...tooLongProblem(FIELD_LIMITS.attributeName, key), detail: `${key.length} characters in a field name` };
  if (value.length > FIELD_LIMITS.attributeValue) return { onKey: false, ...tooLongProblem(FIELD_LIMITS.attributeValue, value) };
  return undefined;
}
