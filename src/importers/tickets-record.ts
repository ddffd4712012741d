/**
 * One support ticket from its fields, shared by the CSV and the JSON-lines importers (./tickets.ts): the same
 * value rules, the same messages. The caller hands over each field's value (a CSV cell is a string; the CSV
 * `messages` cell is already parsed JSON) and a `report` that turns a path into `file:line:column`.
 *
 * Rules: `id` and `submitter` are non-empty text (JSON integers allowed); `subject` is text (null = empty);
 * `status` is open, pending, solved or closed in any letter case; `created` and each message's `at` are instants
 * (./cell-values.ts `parseInstant`); `messages` is an array (empty, null or an empty cell = no messages) of
 * `{ author, at, body }` where `author` is a product user id or null for the product's support staff. A message
 * key this format does not define is an error (a typo would otherwise lose the author); ticket-level extras are
 * kept in `attributes`. Lengths are capped (./field-limits.ts): ids 128, subject 1,024, a message body 256 Ki
 * characters; a longer value is `too_long`.
 */
import { TICKET_STATUSES, type SupportTicket, type SupportTicketMessage, type TicketStatus } from '../core/tickets/ticket.ts';
import { INSTANT_EXPECTED, normaliseFieldName, parseInstant } from './cell-values.ts';
import { FIELD_LIMITS, tooLongProblem } from './field-limits.ts';
import type { ImportErrorInit } from './import-error.ts';

/** Field names as in the CSV header; order fixes the indexes used by `TicketFields`. */
export const TICKET_FIELDS = ['id', 'subject', 'submitter', 'status', 'created', 'messages'] as const;
export type TicketField = (typeof TICKET_FIELDS)[number];

/** JSON-lines spellings accepted besides the CSV names (the product export's camelCase names included). */
export const TICKET_FIELD_ALIASES: Readonly<Record<string, TicketField>> = Object.fromEntries([
  ...TICKET_FIELDS.map((f) => [f, f]),
  ['submitterUserId', 'submitter'], ['submitterId', 'submitter'], ['createdAt', 'created'],
].map(([k, f]) => [normaliseFieldName(k as string), f as TicketField]));

const MESSAGE_KEYS: Readonly<Record<string, 'author' | 'at' | 'body'>> = {
  author: 'author', authoruserid: 'author', authorid: 'author', at: 'at', body: 'body',
};

export const STATUS_EXPECTED = 'open, pending, solved or closed';
export const MESSAGES_EXPECTED = 'a JSON array of { "author", "at", "body" } objects';

/** A problem at `path` inside field `field`: `''` is the field's value itself, `[2].at` a place inside `messages`. */
export type ReportTicketProblem = (field: TicketField, path: string, problem: Omit<ImportErrorInit, 'file' | 'line' | 'column'>) => void;

export interface TicketFields {
  /** The value of each field, by TICKET_FIELDS index; `undefined` when absent (the caller reports missing ones). */
  values: readonly unknown[];
  /** The name each field was given as (header cell or JSON key), for messages. */
  names: readonly string[];
}

export function buildTicket(fields: TicketFields, attributes: Record<string, string>, report: ReportTicketProblem): SupportTicket | undefined {
  let ok = true;
  const problem = (field: TicketField, path: string, p: Omit<ImportErrorInit, 'file' | 'line' | 'column'>) => {
    ok = false;
    report(field, path, p);
  };
  const name = (f: TicketField) => fields.names[TICKET_FIELDS.indexOf(f)] ?? f;
  const value = (f: TicketField) => fields.values[TICKET_FIELDS.indexOf(f)];

  const tooLong = (field: TicketField, path: string, label: string, text: string | undefined, limit: number): boolean => {
    if (text === undefined || text.length <= limit) return false;
    problem(field, path, { code: 'too_long', field: label, ...tooLongProblem(limit, text) });
    return true;
  };
  const id = readId(value('id'));
  if (id === undefined) problem('id', '', { code: 'invalid_value', field: name('id'), expected: 'a non-empty ticket id', ...got(value('id')) });
  tooLong('id', '', name('id'), id, FIELD_LIMITS.id);
  const subjectRaw = value('subject');
  const subject = subjectRaw === null || subjectRaw === undefined ? '' : typeof subjectRaw === 'string' ? subjectRaw.trim() : undefined;
  if (subject === undefined) problem('subject', '', { code: 'invalid_value', field: name('subject'), expected: 'text', ...got(subjectRaw) });
  tooLong('subject', '', name('subject'), subject, FIELD_LIMITS.subject);
  const submitter = readId(value('submitter'));
  if (submitter === undefined) problem('submitter', '', { code: 'invalid_value', field: name('submitter'), expected: 'the product user id of the submitter', ...got(value('submitter')) });
  tooLong('submitter', '', name('submitter'), submitter, FIELD_LIMITS.id);
  const statusRaw = value('status');
  const status = typeof statusRaw === 'string' ? statusRaw.trim().toLowerCase() : '';
  if (!(TICKET_STATUSES as readonly string[]).includes(status)) problem('status', '', { code: 'invalid_value', field: name('status'), expected: STATUS_EXPECTED, ...got(statusRaw) });
  const createdRaw = value('created');
  const created = typeof createdRaw === 'string' ? parseInstant(createdRaw.trim()) : undefined;
  if (created === undefined) problem('created', '', { code: 'invalid_value', field: name('created'), expected: INSTANT_EXPECTED, ...got(createdRaw) });
  const messages = readMessages(value('messages'), name('messages'), (path, p) => problem('messages', path, p));
  if (!ok || messages === undefined) return undefined;
  return { id: id!, subject: subject!, submitterUserId: submitter!, status: status as TicketStatus, createdAt: created!, messages, attributes };
}

