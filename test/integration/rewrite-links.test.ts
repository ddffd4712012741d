// rehome rewrite-links against the reference product (examples/engage) over its REST API, and against an export
// file: dry run with a diff and counts, apply through updateLink, conflicts reported not overwritten, idempotent,
// audited without link text.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rewriteLinksCommand } from '../../src/cli/commands/rewrite-links.ts';
import { createRestProductSource } from '../../src/adapters/product/rest/rest-product-source.ts';
import { rewriteLinks } from '../../src/links/rewrite-links.ts';
import { loadUrlRules } from '../../src/redirects/load-url-rules.ts';
import { openStore } from '../../src/app/rehome-store.ts';
import { seedEngage, type DemoLogins } from '../../examples/engage/seed.ts';
import { startEngage, type EngageServer } from '../../examples/engage/src/engage-server.ts';
import { listStoredLinks } from '../../examples/engage/src/content/stored-links.ts';
import { runCommand } from './rewrite-links-support.ts';

const TOKEN = 'rewrite-links-test-token-0123456789';
let dir: string;
let engage: EngageServer;
let logins: DemoLogins;
let product: string[];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rehome-rewrite-links-'));
  engage = await startEngage({ dbPath: join(dir, 'engage.db'), rehomeApiToken: TOKEN });
  logins = await seedEngage(engage.db, { baseUrl: engage.url, users: 60 });
  writeFileSync(join(dir, 'token'), `${TOKEN}\n`);
  writeFileSync(join(dir, 'rules.json'), JSON.stringify({
    allowedHosts: [engage.url],
    rules: [{
      id: 'engage-assets',
      match: { hosts: [new URL(engage.url).host], path: `/app-${logins.instance}/`, fragment: '{asset}' },
      target: `${engage.url}/#/@{org}/so:{subscription}/engage/{capture.asset}`,
      fallback: `${engage.url}/#/@{org}/so:{subscription}/engage/`,
      org: 'acme',
      subscription: logins.subscriptionId,
    }],
  }));
  product = ['--rules', join(dir, 'rules.json'), '--product-url', `${engage.url}/api/rehome/v1`, '--subscription', logins.subscriptionId, '--product-token-file', join(dir, 'token'), '--db', join(dir, 'rehome.db')];
});

after(async () => {
  await engage.close();
  rmSync(dir, { recursive: true, force: true });
});

const newShape = () => `${engage.url}/#/@acme/so:${logins.subscriptionId}/engage/`;

test('dry run: a diff per kind and counts; nothing written', async () => {
  const beforeTexts = listStoredLinks(engage.db, logins.subscriptionId).map((l) => l.text);
  const r = await runCommand(rewriteLinksCommand, product, dir);
  assert.equal(r.code, 0, r.err + r.out);
  assert.match(r.out, /^Link rewrite \(dry run: nothing written\): \d+ stored links read, \d+ to change/);
  assert.match(r.out, /URLs: \d+ seen, \d+ rewritten, \d+ unchanged, 0 unmatched, 0 refused/);
  for (const kind of ['report_subscription:', 'bookmark:', 'email_template:']) assert.ok(r.out.includes(`\n${kind}\n`), kind);
  assert.ok(r.out.includes(`    - ${engage.url}/app-${logins.instance}/#RP`));
  assert.ok(r.out.includes(`    + ${newShape()}RP`));
  assert.match(r.out, /Run again with --apply to write \d+ stored links\./);
  assert.deepEqual(listStoredLinks(engage.db, logins.subscriptionId).map((l) => l.text), beforeTexts);
});

test('a link edited between reading and writing is reported, not overwritten', async () => {
  const rules = loadUrlRules(join(dir, 'rules.json'));
  const rest = createRestProductSource({ baseUrl: `${engage.url}/api/rehome/v1`, subscriptionId: logins.subscriptionId, token: TOKEN });
  const audit: unknown[] = [];
  let edited = '';
  const source = {
    async listLinks() {
      const links = await rest.listLinks();
      const victim = links.find((l) => l.kind === 'bookmark' && l.text.includes('/app-'))!;
      edited = victim.id;
      await rest.updateLink(victim.id, `${victim.text} (edited by a user)`, victim.text);
      return links;
    },
    updateLink: rest.updateLink,
  };
  const report = await rewriteLinks({ source, rules, apply: true, audit: async (e) => { audit.push(e); }, actor: 'cli:test' });
  const conflict = report.applied!.filter((a) => a.status === 'conflict');
  assert.deepEqual(conflict.map((c) => c.id), [edited]);
  assert.equal(report.appliedCounts!.written, report.plan.toChange - 1);
  const now = listStoredLinks(engage.db, logins.subscriptionId).find((l) => l.id === edited)!;
  assert.match(now.text, /\(edited by a user\)$/);
  assert.ok(now.text.includes('/app-'), 'the edited text was not overwritten');
  assert.equal(audit.length, report.appliedCounts!.written + 1);
});

