/**
 * Support tickets from the product's export: CSV (`id,subject,submitter,status,created,messages`, where the
 * `messages` cell holds a JSON array of `{ author, at, body }`) or JSON lines (./tickets-jsonl.ts). Header names
 * match whatever their letter case, spaces, `_` or `-`; other columns are kept in `attributes`. Value rules:
 * ./tickets-record.ts. Ticket ids must be unique in a file.
 *
 * A problem inside the `messages` cell is reported at its own place in the file, not at the cell: the JSON offset
 * is walked through the cell's quoting (`""` is one character) and line breaks.
 */
import type { SupportTicket } from '../core/tickets/ticket.ts';
import { readExtraColumns } from './csv-extras.ts';
import { mapCsvHeader } from './csv-header.ts';
import { readCsv, type CsvRow, type CsvTable } from './csv-reader.ts';
import { DEFAULT_MAX_ERRORS, ImportError, ImportErrorCollector } from './import-error.ts';
import { isDeeperThan, JsonSyntaxProblem, parseLocatedJson, TOO_DEEP_EXPECTED } from './json-locator.ts';
import { buildTicket, MESSAGES_EXPECTED, TICKET_FIELDS, type ReportTicketProblem } from './tickets-record.ts';
import { parseTicketsJsonl } from './tickets-jsonl.ts';
import { readTextFile } from './text-file.ts';

export { parseTicketsJsonl };

const MESSAGES = TICKET_FIELDS.indexOf('messages');

export function parseTicketsCsv(text: string, file: string, options: { maxErrors?: number } = {}): SupportTicket[] {
  const errors = new ImportErrorCollector(options.maxErrors ?? DEFAULT_MAX_ERRORS);
  const table = readCsv(text, file, errors);
  if (table.header.length === 0) errors.add({ code: 'empty_file', file, detail: `the file is empty; expected a header line: ${TICKET_FIELDS.join(',')}` });
  const { columns, extras } = mapCsvHeader(table.header, TICKET_FIELDS, () => true, file, errors);
  errors.throwIfAny();

  const names = TICKET_FIELDS.map((f, k) => table.header[columns[k] as number]?.value.trim() ?? f);
  const tickets: SupportTicket[] = [];
  const seen = new Map<string, number>();
  for (const row of table.rows) {
    const values: unknown[] = columns.map((c) => row.values[c] as string);
    const cell = values[MESSAGES] as string;
    let offsets: Map<string, number> | undefined;
    if (cell.trim() === '') values[MESSAGES] = null;
    else {
      try {
        values[MESSAGES] = JSON.parse(cell);
      } catch {
        const problem = syntaxProblem(cell);
        errors.add({ code: problem.code === 'json_too_deep' ? 'json_too_deep' : 'invalid_value', file, ...positionInCell(text, table, row, columns[MESSAGES] as number, problem.offset), field: names[MESSAGES], expected: MESSAGES_EXPECTED, detail: `JSON: expected ${problem.expected}` });
        continue;
      }
      // JSON.parse takes any depth; the messages are walked and quoted in errors afterwards, which would not.
      if (isDeeperThan(values[MESSAGES])) {
        const problem = syntaxProblem(cell);
        errors.add({ code: 'json_too_deep', file, ...positionInCell(text, table, row, columns[MESSAGES] as number, problem.offset), field: names[MESSAGES], expected: TOO_DEEP_EXPECTED });
        continue;
      }
    }
    const report: ReportTicketProblem = (field, path, p) => {
      const k = TICKET_FIELDS.indexOf(field);
      if (path === '') {
        errors.add({ ...p, file, ...table.locate(row, columns[k] as number) });
        return;
      }
      offsets ??= parseLocatedJson(cell).offsets;
      errors.add({ ...p, file, ...positionInCell(text, table, row, columns[k] as number, offsets.get(path) ?? 0) });
    };
    const attributes = readExtraColumns(table, row, extras, file, errors);
    const ticket = buildTicket({ values, names }, attributes ?? {}, report);
    if (ticket === undefined || attributes === undefined) continue;
    const first = seen.get(ticket.id);
    if (first !== undefined) {
      errors.add({ code: 'duplicate_id', file, ...table.locate(row, columns[0] as number), field: names[0], expected: 'a unique ticket id', got: ticket.id, detail: `also on line ${first}` });
      continue;
    }
    seen.set(ticket.id, row.line);
    tickets.push(ticket);
  }
  errors.throwIfAny();
  return tickets;
}

/** Reads tickets from a `.csv`, `.jsonl` or `.ndjson` file. */
export function readTickets(path: string, options: { maxErrors?: number } = {}): SupportTicket[] {
  const extension = /\.([^./\\]+)$/.exec(path)?.[1]?.toLowerCase();
  if (extension !== 'csv' && extension !== 'jsonl' && extension !== 'ndjson') {
    throw new ImportError({ code: 'unsupported_format', file: path, expected: 'a file ending in .csv, .jsonl or .ndjson' });
  }
  const text = readTextFile(path);
  return extension === 'csv' ? parseTicketsCsv(text, path, options) : parseTicketsJsonl(text, path, options);
}

function syntaxProblem(json: string): JsonSyntaxProblem {
  try {
    parseLocatedJson(json);
  } catch (problem) {
    if (problem instanceof JsonSyntaxProblem) return problem;
  }
  return new JsonSyntaxProblem(0, 'valid JSON');
}

/** Line and column in the file of character `offset` of the (unquoted) value of cell `index` of `row`. */
function positionInCell(text: string, table: CsvTable, row: CsvRow, index: number, offset: number): { line: number; column: number } {
  const start = table.locate(row, index);
  let p = row.offset;
  for (let line = row.line; line < start.line; p++) {
    const c = text.charCodeAt(p);
    if (c === 10 || (c === 13 && text.charCodeAt(p + 1) !== 10)) line++;
  }
  p += start.column - 1;
  if (text.charCodeAt(p) !== 34) return { line: start.line, column: start.column + offset };
  let line = start.line;
  let column = start.column + 1;
  p++;
  for (let i = 0; i < offset; i++) {
    const c = text.charCodeAt(p);
    if (c === 34) {
      // `""` inside a quoted cell is one character of the value.
      p += 2;
      column += 2;
    } else if (c === 10 || (c === 13 && text.charCodeAt(p + 1) !== 10)) {
      p++;
      line++;
      column = 1;
    } else {
      p++;
      column++;
    }
  }
  return { line, column };
}