function readMessages(raw: unknown, label: string, problem: (path: string, p: Omit<ImportErrorInit, 'file' | 'line' | 'column'>) => void): SupportTicketMessage[] | undefined {
  if (raw === null || raw === undefined || raw === '') return [];
  if (!Array.isArray(raw)) {
    problem('', { code: 'invalid_value', field: label, expected: MESSAGES_EXPECTED, ...got(raw) });
    return undefined;
  }
  const out: SupportTicketMessage[] = [];
  let ok = true;
  raw.forEach((m: unknown, i) => {
    const at = `[${i}]`;
    if (typeof m !== 'object' || m === null || Array.isArray(m)) {
      ok = false;
      problem(at, { code: 'invalid_value', field: `${label}${at}`, expected: 'an object { "author", "at", "body" }', gotJson: m });
      return;
    }
    const found: Partial<Record<'author' | 'at' | 'body', { key: string; value: unknown }>> = {};
    for (const [key, value] of Object.entries(m)) {
      const k = MESSAGE_KEYS[normaliseFieldName(key)];
      if (k === undefined || found[k] !== undefined) {
        ok = false;
        problem(`${at}.${key}`, { code: 'unknown_field', field: `${label}${at}.${key}`, detail: k === undefined ? 'a message has only "author", "at" and "body"' : `${k} is given twice` });
        continue;
      }
      found[k] = { key, value };
    }
    for (const k of ['author', 'at', 'body'] as const) {
      if (found[k] === undefined) {
        ok = false;
        problem(at, { code: 'missing_field', field: `${label}${at}.${k}`, expected: k === 'author' ? 'a field named author (null for support staff)' : `a field named ${k}` });
      }
    }
    if (found.author === undefined || found.at === undefined || found.body === undefined) return;
    const author = found.author.value === null ? null : readId(found.author.value);
    if (author === undefined) {
      ok = false;
      problem(`${at}.${found.author.key}`, { code: 'invalid_value', field: `${label}${at}.${found.author.key}`, expected: 'a product user id, or null for support staff', gotJson: found.author.value });
    } else if (author !== null && author.length > FIELD_LIMITS.id) {
      ok = false;
      problem(`${at}.${found.author.key}`, { code: 'too_long', field: `${label}${at}.${found.author.key}`, ...tooLongProblem(FIELD_LIMITS.id, author) });
    }
    const when = typeof found.at.value === 'string' ? parseInstant(found.at.value.trim()) : undefined;
    if (when === undefined) {
      ok = false;
      problem(`${at}.${found.at.key}`, { code: 'invalid_value', field: `${label}${at}.${found.at.key}`, expected: INSTANT_EXPECTED, gotJson: found.at.value });
    }
    const body = found.body.value;
    if (typeof body !== 'string') {
      ok = false;
      problem(`${at}.${found.body.key}`, { code: 'invalid_value', field: `${label}${at}.${found.body.key}`, expected: 'text', gotJson: body });
    } else if (body.length > FIELD_LIMITS.body) {
      ok = false;
      problem(`${at}.${found.body.key}`, { code: 'too_long', field: `${label}${at}.${found.body.key}`, ...tooLongProblem(FIELD_LIMITS.body, body) });
    }
    if (author !== undefined && when !== undefined && typeof body === 'string') out.push({ authorUserId: author, at: when, body });
  });
  return ok ? out : undefined;
}

/** Non-empty text (trimmed) or a JSON safe integer, as text. */
function readId(raw: unknown): string | undefined {
  if (typeof raw === 'number' && Number.isSafeInteger(raw)) return String(raw);
  if (typeof raw !== 'string') return undefined;
  const id = raw.trim();
  return id === '' ? undefined : id;
}

/** `got` for text, `gotJson` for anything else, so the message shows what was there. */
function got(raw: unknown): { got: string } | { gotJson: unknown } {
  return typeof raw === 'string' ? { got: raw } : { gotJson: raw };
}
