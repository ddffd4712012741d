/**
 * Subscription files (JSON): one object, or an array of them (production and sandbox at once):
 * `{ "id": "123-ABC-456", "name", "timeZone", "admins": [product user ids],
 *    "imsOrg": { "id", "name", "claimedDomains": [...], "ssoConfigured": false } }`.
 * Every problem names its path (`imsOrg.claimedDomains[2]`) and its line:column. Unknown fields are errors: a
 * misspelt `ssoConfigured` silently read as false would block every SSO user for a reason nobody can see.
 * `ssoConfigured` may be left out (false); the rest is required. The time zone must be one this runtime knows
 * (IANA; `Intl.DateTimeFormat`) and is kept in its canonical spelling; claimed domains are lower-case ASCII by
 * the rule every address follows (core/email `toAsciiDomain`), duplicates dropped; admins are de-duplicated in order.
 * The id is letters, digits, `.`, `_`, `-` (./field-limits.ts SUBSCRIPTION_ID): it reaches URLs and file names, so
 * `../x` is refused here. Text values are capped (FIELD_LIMITS); a longer one is `too_long`.
 */
import { toAsciiDomain } from '../core/email/normalize-email.ts';
import type { ImsOrganization, Subscription } from '../core/model.ts';
import { normaliseFieldName } from './cell-values.ts';
import { FIELD_LIMITS, SUBSCRIPTION_ID, SUBSCRIPTION_ID_EXPECTED, tooLongProblem } from './field-limits.ts';
import { DEFAULT_MAX_ERRORS, ImportErrorCollector, type ImportErrorInit } from './import-error.ts';
import { JsonSyntaxProblem, lineColumnAt, parseLocatedJson, type LocatedJson } from './json-locator.ts';
import { readTextFile } from './text-file.ts';

const SUBSCRIPTION_KEYS = ['id', 'name', 'timeZone', 'admins', 'imsOrg'];
const ORG_KEYS = ['id', 'name', 'claimedDomains', 'ssoConfigured'];

/** Checks values at paths of one located document, reporting with line:column. */
class Checker {
  readonly #text: string;
  readonly #file: string;
  readonly #doc: LocatedJson;
  readonly errors: ImportErrorCollector;

  constructor(text: string, file: string, doc: LocatedJson, errors: ImportErrorCollector) {
    this.#text = text;
    this.#file = file;
    this.#doc = doc;
    this.errors = errors;
  }

