// Issue 13: the readiness reason table (console and downloaded HTML) read 'The user signs in as "", which...',
// "ends this user's access on ; the IMS..." and "The matching IMS account is ;", and showed raw codes where a
// person reads. A generated population that hits every reason code, rendered every way a person reads it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generatePopulation } from '../../src/population/generate-population.ts';
import { planReadiness } from '../../src/core/readiness/plan-readiness.ts';
import { REASONS } from '../../src/core/readiness/reasons.ts';
import { READINESS_STATUSES, type ReasonCode } from '../../src/core/readiness/report.ts';
import { renderReadinessHtml } from '../../src/reports/readiness-html.ts';
import { renderReadinessCsv } from '../../src/reports/readiness-csv.ts';
import { renderReadinessTable } from '../../src/reports/readiness-table.ts';
import { renderReadinessPage } from '../../src/console/pages/readiness-page.ts';

const prod = generatePopulation({ users: 400, seed: 7 });
// The same people (same seed) in a second subscription: in_several_subscriptions.
const sandbox = generatePopulation({ users: 40, seed: 7, subscriptionId: '123-ABC-999', subscriptionName: 'Acme Marketing (sandbox)' });
const report = planReadiness({
  subscriptions: [{ subscription: prod.subscription, users: prod.users }, { subscription: sandbox.subscription, users: sandbox.users }],
  ims: { accounts: prod.imsAccounts },
});
const CODES = Object.keys(REASONS) as ReasonCode[];
// Codes that are English words too (`locked`, `deactivated`, `blocked`) cannot be told from the sentences.
const RAW = new RegExp(`\\b(${[...CODES, ...READINESS_STATUSES].filter((c) => c.includes('_')).join('|')})\\b`);
/** Blanks a template leaves when its detail is lost. */
const BLANKS = [/""/, / ; /, /on ;/, / as ""/, /\(\)/, /: \./, / \./];

/** The text a person reads in a page: no markup, no script or style, no attributes; `<code>` kept apart if asked. */
function visibleText(html: string, opts: { dropCode?: boolean } = {}): string {
  let s = html.replace(/<script[\s\S]*?<\/script>|<style[\s\S]*?<\/style>/g, ' ');
  if (opts.dropCode) s = s.replace(/<code>[\s\S]*?<\/code>/g, ' ');
  return s.replace(/<[^>]*>/g, ' ').replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n))).replace(/&amp;/g, '&').replace(/[ \t]+/g, ' ');
}

function assertComplete(where: string, text: string): void {
  for (const blank of BLANKS) {
    const m = blank.exec(text);
    assert.equal(m, null, `${where}: a blank (${blank}) in "…${m ? text.slice(Math.max(0, m.index - 60), m.index + 30) : ''}…"`);
  }
}

test('the generated population hits every reason code and every status', () => {
  for (const code of CODES) assert.ok(report.summary.byReason[code], `no user with ${code}`);
  for (const status of READINESS_STATUSES) assert.ok(report.summary.byStatus[status] > 0, `no ${status} user`);
});

test('every sentence of every user is complete: its detail in place, or written without it', () => {
  for (const u of report.users) for (const r of u.reasons) assertComplete(`${u.id} ${r.code}`, `${r.message} ${r.fix}`);
  const expires = report.users.flatMap((u) => u.reasons).find((r) => r.code === 'access_expires')!;
  assert.match(expires.message, /access on \d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d America\/Los_Angeles;/, 'the date in the subscription\'s zone and the one format');
});

test('the downloaded HTML report: complete sentences, labels where people read, codes only as codes', () => {
  const html = renderReadinessHtml(report, { generatedAt: '2026-12-01T00:00:00Z' });
  const text = visibleText(html, { dropCode: true });
  assertComplete('HTML report', text);
  assert.doesNotMatch(text, RAW, 'no raw code outside <code>');
  for (const code of CODES) {
    assert.ok(text.includes(REASONS[code].label), `the label of ${code}`);
    assert.ok(html.includes(`<code>${code}</code>`), `the code ${code} kept beside its label`);
  }
  const admin = prod.users.find((u) => u.id === report.summary.adminsNotReady[0])!;
  assert.ok(text.includes(`${admin.firstName} ${admin.lastName} (${admin.id})`), 'the admin not ready, by name and id');
});

test('the console readiness page, on every reason filter: complete sentences and labels, no raw code', () => {
  const pages = [null, ...CODES].map((reason) => renderReadinessPage({ subscriptionId: prod.subscription.id, report, snapshotAt: '2026-12-01T00:00:00Z', query: { status: null, reason, q: '', page: 1 } }).value);
  for (const [i, html] of pages.entries()) {
    const text = visibleText(html);
    assertComplete(`console page ${i}`, text);
    assert.doesNotMatch(text, RAW, `console page ${i}: no raw code where a label belongs`);
  }
  const first = visibleText(pages[0]!);
  for (const code of CODES) assert.ok(first.includes(REASONS[code].label), `the reason table shows the label of ${code}`);
  assert.ok(pages[0]!.indexOf('id="readiness-filters"') < pages[0]!.indexOf('id="readiness-reasons"'), 'the filters come before the reason table');
});

test('the CSV: codes for scripts, complete sentences and labels for people', () => {
  const [header, ...rows] = renderReadinessCsv(report).trim().split('\r\n');
  const cols = header!.split(',');
  assert.deepEqual(cols.slice(-2), ['status_label', 'reason_labels']);
  const parsed = rows.map(parseCsvRow);
  for (const row of parsed) {
    const at = (c: string) => row[cols.indexOf(c)]!;
    const words = [at('messages'), at('fixes'), at('status_label'), at('reason_labels')].join(' | ');
    assertComplete(`CSV ${at('id')}`, words);
    assert.doesNotMatch(words, RAW, `CSV ${at('id')}: no raw code in the columns people read`);
    assert.equal(at('reason_labels').split('; ').filter(Boolean).length, at('reason_codes').split(';').filter(Boolean).length, 'one label per code');
  }
});

test('the terminal table names each reason by its label beside its code', () => {
  const table = renderReadinessTable(report, { limit: 0 });
  for (const code of CODES) assert.match(table, new RegExp(`${REASONS[code].label.replace(/[.+()]/g, '\\$&')}\\s+\\d+\\s+${code}`));
  assertComplete('table', table);
});

function parseCsvRow(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') { cur += '"'; i++; } else if (c === '"') quoted = false; else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { out.push(cur); cur = ''; } else cur += c;
  }
  out.push(cur);
  return out;
}
