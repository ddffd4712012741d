import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { readCsv } from './csv-reader.ts';
import { readCsvChunks } from './csv-stream.ts';
import { ImportErrorCollector } from './import-error.ts';
import { jsonlLines, jsonlLinesOfChunks } from './jsonl-lines.ts';
import { readTextChunks, readTextFile } from './text-file.ts';

function* pieces(text: string, size: number): Generator<string> {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}

/** Rows, their positions and every problem (with its place), as the whole-text reader sees them. */
function readAll(table: ReturnType<typeof readCsv>, errors: ImportErrorCollector) {
  const rows = [...table.rows].map((r) => ({ values: r.values, line: r.line, last: table.locate(r, r.values.length - 1) }));
  return { header: table.header, rows, problems: errors.errors.map((e) => e.message) };
}

const TRICKY = '\ufeffid , name,note\r\n1,"a, ""b""",x\r\n\r\n  \n2,"multi\r\nline\nfield",  y  \r3,stray"quote,z\n4,"closed"after,w\n5,too,many,fields\n6,short\n7,"end",\r\n';

test('a CSV read in chunks gives the rows, lines, columns and problems of the whole-text reader, wherever the chunks end', () => {
  const texts = [TRICKY, TRICKY.replace(/\r\n$/, ''), readFileSync('examples/acme/users.csv', 'utf8'), readFileSync('examples/acme/ims-directory.csv', 'utf8')];
  for (const text of texts) {
    const whole = new ImportErrorCollector(1000);
    const expected = readAll(readCsv(text, 'f.csv', whole), whole);
    for (const size of [1, 2, 3, 5, 7, 64, 4096]) {
      const errors = new ImportErrorCollector(1000);
      assert.deepEqual(readAll(readCsvChunks(pieces(text, size), 'f.csv', errors), errors), expected, `chunks of ${size}`);
    }
  }
});

test('an unterminated quote is reported once, at the end of the streamed file', () => {
  const errors = new ImportErrorCollector(1000);
  const table = readCsvChunks(pieces('a,b\n1,"open\n2,3\n', 3), 'f.csv', errors);
  assert.equal([...table.rows].length, 0);
  assert.deepEqual(errors.errors.map((e) => e.message), ['f.csv:2:3: unterminated quoted field: the closing " is missing']);
});

test('JSON lines read in chunks are the lines of the whole text', () => {
  const texts = ['\ufeff{"a":1}\r\n\n {"b":2}\n{"c":3}', '{"a":1}\n', '', '\ufeff', readFileSync('examples/acme/tickets.jsonl', 'utf8')];
  for (const text of texts) {
    for (const size of [1, 2, 3, 10, 4096]) assert.deepEqual([...jsonlLinesOfChunks(pieces(text, size))], [...jsonlLines(text)], `${JSON.stringify(text.slice(0, 20))} in ${size}`);
  }
});

test('a file read in chunks is the text read whole, multi-byte characters and line ends wherever the chunks fall', () => {
  for (const file of ['examples/acme/users.csv', 'examples/acme/ims-directory.csv', 'examples/acme/tickets.jsonl']) {
    const whole = readTextFile(file);
    for (const size of [1, 2, 3, 4, 5, 7, 64, 4096]) {
      const chunks = [...readTextChunks(file, size)];
      assert.equal(chunks.join(''), whole, `${file} in ${size}-byte reads`);
      // Chunks end at a line end whenever a read holds one, so records are rarely cut.
      if (size >= 4096) assert.ok(chunks.slice(0, -1).every((c) => c.endsWith('\n')), `${file}: chunks end lines`);
    }
  }
});
