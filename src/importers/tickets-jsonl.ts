/**
 * Support tickets as JSON lines: one `{ id, subject, submitter, status, created, messages: [{ author, at, body }] }`
 * per line. Keys match whatever their letter case, `_` or `-`; the product export's `submitterUserId`,
 * `createdAt` and `authorUserId` are accepted too. Other ticket keys go to `attributes` as text (non-strings as
 * their JSON). Lines are split on LF (a CR before it is dropped); blank lines are skipped. `JSON.parse` reads each
 * line; a line that fails, or holds a bad value, is parsed again by ./json-locator.ts for its line:column.
 */
import type { SupportTicket } from '../core/tickets/ticket.ts';
import { jsonlLines, parseJsonlLine } from './jsonl-lines.ts';
import { normaliseFieldName, setAttribute } from './cell-values.ts';
import { attributeProblem } from './field-limits.ts';
import { DEFAULT_MAX_ERRORS, ImportErrorCollector } from './import-error.ts';
import { parseLocatedJson } from './json-locator.ts';
import { buildTicket, TICKET_FIELD_ALIASES, TICKET_FIELDS, type ReportTicketProblem } from './tickets-record.ts';

interface LineContext {
  file: string;
  line: number;
  text: string;
  /** Offset of `text` within its physical line (a BOM on line 1). */
  shift: number;
  offsets: Map<string, number> | undefined;
}

export function parseTicketsJsonl(text: string, file: string, options: { maxErrors?: number } = {}): SupportTicket[] {
  const errors = new ImportErrorCollector(options.maxErrors ?? DEFAULT_MAX_ERRORS);
  const tickets: SupportTicket[] = [];
  const seen = new Map<string, number>();
  let sawContent = false;
  for (const l of jsonlLines(text)) {
    const ctx: LineContext = { file, line: l.line, text: l.text, shift: l.shift, offsets: undefined };
    sawContent = true;
    const read = readLine(ctx, errors);
    if (read === undefined) continue;
    const first = seen.get(read.ticket.id);
    if (first !== undefined) {
      errors.add({ code: 'duplicate_id', file, ...locate(ctx, read.idKey), field: read.idKey, expected: 'a unique ticket id', got: read.ticket.id, detail: `also on line ${first}` });
      continue;
    }
    seen.set(read.ticket.id, l.line);
    tickets.push(read.ticket);
  }
  if (!sawContent) errors.add({ code: 'empty_file', file, detail: 'the file is empty; expected one JSON object per line' });
  errors.throwIfAny();
  return tickets;
}

function readLine(ctx: LineContext, errors: ImportErrorCollector): { ticket: SupportTicket; idKey: string } | undefined {
  const { file } = ctx;
  const parsed = parseJsonlLine(ctx, file, errors);
  if (!parsed) return undefined;
  const object = parsed.value;
  if (typeof object !== 'object' || object === null || Array.isArray(object)) {
    errors.add({ code: 'invalid_field', file, ...locate(ctx, ''), expected: 'one JSON object per line' });
    return undefined;
  }
  const values: unknown[] = TICKET_FIELDS.map(() => undefined);
  const names: string[] = [...TICKET_FIELDS];
  const present = TICKET_FIELDS.map(() => false);
  const attributes: Record<string, string> = {};
  let ok = true;
  for (const [key, value] of Object.entries(object)) {
    const field = TICKET_FIELD_ALIASES[normaliseFieldName(key)];
    if (field === undefined) {
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      const problem = attributeProblem(key, text);
      if (problem === undefined) setAttribute(attributes, key, text);
      else {
        ok = false;
        const { onKey, ...words } = problem;
        errors.add({ code: 'too_long', file, ...locate(ctx, onKey ? '' : key), field: onKey ? undefined : key, ...words });
      }
      continue;
    }
    const k = TICKET_FIELDS.indexOf(field);
    if (present[k]) {
      ok = false;
      errors.add({ code: 'invalid_field', file, ...locate(ctx, key), field: key, detail: `${field} is given twice (as ${names[k]} and ${key})` });
      continue;
    }
    present[k] = true;
    names[k] = key;
    values[k] = value;
  }
  TICKET_FIELDS.forEach((name, k) => {
    if (!present[k]) {
      ok = false;
      errors.add({ code: 'missing_field', file, ...locate(ctx, ''), field: name, expected: `a field named ${name}` });
    }
  });
  if (!ok) return undefined;
  const report: ReportTicketProblem = (field, path, p) => {
    // JSON lines say `invalid_field` where CSV says `invalid_value`, as the product-user importer does.
    const code = p.code === 'invalid_value' ? 'invalid_field' : p.code;
    errors.add({ ...p, code, file, ...locate(ctx, `${names[TICKET_FIELDS.indexOf(field)]}${path}`) });
  };
  const ticket = buildTicket({ values, names }, attributes, report);
  return ticket === undefined ? undefined : { ticket, idKey: names[0] as string };
}

/** Line and column of the value at `path` (or of the object for ''); the line is parsed again only on errors. */
function locate(ctx: LineContext, path: string): { line: number; column: number } {
  if (ctx.offsets === undefined) {
    try {
      ctx.offsets = parseLocatedJson(ctx.text).offsets;
    } catch {
      ctx.offsets = new Map();
    }
  }
  return { line: ctx.line, column: ctx.shift + (ctx.offsets.get(path) ?? 0) + 1 };
}
