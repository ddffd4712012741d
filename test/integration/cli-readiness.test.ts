import { runRehome, tempDir as tempDirOf } from '../support/rehome-cli.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REASONS } from '../../src/core/readiness/reasons.ts';
import type { ReadinessReport } from '../../src/core/readiness/report.ts';
import { openStore } from '../../src/app/rehome-store.ts';

const root = new URL('../../', import.meta.url).pathname;
const ex = (f: string) => join(root, 'examples/acme', f);
const files = ['--users', ex('users.csv'), '--ims', ex('ims-directory.csv'), '--subscription', ex('subscription.json')];



test('readiness on the example data: table by default, exit 3 because some users are blocked', (t) => {
  const r = rehome(['readiness', ...files], tempDir(t));
  assert.equal(r.code, 3, r.err);
  assert.match(r.out, /Readiness of 300 users in 1 subscription/);
  assert.match(r.out, /admins: NOT ready/);
});

test('the example subscriptions exercise every status and every reason code', (t) => {
  const dir = tempDir(t);
  const r = rehome(['readiness', ...files, '--users', ex('sandbox-users.csv'), '--subscription', ex('sandbox-subscription.json'), '--format', 'json', '--out', 'r.json'], dir);
  assert.equal(r.code, 3, r.err);
  const report = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')) as ReadinessReport;
  for (const [status, n] of Object.entries(report.summary.byStatus)) assert.ok(n > 0, `no ${status} user`);
  for (const code of Object.keys(REASONS)) assert.ok(report.summary.byReason[code as keyof typeof REASONS], `no user with ${code}`);
  assert.equal(report.summary.subscriptions.length, 2);
  assert.ok(report.users.slice(0, report.summary.admins).every((u) => u.admin), 'admins come first');
});

test('csv and html outputs are complete and self-contained', (t) => {
  const dir = tempDir(t);
  assert.equal(rehome(['readiness', ...files, '--format', 'csv', '--out', 'r.csv'], dir).code, 3);
  const csv = readFileSync(join(dir, 'r.csv'), 'utf8').trim().split('\r\n');
  assert.equal(csv.length, 301);
  assert.match(csv[0]!, /^subscription_id,id,email,normalized_email,status,admin,reason_codes/);
  assert.equal(rehome(['readiness', ...files, '--format', 'html', '--out', 'r.html'], dir).code, 3);
  const html = readFileSync(join(dir, 'r.html'), 'utf8');
  assert.match(html, /^<!doctype html>/);
  assert.doesNotMatch(html, /<link |<script src=|https?:\/\/(?!www\.w3)/, 'no external resources');
  assert.equal((html.match(/<tr data-status=/g) ?? []).length, 300);
});

test('bad input: every problem with file:line:column, exit 2, nothing stored', (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'users.csv'), 'id,login,email,email_verified,first_name,last_name,status,api_only,sso,last_login,access\r\n1,a,a@x.example,maybe,A,B,active,false,false,,W/P:R\r\n2,b,b@x.example,true,A,B,gone,false,false,,\r\n');
  const r = rehome(['import', '--users', 'users.csv', '--ims', ex('ims-directory.csv'), '--subscription', ex('subscription.json')], dir);
  assert.equal(r.code, 2);
  assert.match(r.err, /users\.csv:2:\d+: email_verified: expected true or false, got "maybe"/);
  assert.match(r.err, /users\.csv:3:\d+: status: expected/);
  assert.match(r.err, /Nothing was stored/);
  assert.equal(existsSync(join(dir, '.rehome/rehome.db')), false);
});

test('cross-file check: a subscription admin missing from the users file is named', (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'users.csv'), 'id,login,email,email_verified,first_name,last_name,status,api_only,sso,last_login,access\n7,a,a@x.example,true,A,B,active,false,false,,\n');
  const r = rehome(['readiness', '--users', 'users.csv', '--ims', ex('ims-directory.csv'), '--subscription', ex('subscription.json')], dir);
  assert.equal(r.code, 2);
  assert.match(r.err, /subscription\.json:1:1: admins\[0\]: expected the id of a product user in users\.csv, got "1001"/);
});

test('import stores a snapshot; readiness from the store saves the run and audits it', async (t) => {
  const dir = tempDir(t);
  const imp = rehome(['import', ...files], dir);
  assert.equal(imp.code, 0, imp.err);
  assert.match(imp.out, /imported subscription 123-ABC-456: 300 users/);
  const r = rehome(['readiness', '--stored', '123-ABC-456', '--format', 'json'], dir);
  assert.equal(r.code, 3, r.err);
  const fromStore = JSON.parse(r.out) as ReadinessReport;
  const fromFiles = JSON.parse(rehome(['readiness', ...files, '--format', 'json'], dir).out) as ReadinessReport;
  assert.deepEqual(fromStore, fromFiles, 'a stored snapshot decides exactly like the files it came from');
  await using store = await openStore({ kind: 'sqlite', path: join(dir, '.rehome/rehome.db') });
  const audit = await store.listAudit({ subscriptionId: '123-ABC-456' });
  assert.deepEqual(audit.map((a) => a.action), ['snapshot:imported', 'readiness:run']);
  assert.doesNotMatch(JSON.stringify(audit), /@acme\.example/, 'audit details carry counts, not addresses');
  assert.equal(rehome(['readiness', '--stored', 'NOPE'], dir).code, 2);
});

test('usage errors exit 2 with a pointer to --help', (t) => {
  const dir = tempDir(t);
  assert.equal(rehome([], dir).code, 2);
  const r = rehome(['readiness', '--bogus'], dir);
  assert.equal(r.code, 2);
  assert.match(r.err, /--help/);
  assert.equal(rehome(['readiness', ...files, '--format', 'pdf'], dir).code, 2);
  assert.equal(rehome(['readiness', '--help'], dir).code, 0);
});

function rehome(args: string[], cwd: string) {
  return runRehome(args, cwd);
}

function tempDir(t: { after(fn: () => void): void }): string {
  return tempDirOf(t, 'rehome-cli-');
}
