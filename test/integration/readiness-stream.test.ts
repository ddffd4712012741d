import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadFileInputs } from '../../src/app/load-inputs.ts';
import { planReadiness } from '../../src/core/readiness/plan-readiness.ts';
import { writeProductUsersCsv } from '../../src/exporters/product-users-csv.ts';
import { writeImsDirectoryCsv } from '../../src/exporters/ims-directory-csv.ts';
import { generatePopulation } from '../../src/population/generate-population.ts';
import { renderReadinessCsv } from '../../src/reports/readiness-csv.ts';
import { renderReadinessHtml } from '../../src/reports/readiness-html.ts';
import { renderReadinessTable } from '../../src/reports/readiness-table.ts';
import { example, runRehome, tempDir } from '../support/rehome-cli.ts';

/** The report the way it was made before streaming: every user in memory, then rendered whole. */
async function inMemory(files: { users: string[]; ims: string; subscriptions: string[] }) {
  const inputs = await loadFileInputs(files);
  return planReadiness({ subscriptions: inputs.snapshots, ims: inputs.ims });
}

const withoutDate = (html: string) => html.replace(/<p>Generated [^<]*<\/p>/, '');

async function assertSameReports(dir: string, files: { users: string[]; ims: string; subscriptions: string[] }, stdout: boolean): Promise<void> {
  const report = await inMemory(files);
  const expected: Record<string, string> = {
    // JSON.stringify itself, not the streamed writer's code: the writer serialises each user by hand.
    json: `${JSON.stringify(report, null, 2)}\n`,
    csv: renderReadinessCsv(report),
    html: withoutDate(renderReadinessHtml(report, { generatedAt: 'x' })),
    table: renderReadinessTable(report, { limit: 100 }),
  };
  const args = [...files.subscriptions.flatMap((s, i) => ['--subscription', s, '--users', files.users[i]!]), '--ims', files.ims];
  for (const format of ['json', 'csv', 'html', 'table']) {
    const out = join(dir, `report.${format}`);
    const run = runRehome(['readiness', ...args, '--format', format, '--out', out], dir);
    assert.equal(run.code, report.summary.byStatus.blocked > 0 ? 3 : 0, run.err);
    const text = readFileSync(out, 'utf8');
    assert.equal(format === 'html' ? withoutDate(text) : text, expected[format], `${format} differs`);
    if (!stdout) continue;
    // Standard output carries the same report (small inputs only: the test helper buffers 1 MiB of output).
    const printed = runRehome(['readiness', ...args, '--format', format], dir);
    assert.equal(format === 'html' ? withoutDate(printed.out) : printed.out, expected[format], `${format} on stdout differs`);
  }
}

test('the streamed report equals the in-memory one in every format, on generated users of every kind', async (t) => {
  const dir = tempDir(t);
  const gen = generatePopulation({ users: 3000, seed: 11 });
  const files = { users: [join(dir, 'users.csv')], ims: join(dir, 'ims.csv'), subscriptions: [join(dir, 'subscription.json')] };
  writeFileSync(files.users[0]!, writeProductUsersCsv(gen.users, ['department']));
  writeFileSync(files.ims, writeImsDirectoryCsv(gen.imsAccounts));
  writeFileSync(files.subscriptions[0]!, JSON.stringify(gen.subscription));
  await assertSameReports(dir, files, false);
});

test('the streamed report equals the in-memory one for production and sandbox together, users out of id order', async (t) => {
  const dir = tempDir(t);
  // Reversed rows: the report order (admins, then ids) is made by the run, not inherited from the file.
  const [header, ...rows] = readFileSync(example('users.csv'), 'utf8').replace(/^\ufeff/, '').trimEnd().split('\r\n');
  const reversed = join(dir, 'users-reversed.csv');
  writeFileSync(reversed, [header, ...rows.reverse()].join('\r\n') + '\r\n');
  assert.ok(!rows.some((r) => r.includes('"') && r.includes('\n')), 'the example has no multi-line cells to split wrongly');
  await assertSameReports(dir, {
    users: [reversed, example('sandbox-users.csv')],
    ims: example('ims-directory.csv'),
    subscriptions: [example('subscription.json'), example('sandbox-subscription.json')],
  }, true);
});

test('a bad input file writes no report: exit 2, the place named, no --out file', (t) => {
  const dir = tempDir(t);
  const users = join(dir, 'users.csv');
  writeFileSync(users, readFileSync(example('users.csv'), 'utf8').replace(/,true,/, ',yes,'));
  const out = join(dir, 'report.json');
  const run = runRehome(['readiness', '--users', users, '--ims', example('ims-directory.csv'), '--subscription', example('subscription.json'), '--format', 'json', '--out', out], dir);
  assert.equal(run.code, 2);
  assert.match(run.err, /users\.csv:\d+:\d+: email_verified: expected true or false, got "yes"/);
  assert.throws(() => readFileSync(out), /ENOENT/);
});
