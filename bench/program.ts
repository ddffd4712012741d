// The fleet at scale, through the CLI as an operator runs it: writes a fleet of N subscriptions and M users
// (scripts/make-example-fleet.ts `writeFleet`: most subscriptions under 75 users, a long tail up to 50,000, every
// readiness case mixed in), then times `rehome program import --dir` and `rehome program plan` into SQLite and
// PostgreSQL (127.0.0.1:5432; skipped when unreachable), each in its own process under /usr/bin/time -v: wall time,
// CPU time and peak RSS of that process. With the embedded IMS (the default) the first import also mirrors the
// export's accounts into it (importSnapshots, one IMS transaction per account); `--idp external` configures an
// external IdP (never called: import and plan with --max-users-per-day send it nothing), which leaves that out.
// Usage: node bench/program.ts [--subscriptions 5000] [--users 2000000] [--dir DIR --keep] [--skip-postgres] [--skip-sqlite] [--idp embedded|external] [--nice 10]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { writeFleet } from '../scripts/make-example-fleet.ts';
import { describeMachine } from './machine.ts';

const { values } = parseArgs({
  options: {
    subscriptions: { type: 'string', default: '5000' },
    users: { type: 'string', default: '2000000' },
    dir: { type: 'string' },
    keep: { type: 'boolean', default: false },
    'skip-postgres': { type: 'boolean', default: false },
    'skip-sqlite': { type: 'boolean', default: false },
    idp: { type: 'string', default: 'embedded' },
    nice: { type: 'string', default: '10' },
  },
});
console.log(describeMachine());
const work = mkdtempSync(join(tmpdir(), 'rehome-bench-program-'));
const fleet = values.dir ?? join(work, 'fleet');
if (values.dir && existsSync(join(fleet, 'ims-directory.csv'))) {
  console.log(`fleet: reusing ${fleet}`);
} else {
  const started = performance.now();
  const s = writeFleet(fleet, { subscriptions: Number(values.subscriptions), users: Number(values.users), seed: 2026 });
  console.log(`fleet: ${s.subscriptions.toLocaleString('en')} subscriptions, ${s.users.toLocaleString('en')} users, ${s.imsAccounts.toLocaleString('en')} IMS accounts, written to ${fleet} in ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

interface Run { seconds: number; cpuSeconds: number; peakMb: number; status: number | null; out: string }

function timed(argv: string[], env: NodeJS.ProcessEnv): Run {
  const r = spawnSync('/usr/bin/time', ['-v', 'nice', '-n', String(values.nice), ...argv], { env, encoding: 'utf8', maxBuffer: 256 * 2 ** 20 });
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)/.exec(r.stderr);
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr);
  const user = /User time \(seconds\): ([\d.]+)/.exec(r.stderr);
  const system = /System time \(seconds\): ([\d.]+)/.exec(r.stderr);
  if (!wall || !rss || !user || !system) throw new Error(`no timing for ${argv.join(' ')}:\n${r.stderr.slice(-2000)}`);
  return { seconds: Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3]), cpuSeconds: Number(user[1]) + Number(system[1]), peakMb: Number(rss[1]) / 1024, status: r.status, out: r.stdout };
}

const line = (label: string, r: Run) => console.log(`${label.padEnd(44)} ${r.seconds.toFixed(1).padStart(7)} s  cpu ${r.cpuSeconds.toFixed(1).padStart(7)} s  peak RSS ${r.peakMb.toFixed(0).padStart(5)} MB  exit ${r.status}`);
const rehome = (...args: string[]) => [process.execPath, 'bin/rehome.ts', ...args];

function runAll(label: string, env: NodeJS.ProcessEnv, db: string[]): void {
  const imported = timed(rehome('program', 'import', '--dir', fleet, ...db), env);
  line(`${label}: program import`, imported);
  console.log(`  ${imported.out.split('\n')[0]}`);
  const planned = timed(rehome('program', 'plan', '--start', '2026-09-01', '--max-users-per-day', '20000', '--format', 'json', '--out', join(work, `plan-${label}.json`), ...db), env);
  line(`${label}: program plan`, planned);
  const again = timed(rehome('program', 'import', '--dir', fleet, ...db), env);
  line(`${label}: program import again (refresh)`, again);
}

const external = { REHOME_IDP: 'external', REHOME_IDP_ISSUER: 'https://idp.example', REHOME_IDP_SCIM_URL: 'https://idp.example/scim/v2', REHOME_IDP_CLIENT_ID: 'bench', REHOME_IDP_CLIENT_SECRET: 'bench-secret' };
const base = { ...process.env, REHOME_PRODUCT_URL: '', REHOME_SMTP_HOST: '', ...(values.idp === 'external' ? external : { REHOME_IDP: '' }) };
console.log(`idp: ${values.idp}`);
if (!values['skip-sqlite']) runAll('SQLite', { ...base, REHOME_STORE: 'sqlite', REHOME_DATABASE_URL: '' }, ['--db', join(work, 'bench.db')]);
if (!values['skip-postgres']) {
  const admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
  const name = `rehome_bench_program_${process.pid}`;
  try {
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    try {
      runAll('PostgreSQL', { ...base, REHOME_STORE: 'postgres', REHOME_DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${name}` }, []);
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    }
  } catch (e) {
    console.log(`postgres: skipped (${(e as Error).message})`);
  } finally {
    await admin.end().catch(() => {});
  }
}
if (!values.keep) rmSync(work, { recursive: true, force: true });
else console.log(`kept ${work}`);