test('--apply writes the rest through the product, audits without link text, and a second run changes nothing', async () => {
  const r = await runCommand(rewriteLinksCommand, [...product, '--apply'], dir);
  assert.equal(r.code, 0, r.err + r.out);
  assert.match(r.out, /Written: 1; changed meanwhile \(not overwritten\): 0/);
  const texts = listStoredLinks(engage.db, logins.subscriptionId).map((l) => l.text).join('\n');
  assert.ok(!texts.includes(`/app-${logins.instance}/#`), 'no old-shape link is left (the edited bookmark is rewritten on this fresh read)');
  assert.ok(texts.includes(`${newShape()}RP`) && texts.includes('(edited by a user)'));
  const again = await runCommand(rewriteLinksCommand, [...product, '--format', 'json'], dir);
  assert.equal(again.code, 0);
  const report = JSON.parse(again.out);
  assert.equal(report.plan.toChange, 0);
  await using store = await openStore({ kind: 'sqlite', path: join(dir, 'rehome.db') });
  const entries = await store.listAudit({ action: 'links:rewritten' });
  assert.equal(entries.length, 1);
  assert.equal(entries[0]!.actor, 'cli:test');
  assert.equal(entries[0]!.subscriptionId, logins.subscriptionId);
  const runs = await store.listAudit({ action: 'links:rewrite_run' });
  assert.equal(runs.length, 1);
  assert.doesNotMatch(JSON.stringify([...entries, ...runs]), /https?:|Hello|<a /, 'no link text in the audit');
});

test('an export file: unmatched old links are listed (exit 3) and --apply --out writes the rewritten export', async () => {
  const links = [
    { kind: 'bookmark', id: 'b1', field: 'url', text: 'http://old.example/app-ab12/#RP1234A1' },
    { kind: 'bookmark', id: 'b2', field: 'url', text: 'http://old.example/app-ab12/settings' },
    { kind: 'email_template', id: 't1', field: 'html', text: '<a href="http://old.example/app-ab12/#RP9">r</a> and https://elsewhere.example/' },
  ];
  writeFileSync(join(dir, 'links.jsonl'), links.map((l) => JSON.stringify(l)).join('\n'));
  writeFileSync(join(dir, 'file-rules.json'), JSON.stringify({ allowedHosts: ['new.example'], rules: [
    { match: { hosts: ['old.example'], path: '/app-ab12/', fragment: '{r}' }, target: 'https://new.example/#/@acme/so:123-ABC-456/engage/{capture.r}' },
  ] }));
  const args = ['--rules', join(dir, 'file-rules.json'), '--links', join(dir, 'links.jsonl'), '--db', join(dir, 'file.db')];
  const dry = await runCommand(rewriteLinksCommand, args, dir);
  assert.equal(dry.code, 3, dry.err);
  assert.match(dry.out, /URLs: 4 seen, 2 rewritten, 1 unchanged, 1 unmatched, 0 refused/);
  assert.match(dry.out, /Old links no rule rewrote \(add or fix a rule\):\n {2}bookmark b2 \(url\): http:\/\/old.example\/app-ab12\/settings/);
  const noOut = await runCommand(rewriteLinksCommand, [...args, '--apply'], dir);
  assert.equal(noOut.code, 2);
  assert.match(noOut.err, /--apply with --links needs --out FILE/);
  const applied = await runCommand(rewriteLinksCommand, [...args, '--apply', '--out', join(dir, 'links-new.jsonl')], dir);
  assert.equal(applied.code, 3);
  const written = readFileSync(join(dir, 'links-new.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(written.map((l) => l.text), [
    'https://new.example/#/@acme/so:123-ABC-456/engage/RP1234A1',
    'http://old.example/app-ab12/settings',
    '<a href="https://new.example/#/@acme/so:123-ABC-456/engage/RP9">r</a> and https://elsewhere.example/',
  ]);
});

test('bad rules: every problem with its path, exit 2, nothing read or written', async () => {
  writeFileSync(join(dir, 'bad-rules.json'), JSON.stringify({ allowedHosts: ['new.example'], rules: [{ match: { path: '/x' }, target: 'https://evil.example/{foo}' }] }));
  const r = await runCommand(rewriteLinksCommand, ['--rules', join(dir, 'bad-rules.json'), '--links', join(dir, 'missing.jsonl')], dir);
  assert.equal(r.code, 2);
  assert.match(r.err, /bad-rules.json: rules\[0\].target: unknown placeholder \{foo\}/);
  assert.match(r.err, /Nothing was written/);
});
