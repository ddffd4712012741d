import type { Command, CommandContext } from './command.ts';
import { STORE_OPTIONS, storeFlags } from './command.ts';
import { composeRehome } from '../../app/compose.ts';
import { importProgram, planProgramWaves, type ProgramImportResult, type ProgramPlanResult } from '../../app/actions/index.ts';
import { ProgramError } from '../../core/program/program-error.ts';
import type { ProgramEntry } from '../../core/program/program-plan.ts';
import { addDays } from '../../core/migration/schedule.ts';
import { createProgressBar } from '../progress-bar.ts';
import { checkOutputTarget, writeOutputFile } from '../write-output.ts';
import { CliError } from '../cli-error.ts';

/** Exit status of `program import` when some subscriptions were skipped (the others were imported). */
const SKIPPED_EXIT = 3;

export const programCommand: Command = {
  summary: 'The fleet: import every subscription of a folder, plan the waves',
  help: `rehome program import --dir DIR [--store sqlite|postgres] [--db FILE]
rehome program plan [--start YYYY-MM-DD] [--wave-days 7] [--max-users-per-day N] [--pilot 5] [--format table|json] [--out FILE]

import: DIR holds one folder per subscription, named by its id, with users.csv (or users.jsonl) and
subscription.json as rehome import reads them, and optionally tickets.jsonl; and one ims-directory.csv at the
top (the IMS directory export), read once for the whole fleet. Every file is checked as rehome import checks it.
A subscription with a problem is reported (file:line:column, field) and skipped: nothing of it is stored. The
others are stored, each as a new snapshot (importing again refreshes them). A progress bar shows on a terminal.
Exit status: 0 every subscription imported; ${SKIPPED_EXIT} some were skipped (listed on stderr), the rest imported;
2 DIR or its ims-directory.csv is unusable (nothing stored).

plan: the waves for every imported subscription, from each one's plan (as rehome plan makes it); changes nothing.
Each subscription is automatic (fewer than migration.automaticThreshold movable users and no SSO user) or
self_service; blocked (no admin ready, SSO missing) ones go to the blocked list. Wave 1 is the pilot (--pilot
subscriptions across sizes, 0 for none), then the automatic subscriptions, then the self-service ones, each by
size. --start is the day the program starts (default today, UTC): the first wave's date is the scheduling rule's
minimum days later, or more when the comms reminders need it. A wave holds what --max-users-per-day allows in
--wave-days days (default: the external IdP's rate limit over the requests each user costs; no limit with the
embedded IMS). --format json prints the plan as docs/program.md describes it; --out FILE writes it there (JSON
unless --format table). Exit status 0, or 2 for a bad option.`,
  positionals: true,
  options: {
    dir: { type: 'string' }, start: { type: 'string' }, 'wave-days': { type: 'string' }, 'max-users-per-day': { type: 'string' }, pilot: { type: 'string' },
    format: { type: 'string' }, out: { type: 'string' }, ...STORE_OPTIONS,
  },
  configFlags: storeFlags,
  async run(ctx) {
    const [sub, ...extra] = ctx.positionals;
    if (extra.length > 0) throw new CliError('usage', `unexpected argument ${extra[0]}`);
    if (sub === 'import') return runImport(ctx);
    if (sub === 'plan') return runPlan(ctx);
    throw new CliError('usage', sub === undefined
      ? 'say what to do: rehome program import --dir DIR, or rehome program plan'
      : `unknown program command "${sub}": import and plan are built (start, status, dashboard and simulate are not yet)`);
  },
};

async function runImport({ values, config, io }: CommandContext): Promise<number> {
  if (typeof values.dir !== 'string') throw new CliError('usage', '--dir DIR is required: the folder of subscription folders and ims-directory.csv');
  await using app = await composeRehome(config, { now: io.now });
  const bar = createProgressBar('importing subscriptions', io.err, io.isTTY);
  const result = await importProgram(app, { dir: values.dir, actor: io.actor, onProgress: (done, skipped, total) => bar.update(done, skipped, total) });
  bar.end();
  io.out(describeImport(result));
  if (result.skipped.length === 0) return 0;
  io.err(describeSkipped(result));
  return SKIPPED_EXIT;
}

export function describeImport(r: ProgramImportResult): string {
  const total = r.imported.length + r.skipped.length;
  const users = r.imported.reduce((n, s) => n + s.users, 0);
  const tickets = r.imported.filter((s) => s.tickets !== null);
  const lines = [
    `imported ${count(r.imported.length)} of ${count(total)} subscriptions from ${r.dir}: ${count(users)} users; IMS directory: ${count(r.imsAccounts)} accounts, read once`,
  ];
  if (tickets.length > 0) lines.push(`support tickets checked: ${count(tickets.reduce((n, s) => n + s.tickets!, 0))} in ${count(tickets.length)} tickets.jsonl files (they move in phase 3: rehome tickets)`);
  if (r.mirrored > 0) lines.push(`the embedded IMS now holds the ${count(r.mirrored)} account(s) of the export it did not hold yet`);
  if (r.skipped.length > 0) lines.push(`skipped ${count(r.skipped.length)} subscription(s) with problems, nothing of them stored: ${r.skipped.map((s) => s.id).join(', ')}`);
  lines.push('next: rehome program plan');
  return `${lines.join('\n')}\n`;
}

export function describeSkipped(r: ProgramImportResult): string {
  const lines = [`rehome program import: skipped ${r.skipped.length} subscription(s); nothing of them was stored:`];
  for (const s of r.skipped) {
    lines.push(`  ${s.id}: ${s.problems.length}${s.truncated ? '+' : ''} problem${s.problems.length === 1 ? '' : 's'}`);
    for (const p of s.problems) lines.push(`    ${p.message}`);
  }
  lines.push('fix them and run rehome program import again (the others are refreshed)');
  return `${lines.join('\n')}\n`;
}

