// Readiness and import at scale, through the CLI as a person runs them: generates N users (default 1,000,000) with
// every readiness case mixed in, writes the users CSV, the Admin Console CSV and the subscription, then times
//   0. the reference: python3's csv module (C) reading the users CSV, nothing else;
//   1. `rehome readiness` from the files, once per format (table, json, csv, html) into --out;
//   2. the snapshot import alone (bench/import.ts) and all of `rehome import` (which also mirrors the export's
//      accounts into the embedded IMS), into SQLite and into PostgreSQL (127.0.0.1:5432; skipped when unreachable).
// Each command runs in its own process under /usr/bin/time -v: wall time and peak RSS of that process.
// Usage: npm run bench -- [--users N] [--formats table,json,csv,html] [--skip-postgres] [--skip-import] [--cli-import] [--nice 10]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { generatePopulation } from '../src/population/generate-population.ts';
import { writeProductUsersCsv } from '../src/exporters/product-users-csv.ts';
import { writeImsDirectoryCsv } from '../src/exporters/ims-directory-csv.ts';
import { describeMachine } from './machine.ts';

const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '1000000' },
    formats: { type: 'string', default: 'table,json,csv,html' },
    'skip-postgres': { type: 'boolean', default: false },
    'skip-import': { type: 'boolean', default: false },
    // All of `rehome import`: adds mirroring the export's accounts into the embedded IMS (minutes at 1M, not snapshot work).
    'cli-import': { type: 'boolean', default: false },
    nice: { type: 'string', default: '10' },
  },
});
const n = Number(values.users);
console.log(describeMachine());
console.log(`users: ${n.toLocaleString('en')}`);

const dir = mkdtempSync(join(tmpdir(), 'rehome-bench-'));
const files = { users: join(dir, 'users.csv'), ims: join(dir, 'ims.csv'), subscription: join(dir, 'subscription.json') };
{
  const gen = generatePopulation({ users: n, seed: 1 });
  writeFileSync(files.users, writeProductUsersCsv(gen.users, ['department']));
  writeFileSync(files.ims, writeImsDirectoryCsv(gen.imsAccounts));
  writeFileSync(files.subscription, JSON.stringify(gen.subscription, null, 2));
  console.log(`generated ${gen.users.length.toLocaleString('en')} users, ${gen.imsAccounts.length.toLocaleString('en')} IMS accounts in ${dir}`);
}

interface Run { seconds: number; cpuSeconds: number; peakMb: number; status: number | null }

/** One command under GNU time: its wall time and the peak RSS of the process. */
function timed(argv: string[], env: NodeJS.ProcessEnv = process.env): Run {
  const r = spawnSync('/usr/bin/time', ['-v', 'nice', '-n', String(values.nice), ...argv], { env, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)/.exec(r.stderr);
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr);
  const user = /User time \(seconds\): ([\d.]+)/.exec(r.stderr);
  const system = /System time \(seconds\): ([\d.]+)/.exec(r.stderr);
  if (!wall || !rss || !user || !system) throw new Error(`no timing for ${argv.join(' ')}:\n${r.stderr.slice(-2000)}`);
  const seconds = Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3]);
  return { seconds, cpuSeconds: Number(user[1]) + Number(system[1]), peakMb: Number(rss[1]) / 1024, status: r.status };
}

const node = process.execPath;
const reference = timed(['python3', '-c', 'import csv,sys; sum(1 for _ in csv.reader(open(sys.argv[1])))', files.users]);
// Wall time is what a person waits; on a shared machine the CPU time (user + system) is the steadier comparison.
const line = (label: string, r: Run) =>
  console.log(`${label.padEnd(40)} ${r.seconds.toFixed(1).padStart(6)} s ${(r.seconds / reference.seconds).toFixed(1).padStart(5)}x  cpu ${r.cpuSeconds.toFixed(1).padStart(6)} s ${(r.cpuSeconds / reference.cpuSeconds).toFixed(1).padStart(5)}x  peak RSS ${r.peakMb.toFixed(0).padStart(5)} MB${r.status !== 0 && r.status !== 3 ? `  (exit ${r.status})` : ''}`);
line('C csv read (python3 csv module)', reference);

const inputs = ['--users', files.users, '--ims', files.ims, '--subscription', files.subscription];
for (const format of String(values.formats).split(',')) {
  line(`readiness --format ${format}`, timed([node, 'bin/rehome.ts', 'readiness', ...inputs, '--format', format, '--out', join(dir, `report.${format}`)]));
}

if (!values['skip-import']) {
  line('snapshot import into SQLite', timed([node, 'bench/import.ts', ...inputs, '--db', join(dir, 'snap.db')]));
  if (values['cli-import']) line('rehome import into SQLite', timed([node, 'bin/rehome.ts', 'import', ...inputs, '--store', 'sqlite', '--db', join(dir, 'bench.db')]));
  if (!values['skip-postgres']) {
    const admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
    const db = `rehome_bench_${process.pid}`;
    try {
      await admin.connect();
      await admin.query(`CREATE DATABASE ${db}`);
      try {
        const url = `postgres://postgres@127.0.0.1:5432/${db}`;
        line('snapshot import into PostgreSQL (COPY)', timed([node, 'bench/import.ts', ...inputs, '--url', url]));
        const env = { ...process.env, REHOME_STORE: 'postgres', REHOME_DATABASE_URL: url };
        if (values['cli-import']) line('rehome import into PostgreSQL', timed([node, 'bin/rehome.ts', 'import', ...inputs], env));
      } finally {
        await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
      }
    } catch (e) {
      console.log(`postgres: skipped (${(e as Error).message})`);
    } finally {
      await admin.end().catch(() => {});
    }
  }
}
rmSync(dir, { recursive: true, force: true });