  report(path: string, init: Omit<ImportErrorInit, 'file'>): void {
    const offset = this.#doc.offsets.get(path) ?? 0;
    this.errors.add({ file: this.#file, ...lineColumnAt(this.#text, offset), field: path === '' ? undefined : path, ...init });
  }

  /** The object at `path` with only `keys` allowed; undefined (reported) when it is not an object. */
  object(path: string, value: unknown, keys: readonly string[]): Record<string, unknown> | undefined {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.report(path, { code: 'invalid_field', expected: 'an object', ...shown(value) });
      return undefined;
    }
    for (const key of Object.keys(value)) {
      if (keys.includes(key)) continue;
      const near = keys.find((k) => isNear(normaliseFieldName(k), normaliseFieldName(key)));
      this.report(join(path, key), { code: 'unknown_field', detail: `unknown field${near === undefined ? `; known: ${keys.join(', ')}` : `; did you mean ${near}?`}` });
    }
    return value as Record<string, unknown>;
  }

  /** A required non-empty string (trimmed) of at most `max` characters; '' when reported. */
  text(owner: Record<string, unknown>, path: string, key: string, what: string, max: number): string {
    const at = join(path, key);
    if (!(key in owner)) {
      this.report(path, { code: 'missing_field', field: at, expected: what });
      return '';
    }
    const value = owner[key];
    if (typeof value !== 'string' || value.trim() === '') {
      this.report(at, { code: 'invalid_field', expected: what, ...shown(value) });
      return '';
    }
    const text = value.trim();
    if (text.length > max) {
      this.report(at, { code: 'too_long', ...tooLongProblem(max, text) });
      return '';
    }
    return text;
  }

  /** A required array of non-empty strings of at most `max` characters, each passed through `convert` (undefined = not acceptable). */
  list(owner: Record<string, unknown>, path: string, key: string, what: string, max: number, convert: (s: string) => string | undefined): string[] {
    const at = join(path, key);
    if (!(key in owner)) {
      this.report(path, { code: 'missing_field', field: at, expected: `an array of ${what}s` });
      return [];
    }
    const value = owner[key];
    if (!Array.isArray(value)) {
      this.report(at, { code: 'invalid_field', expected: `an array of ${what}s`, ...shown(value) });
      return [];
    }
    const out: string[] = [];
    value.forEach((item: unknown, i) => {
      if (typeof item === 'string' && item.trim().length > max) {
        this.report(`${at}[${i}]`, { code: 'too_long', ...tooLongProblem(max, item.trim()) });
        return;
      }
      const converted = typeof item === 'string' ? convert(item.trim()) : undefined;
      if (converted === undefined) this.report(`${at}[${i}]`, { code: 'invalid_field', expected: what, ...shown(item) });
      else if (!out.includes(converted)) out.push(converted);
    });
    return out;
  }
}

/** How a wrong value appears in a message: strings quoted, other JSON as JSON. */
function shown(value: unknown): { got: string } | { gotJson: unknown } {
  return typeof value === 'string' ? { got: value } : { gotJson: value };
}

/** Same name but for case and separators, or at most two edits apart (a typo). */
function isNear(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 2) return false;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return (previous[b.length] as number) <= 2;
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

/** The canonical spelling of an IANA time zone this runtime knows, else undefined. */
export function canonicalTimeZone(zone: string): string | undefined {
  if (zone === '') return undefined;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

function checkSubscription(c: Checker, path: string, value: unknown): Subscription | undefined {
  const root = c.object(path, value, SUBSCRIPTION_KEYS);
  if (root === undefined) return undefined;
  const id = c.text(root, path, 'id', 'a subscription id like "123-ABC-456"', FIELD_LIMITS.id);
  if (id !== '' && !SUBSCRIPTION_ID.test(id)) c.report(join(path, 'id'), { code: 'invalid_field', expected: SUBSCRIPTION_ID_EXPECTED, got: id });
  const name = c.text(root, path, 'name', 'the subscription name', FIELD_LIMITS.name);
  let timeZone = c.text(root, path, 'timeZone', 'an IANA time zone like "America/Los_Angeles"', FIELD_LIMITS.timeZone);
  if (timeZone !== '') {
    const canonical = canonicalTimeZone(timeZone);
    if (canonical === undefined) {
      c.report(join(path, 'timeZone'), { code: 'invalid_field', expected: 'an IANA time zone like "America/Los_Angeles"', got: timeZone });
    }
    timeZone = canonical ?? timeZone;
  }
  const admins = c.list(root, path, 'admins', 'product user id', FIELD_LIMITS.id, (s) => (s === '' ? undefined : s));
  const imsOrg = checkOrganization(c, path, root);
  if (imsOrg === undefined) return undefined;
  return { id, name, timeZone, admins, imsOrg };
}

function checkOrganization(c: Checker, parentPath: string, parent: Record<string, unknown>): ImsOrganization | undefined {
  const path = join(parentPath, 'imsOrg');
  if (!('imsOrg' in parent)) {
    c.report(parentPath, { code: 'missing_field', field: path, expected: 'the IMS organization object' });
    return undefined;
  }
  const org = c.object(path, parent.imsOrg, ORG_KEYS);
  if (org === undefined) return undefined;
  const id = c.text(org, path, 'id', 'the IMS organization id', FIELD_LIMITS.id);
  const name = c.text(org, path, 'name', 'the IMS organization name', FIELD_LIMITS.name);
  const claimedDomains = c.list(org, path, 'claimedDomains', 'domain name', FIELD_LIMITS.domain, (d) => toAsciiDomain(d) ?? undefined);
  let ssoConfigured = false;
  if ('ssoConfigured' in org) {
    if (typeof org.ssoConfigured === 'boolean') ssoConfigured = org.ssoConfigured;
    else c.report(join(path, 'ssoConfigured'), { code: 'invalid_field', expected: 'true or false', ...shown(org.ssoConfigured) });
  }
  return { id, name, claimedDomains, ssoConfigured };
}

/** Parses the text; on a syntax or emptiness problem reports it and returns undefined. */
function locateDocument(text: string, file: string, errors: ImportErrorCollector): LocatedJson | undefined {
  if (text.replace(/^\ufeff/, '').trim() === '') {
    errors.add({ code: 'empty_file', file, detail: 'the file is empty; expected a subscription object' });
    return undefined;
  }
  try {
    return parseLocatedJson(text);
  } catch (problem) {
    if (!(problem instanceof JsonSyntaxProblem)) throw problem;
    errors.add({ code: problem.code, file, ...lineColumnAt(text, problem.offset), expected: problem.expected });
    return undefined;
  }
}

function parse(text: string, file: string, many: boolean, maxErrors: number): Subscription[] {
  const errors = new ImportErrorCollector(maxErrors);
  const doc = locateDocument(text, file, errors);
  const out: Subscription[] = [];
  if (doc !== undefined) {
    const c = new Checker(text, file, doc, errors);
    if (many && Array.isArray(doc.value)) {
      const seen = new Map<string, number>();
      doc.value.forEach((item: unknown, i) => {
        const s = checkSubscription(c, `[${i}]`, item);
        if (s === undefined || s.id === '') return;
        const first = seen.get(s.id);
        if (first !== undefined) c.report(`[${i}].id`, { code: 'duplicate_id', expected: 'each subscription once', got: s.id, detail: `also at [${first}]` });
        seen.set(s.id, i);
        out.push(s);
      });
      if (doc.value.length === 0) c.report('', { code: 'empty_file', expected: 'at least one subscription in the array' });
    } else {
      const s = checkSubscription(c, '', doc.value);
      if (s !== undefined) out.push(s);
    }
  }
  errors.throwIfAny();
  return out;
}

export function parseSubscriptionJson(text: string, file: string, options: { maxErrors?: number } = {}): Subscription {
  return parse(text, file, false, options.maxErrors ?? DEFAULT_MAX_ERRORS)[0] as Subscription;
}

/** One subscription object or an array of them. */
export function parseSubscriptionsJson(text: string, file: string, options: { maxErrors?: number } = {}): Subscription[] {
  return parse(text, file, true, options.maxErrors ?? DEFAULT_MAX_ERRORS);
}

export function readSubscription(path: string): Subscription {
  return parseSubscriptionJson(readTextFile(path), path);
}

export function readSubscriptions(path: string): Subscription[] {
  return parseSubscriptionsJson(readTextFile(path), path);
}
