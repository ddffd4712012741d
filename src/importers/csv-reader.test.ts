import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readCsv, type CsvTable } from './csv-reader.ts';
import { ImportErrorCollector, ImportErrors } from './import-error.ts';

function rows(table: CsvTable): string[][] {
  return [...table.rows].map((r) => r.values);
}

const cases: { name: string; text: string; header: string[]; rows: string[][] }[] = [
  { name: 'plain LF', text: 'a,b\n1,2\n3,4\n', header: ['a', 'b'], rows: [['1', '2'], ['3', '4']] },
  { name: 'CRLF', text: 'a,b\r\n1,2\r\n3,4\r\n', header: ['a', 'b'], rows: [['1', '2'], ['3', '4']] },
  { name: 'bare CR', text: 'a,b\r1,2\r3,4', header: ['a', 'b'], rows: [['1', '2'], ['3', '4']] },
  { name: 'no final newline', text: 'a,b\n1,2', header: ['a', 'b'], rows: [['1', '2']] },
  { name: 'BOM', text: '\ufeffa,b\n1,2\n', header: ['a', 'b'], rows: [['1', '2']] },
  { name: 'quoted comma', text: 'a,b\n"x, y",2\n', header: ['a', 'b'], rows: [['x, y', '2']] },
  { name: 'doubled quotes', text: 'a,b\n"say ""hi""",""\n', header: ['a', 'b'], rows: [['say "hi"', '']] },
  { name: 'embedded newlines', text: 'a,b\n"l1\nl2\r\nl3",2\n', header: ['a', 'b'], rows: [['l1\nl2\r\nl3', '2']] },
  { name: 'blank lines skipped', text: '\na,b\n\n1,2\r\n   \r\n\n3,4\n\n', header: ['a', 'b'], rows: [['1', '2'], ['3', '4']] },
  { name: 'spaces trimmed outside quotes', text: ' a , b \n 1 ,\t2  \n  " x " , 3\n', header: ['a', 'b'], rows: [['1', '2'], [' x ', '3']] },
  { name: 'empty fields', text: 'a,b,c\n,,\n1,,\n', header: ['a', 'b', 'c'], rows: [['', '', ''], ['1', '', '']] },
  { name: 'header only', text: 'a,b\n', header: ['a', 'b'], rows: [] },
  { name: 'empty text', text: '', header: [], rows: [] },
];

for (const c of cases) {
  test(`readCsv: ${c.name}`, () => {
    const table = readCsv(c.text, 'x.csv');
    assert.deepEqual(table.header.map((h) => h.value), c.header);
    assert.deepEqual(rows(table), c.rows);
  });
}

test('readCsv: rows can be iterated twice', () => {
  const table = readCsv('a\n1\n2\n', 'x.csv');
  assert.deepEqual(rows(table), rows(table));
});

test('readCsv: header cells and rows carry physical lines and columns', () => {
  const table = readCsv('\ufeffid, name,x\n\n1,"multi\nline",  z\n2,b,c\n', 'x.csv');
  assert.deepEqual(
    table.header.map((h) => [h.value, h.line, h.column]),
    [['id', 1, 1], ['name', 1, 5], ['x', 1, 10]],
  );
  const [first, second] = [...table.rows];
  assert.ok(first && second);
  assert.equal(first.line, 3);
  assert.deepEqual(table.locate(first, 0), { line: 3, column: 1 });
  assert.deepEqual(table.locate(first, 1), { line: 3, column: 3 });
  assert.deepEqual(table.locate(first, 2), { line: 4, column: 9 });
  assert.equal(second.line, 5);
  assert.deepEqual(table.locate(second, 2), { line: 5, column: 5 });
});

const syntaxCases: { name: string; text: string; code: string; at: string }[] = [
  { name: 'unterminated quote', text: 'a,b\n1,"open\n2,3\n', code: 'csv_syntax', at: 'x.csv:2:3' },
  { name: 'stray quote in unquoted field', text: 'a,b\n1,ab"c\n', code: 'csv_syntax', at: 'x.csv:2:5' },
  { name: 'text after closing quote', text: 'a,b\n"x"y,2\n', code: 'csv_syntax', at: 'x.csv:2:4' },
  { name: 'too many fields', text: 'a,b\n1,2\n1,2,3\n', code: 'field_count', at: 'x.csv:3:5' },
  { name: 'too few fields', text: 'a,b,c\n1,2\n', code: 'field_count', at: 'x.csv:2:3' },
  { name: 'position after a multi-line field', text: 'a,b\n"1\n\n", x"\n', code: 'csv_syntax', at: 'x.csv:4:5' },
];

for (const c of syntaxCases) {
  test(`readCsv error: ${c.name}`, () => {
    const errors = new ImportErrorCollector();
    const table = readCsv(c.text, 'x.csv', errors);
    const read = [...table.rows];
    assert.ok(read.length <= 2);
    assert.equal(errors.count, 1, errors.errors.map((e) => e.message).join('\n'));
    const [e] = errors.errors;
    assert.equal(e?.code, c.code);
    assert.equal(`${e.file}:${e.line}:${e.column}`, c.at);
    assert.ok(e.message.startsWith(`${c.at}: `), e.message);
  });
}

test('readCsv: by default the first syntax error is thrown', () => {
  assert.throws(() => [...readCsv('a\n"x\n', 'x.csv').rows], (e: unknown) => e instanceof ImportErrors && e.errors[0]?.code === 'csv_syntax');
});

test('readCsv: after a stray quote, later rows still read and later problems still show', () => {
  const errors = new ImportErrorCollector();
  const table = readCsv('a,b\n1,x"y\n2,3\n4,5,6\n', 'x.csv', errors);
  assert.deepEqual(rows(table), [['1', 'x"y'], ['2', '3']]);
  assert.deepEqual(errors.errors.map((e) => [e.code, e.line]), [['csv_syntax', 2], ['field_count', 4]]);
});
