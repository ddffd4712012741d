import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseTicketsCsv, parseTicketsJsonl, readTickets } from './tickets.ts';
import { ImportError, ImportErrors } from './import-error.ts';
import type { SupportTicket } from '../core/tickets/ticket.ts';

const T1: SupportTicket = {
  id: 'T-1',
  subject: 'Export fails',
  submitterUserId: '1004',
  status: 'open',
  createdAt: '2026-01-05T10:00:00.000Z',
  messages: [
    { authorUserId: '1004', at: '2026-01-05T10:00:00.000Z', body: 'It says "error 7"' },
    { authorUserId: null, at: '2026-01-05T11:30:00.000Z', body: 'Looking into it' },
  ],
  attributes: {},
};

const MESSAGES_JSON = JSON.stringify([{ author: '1004', at: '2026-01-05T10:00:00Z', body: 'It says "error 7"' }, { author: null, at: '2026-01-05T11:30:00Z', body: 'Looking into it' }]);
const csvCell = (s: string) => `"${s.replaceAll('"', '""')}"`;
const HEADER = 'id,subject,submitter,status,created,messages';
const ROW = `T-1,Export fails,1004,open,2026-01-05T10:00:00Z,${csvCell(MESSAGES_JSON)}`;

function problems(run: () => unknown): string[] {
  try {
    run();
  } catch (e) {
    if (e instanceof ImportErrors) return e.errors.map((x) => `${x.file}:${x.line}:${x.column} ${x.code} ${x.field ?? ''}`.trim());
    throw e;
  }
  return [];
}

test('CSV: a ticket with a JSON messages cell', () => {
  assert.deepEqual(parseTicketsCsv(`${HEADER}\n${ROW}\n`, 't.csv'), [T1]);
});

test('CSV: BOM, CRLF, header case, extra columns kept, empty messages, status case', () => {
  const text = `\ufeffID,Subject,Submitter,Status,Created,Messages,Priority\r\n${ROW},high\r\nT-2,"Hi, there",1005,SOLVED,2026-01-06,,low\r\n`;
  assert.deepEqual(parseTicketsCsv(text, 't.csv'), [
    { ...T1, attributes: { Priority: 'high' } },
    { id: 'T-2', subject: 'Hi, there', submitterUserId: '1005', status: 'solved', createdAt: '2026-01-06T00:00:00.000Z', messages: [], attributes: { Priority: 'low' } },
  ]);
});

const bad: { name: string; text: string; problems: string[]; message?: string }[] = [
  { name: 'bad status', text: `${HEADER}\n${ROW.replace(',open,', ',new,')}\n`, problems: ['t.csv:2:23 invalid_value status'], message: 't.csv:2:23: status: expected open, pending, solved or closed, got "new"' },
  { name: 'created without a zone', text: `${HEADER}\n${ROW.replace('10:00:00Z,', '10:00:00,')}\n`, problems: ['t.csv:2:28 invalid_value created'] },
  { name: 'empty submitter', text: `${HEADER}\n${ROW.replace(',1004,', ',,')}\n`, problems: ['t.csv:2:18 invalid_value submitter'] },
  { name: 'missing column', text: `id,subject,submitter,status,created\nT-1,a,1,open,2026-01-05\n`, problems: ['t.csv:1:1 missing_column messages'] },
  {
    name: 'broken JSON in the messages cell, at the character (quotes doubled)',
    // The cell starts at column 49; the JSON error (a missing `:`) is where `"x"` starts: its doubled quote at column 79.
    text: `${HEADER}\nT-1,Export fails,1004,open,2026-01-05T10:00:00Z,${csvCell('[{"author":"1004","at" "x"}]')}\n`,
    problems: ['t.csv:2:79 invalid_value messages'],
    message: 't.csv:2:79: messages: expected a JSON array of { "author", "at", "body" } objects (JSON: expected ":" after a property name)',
  },
  {
    name: 'a bad message date inside the cell, after a line break in the cell',
    text: `${HEADER}\nT-1,Export fails,1004,open,2026-01-05T10:00:00Z,"[{""author"":""1004"",\n  ""at"":""yesterday"",""body"":""""}]"\n`,
    problems: ['t.csv:3:10 invalid_value messages[0].at'],
  },
  {
    name: 'an unknown message key and a missing body',
    text: `${HEADER}\nT-1,s,1004,open,2026-01-05,${csvCell('[{"autor":"1004","at":"2026-01-05","body":""},{"author":null,"at":"2026-01-05"}]')}\n`,
    problems: ['t.csv:2:41 unknown_field messages[0].autor', 't.csv:2:30 missing_field messages[0].author', 't.csv:2:87 missing_field messages[1].body'],
  },
  { name: 'messages not an array', text: `${HEADER}\nT-1,s,1004,open,2026-01-05,${csvCell('{"author":null}')}\n`, problems: ['t.csv:2:28 invalid_value messages'] },
  { name: 'duplicate id names both lines', text: `${HEADER}\n${ROW}\n${ROW}\n`, problems: ['t.csv:3:1 duplicate_id id'], message: 't.csv:3:1: id: expected a unique ticket id, got "T-1" (also on line 2)' },
  { name: 'empty file', text: '', problems: ['t.csv:undefined:undefined empty_file'] },
  { name: 'several problems in file order', text: `${HEADER}\n${ROW.replace(',open,', ',x,')}\n${ROW.replace('T-1', 'T-2')},extra\n`, problems: ['t.csv:2:23 invalid_value status', 't.csv:3:221 field_count'] },
];