async function runPlan({ values, config, io }: CommandContext): Promise<number> {
  const format = typeof values.format === 'string' ? values.format : typeof values.out === 'string' ? 'json' : 'table';
  if (format !== 'json' && format !== 'table') throw new CliError('usage', `--format must be json or table, not ${format}`);
  if (typeof values.out === 'string') checkOutputTarget(values.out);
  const start = typeof values.start === 'string' ? values.start : io.now().toISOString().slice(0, 10);
  await using app = await composeRehome(config, { now: io.now });
  const bar = createProgressBar('planning subscriptions', io.err, io.isTTY);
  let result: ProgramPlanResult;
  try {
    result = await planProgramWaves(app, {
      start, waveDays: whole(values['wave-days'], '--wave-days'), maxUsersPerDay: whole(values['max-users-per-day'], '--max-users-per-day'), pilot: whole(values.pilot, '--pilot'),
      onProgress: (done, total) => bar.update(done, 0, total),
    });
  } catch (error) {
    if (error instanceof ProgramError) throw new CliError('usage', error.message);
    throw error;
  } finally {
    bar.end();
  }
  const text = format === 'json' ? `${JSON.stringify(result.plan, null, 2)}\n` : describePlan(result, start);
  if (typeof values.out === 'string') {
    writeOutputFile(values.out, text);
    io.err(`wrote the program plan to ${values.out}\n`);
  } else io.out(text);
  return 0;
}

/** A whole-number flag, or undefined when not given; the planner checks the range. */
function whole(value: unknown, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^\d+$/.test(value)) throw new CliError('usage', `${flag} takes a whole number, not ${String(value)}`);
  return Number(value);
}

const number = new Intl.NumberFormat('en-US');
const count = (n: number) => number.format(n);

/** The plan for people: the rules it follows, then each wave with its subscriptions, then the blocked ones. */
export function describePlan(r: ProgramPlanResult, start: string): string {
  const { plan, capacity } = r;
  const s = plan.summary;
  const lines = [
    `Program plan: ${count(s.subscriptions)} subscriptions, ${count(s.users)} users: ${count(s.automatic)} automatic, ${count(s.selfService)} self-service, ${count(s.blocked)} blocked`,
    `  starts ${start}; first date ${addDays(start, r.leadDays)} (${r.leadDays} days: the scheduling rule and the comms lead time); a wave every ${r.waveDays} days or as long as its users need`,
    `  capacity: ${capacity.source === 'max_users_per_day' ? `${count(capacity.usersPerDay)} users/day (--max-users-per-day)`
      : capacity.source === 'idp_rate_limit' ? `${count(capacity.usersPerDay)} users/day from the IdP's rate limit (${count(capacity.requestsPerMinute)} requests/min, ${capacity.requestsPerUser.toFixed(2)} requests per user)`
      : 'no limit (the embedded IMS has none; --max-users-per-day sets one)'}`,
    `  ${s.waves} wave${s.waves === 1 ? '' : 's'}${s.lastDay ? `, last day ${s.lastDay}` : ''}`,
  ];
  plan.waves.forEach((w, i) => {
    const end = plan.waves[i + 1] ? addDays(plan.waves[i + 1]!.start, -1) : s.lastDay!;
    const movable = w.subscriptions.reduce((n, e) => n + e.movable, 0);
    const auto = w.subscriptions.filter((e) => e.mode === 'automatic').length;
    lines.push('', `Wave ${w.n}${i === 0 && r.pilot > 0 ? ' (pilot)' : ''}  ${w.start} to ${end}  ${count(w.subscriptions.length)} subscriptions (${auto} automatic, ${w.subscriptions.length - auto} self-service), ${count(movable)} movable users`);
    lines.push(...entryLines(w.subscriptions));
  });
  if (plan.blocked.length > 0) {
    lines.push('', `Blocked (${count(plan.blocked.length)}): in no wave until fixed; plan again then`);
    for (const e of plan.blocked) {
      const notes = e.reasons.filter((x) => !x.blocking).map((x) => x.code);
      lines.push(`  ${e.id}  ${e.mode}, ${count(e.users)} users, ${count(e.movable)} movable${notes.length > 0 ? `; notes: ${notes.join(', ')}` : ''}`);
      for (const reason of e.reasons.filter((x) => x.blocking)) lines.push(`    BLOCKING ${reason.code}: ${reason.message}`);
    }
  }
  // A note (not blocking) is said once, with how many subscriptions it concerns, not on every row.
  const notes = new Map<string, { message: string; n: number }>();
  for (const e of [...plan.waves.flatMap((w) => w.subscriptions), ...plan.blocked]) {
    for (const x of e.reasons.filter((y) => !y.blocking)) notes.set(x.code, { message: x.message, n: (notes.get(x.code)?.n ?? 0) + 1 });
  }
  if (notes.size > 0) lines.push('', 'Notes:', ...[...notes].map(([code, x]) => `  ${code} (${count(x.n)} subscription${x.n === 1 ? '' : 's'}): ${x.message}`));
  return `${lines.join('\n')}\n`;
}

function entryLines(entries: readonly ProgramEntry[]): string[] {
  const width = Math.max(12, ...entries.map((e) => e.id.length));
  return [
    `  ${'SUBSCRIPTION'.padEnd(width)}  MODE          USERS  MOVABLE  NOTES`,
    ...entries.map((e) => `  ${e.id.padEnd(width)}  ${e.mode.padEnd(12)}  ${count(e.users).padStart(5)}  ${count(e.movable).padStart(7)}  ${e.reasons.map((x) => x.code).join(', ')}`.trimEnd()),
  ];
}