for (const c of bad) {
  test(`CSV error: ${c.name}`, () => {
    assert.deepEqual(problems(() => parseTicketsCsv(c.text, 't.csv')), c.problems);
    if (c.message !== undefined) assert.throws(() => parseTicketsCsv(c.text, 't.csv'), (e: ImportErrors) => e.errors[0]?.message === c.message);
  });
}

const J1 = { id: 'T-1', subject: 'Export fails', submitter: '1004', status: 'open', created: '2026-01-05T10:00:00Z', messages: JSON.parse(MESSAGES_JSON) };

test('JSONL: tickets, the export\'s camelCase names, numeric ids, extras kept', () => {
  const camel = { id: 7, subject: null, submitterUserId: 1005, status: 'Closed', createdAt: '2026-01-06T01:00:00+01:00', messages: [{ authorUserId: 1005, at: '2026-01-06T00:00:00Z', body: 'x' }], tags: ['a'] };
  assert.deepEqual(parseTicketsJsonl(`\ufeff${JSON.stringify(J1)}\r\n\r\n${JSON.stringify(camel)}\n`, 't.jsonl'), [
    T1,
    { id: '7', subject: '', submitterUserId: '1005', status: 'closed', createdAt: '2026-01-06T00:00:00.000Z', messages: [{ authorUserId: '1005', at: '2026-01-06T00:00:00.000Z', body: 'x' }], attributes: { tags: '["a"]' } },
  ]);
});

const badJsonl: { name: string; text: string; problems: string[] }[] = [
  { name: 'syntax error with column', text: `${JSON.stringify(J1)}\n{"id": "T-2", x}\n`, problems: ['t.jsonl:2:15 json_syntax'] },
  { name: 'not an object', text: `[1]\n`, problems: ['t.jsonl:1:1 invalid_field'] },
  { name: 'missing field', text: `${JSON.stringify({ ...J1, created: undefined })}\n`, problems: ['t.jsonl:1:1 missing_field created'] },
  { name: 'bad status at the value', text: `${JSON.stringify({ ...J1, status: 'new' })}\n`, problems: ['t.jsonl:1:66 invalid_field status'] },
  { name: 'a bad message author at the value', text: `${JSON.stringify({ ...J1, messages: [{ author: true, at: '2026-01-05', body: '' }] })}\n`, problems: ['t.jsonl:1:128 invalid_field messages[0].author'] },
  { name: 'a message body that is not text', text: `${JSON.stringify({ ...J1, messages: [{ author: null, at: '2026-01-05', body: 3 }] })}\n`, problems: ['t.jsonl:1:158 invalid_field messages[0].body'] },
  { name: 'submitter given twice', text: `${JSON.stringify({ ...J1, submitterUserId: '1' })}\n`, problems: ['t.jsonl:1:281 invalid_field submitterUserId'] },
  { name: 'duplicate id', text: `${JSON.stringify(J1)}\n${JSON.stringify(J1)}\n`, problems: ['t.jsonl:2:7 duplicate_id id'] },
  { name: 'empty file', text: '\n\n', problems: ['t.jsonl:undefined:undefined empty_file'] },
];

for (const c of badJsonl) {
  test(`JSONL error: ${c.name}`, () => {
    assert.deepEqual(problems(() => parseTicketsJsonl(c.text, 't.jsonl')), c.problems);
  });
}

test('readTickets: by extension; an unknown extension is refused', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tickets-'));
  try {
    writeFileSync(join(dir, 't.jsonl'), `${JSON.stringify(J1)}\n`);
    writeFileSync(join(dir, 't.csv'), `${HEADER}\n${ROW}\n`);
    assert.deepEqual(readTickets(join(dir, 't.jsonl')), [T1]);
    assert.deepEqual(readTickets(join(dir, 't.csv')), [T1]);
    assert.throws(() => readTickets(join(dir, 't.xlsx')), (e: ImportError) => e.code === 'unsupported_format');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
