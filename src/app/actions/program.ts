import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ImsAccount, Subscription } from '../../core/model.ts';
import { accountForOrg, addUserToSlice, createSliceRequest, directoryKey, managedDomainOf, type SliceRequest } from '../../core/program/directory-slice.ts';
import { dailyCapacity, programLeadDays, type DailyCapacity } from '../../core/program/daily-capacity.ts';
import { DEFAULT_PILOT, DEFAULT_WAVE_DAYS, planProgram } from '../../core/program/plan-program.ts';
import type { ProgramPlan } from '../../core/program/program-plan.ts';
import { factsFromPlan, type SubscriptionFacts } from '../../core/program/subscription-facts.ts';
import { commsSettingsOf } from '../../comms/comms-settings.ts';
import { userPhaseRequests } from '../../engine/request-estimate.ts';
import { getMigrationSummary, migrationDb } from '../../engine/migration-repo.ts';
import { ImportError, ImportErrors } from '../../importers/import-error.ts';
import { streamImsDirectory } from '../../importers/ims-directory.ts';
import { lineColumnAt, parseLocatedJson } from '../../importers/json-locator.ts';
import { streamProductUsers } from '../../importers/product-users.ts';
import { parseSubscriptionJson } from '../../importers/subscription.ts';
import { checkInputFile, readTextFile } from '../../importers/text-file.ts';
import { readTickets } from '../../importers/tickets.ts';
import type { IdpLimits } from '../../ports/identity-provider.ts';
import { StoreError } from '../../store/store-error.ts';
import { AppError } from '../app-error.ts';
import type { RehomeApp } from '../compose.ts';
import { importSnapshots } from './import-snapshots.ts';
import { PROGRESS_STEPS } from './migrate-users.ts';
import { planSubscription } from './plan-subscription.ts';

/** The fleet's IMS directory export, at the top of the import folder. */
export const FLEET_IMS_FILE = 'ims-directory.csv';
const USERS_FILES = ['users.csv', 'users.jsonl', 'users.ndjson'];
const TICKETS_FILE = 'tickets.jsonl';
/** Keys per look-up statement of the directory index. */
const LOOKUP_BATCH = 500;

/** One problem of a skipped subscription, as `ImportError` has it (the message is `file:line:column: field: ...`). */
export interface ProgramImportProblem {
  code: string;
  file: string;
  line?: number;
  column?: number;
  field?: string;
  message: string;
}

export interface ProgramImportResult {
  dir: string;
  /** Accounts in the IMS directory export (read once for the whole fleet). */
  imsAccounts: number;
  imported: { id: string; snapshotId: string; users: number; imsAccounts: number; tickets: number | null }[];
  /** Subscriptions with a problem: nothing of them was stored. `truncated`: a file had more problems than listed. */
  skipped: { id: string; problems: ProgramImportProblem[]; truncated: boolean }[];
  /** Accounts the embedded IMS did not hold yet and now does (0 with an external IdP). */
  mirrored: number;
}

/**
 * `rehome program import --dir DIR`: one folder per subscription, named by its id, with `users.csv` (or
 * `users.jsonl`) and `subscription.json` in the formats `rehome import` reads and an optional `tickets.jsonl`; one
 * `ims-directory.csv` at the top. The IMS directory is read once, into a temporary index on disk; each subscription
 * is then checked in full (every file, with file:line:column) and, only when it has no problem, stored through
 * `importSnapshots` with the part of the directory its users need (core/program/directory-slice.ts). A subscription
 * with a problem is reported and skipped, never half-stored; the others load. Memory holds one subscription at a
 * time. A problem with the IMS directory stops the whole import before anything is stored (ImportErrors).
 */
export async function importProgram(app: RehomeApp, input: { dir: string; actor: string; onProgress?: (done: number, skipped: number, total: number) => void }): Promise<ProgramImportResult> {
  const folders = subscriptionFolders(input.dir);
  const imsFile = join(input.dir, FLEET_IMS_FILE);
  if (!checkInputFile(imsFile)) throw new AppError('file_not_found', `${imsFile}: file not found (the IMS directory export of the fleet, at the top of ${input.dir})`);
  using index = new DirectoryIndex();
  for (const account of streamImsDirectory(imsFile)) index.add(account);
  index.seal();
  const result: ProgramImportResult = { dir: input.dir, imsAccounts: index.count, imported: [], skipped: [], mirrored: 0 };
  for (const name of folders) {
    const problems: ImportError[] = [];
    let truncated = false;
    try {
      const folder = checkFolder(join(input.dir, name), name);
      const accounts = index.slice(folder.request, folder.subscription.imsOrg.claimedDomains);
      const imported = await importSnapshots(app, {
        snapshots: [{ subscription: folder.subscription, users: { [Symbol.iterator]: () => streamProductUsers(folder.usersFile) } }],
        ims: { accounts },
        sources: { users: [folder.usersFile], ims: imsFile, subscriptions: [folder.subscriptionFile] },
      }, input.actor);
      const ref = imported.snapshots[0]!;
      result.mirrored += imported.mirrored;
      result.imported.push({ id: ref.subscriptionId, snapshotId: ref.id, users: ref.userCount, imsAccounts: ref.imsAccountCount, tickets: folder.tickets });
    } catch (error) {
      // A file changed between the check and the store, or a row the database refuses: the transaction stored nothing.
      if (error instanceof StoreError && error.code === 'snapshot_invalid') problems.push(new ImportError({ code: 'invalid_value', file: join(input.dir, name), detail: error.message }));
      else if (!collectProblem(error, problems)) throw error;
      truncated = error instanceof ImportErrors && error.truncated;
      result.skipped.push({ id: name, problems: problems.map(problemOf), truncated });
    }
    input.onProgress?.(result.imported.length, result.skipped.length, folders.length);
  }
  await app.store.appendAudit({
    at: app.now().toISOString(), actor: input.actor, action: 'program:imported', target: input.dir,
    details: { imported: result.imported.length, skipped: result.skipped.map((s) => s.id), users: result.imported.reduce((n, s) => n + s.users, 0), imsAccounts: result.imsAccounts },
  });
  return result;
}

/** The subscription folders of DIR, by name (hidden ones left out). */
function subscriptionFolders(dir: string): string[] {
  let entries;
  try {
    if (!statSync(dir).isDirectory()) throw new AppError('usage', `${dir} is not a directory: give the folder that holds one folder per subscription and ${FLEET_IMS_FILE}`);
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError('file_not_found', `${dir}: directory not found`, { cause: error });
  }
  const folders = entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name).sort();
  if (folders.length === 0) throw new AppError('usage', `${dir} holds no subscription folder (one folder per subscription, named by its id)`);
  return folders;
}

interface CheckedFolder {
  subscription: Subscription;
  subscriptionFile: string;
  usersFile: string;
  request: SliceRequest;
  tickets: number | null;
}

/**
 * Every file of one subscription folder, checked as `rehome import` checks them, all problems gathered so one pass
 * fixes them: the subscription (whose id must be the folder's name), its users (every admin among them), tickets.
 */
function checkFolder(folder: string, name: string): CheckedFolder {
  const problems: ImportError[] = [];
  let truncated = false;
  const attempt = <T>(read: () => T): T | undefined => {
    try {
      return read();
    } catch (error) {
      if (!collectProblem(error, problems)) throw error;
      truncated ||= error instanceof ImportErrors && error.truncated;
      return undefined;
    }
  };
  const subscriptionFile = join(folder, 'subscription.json');
  const usersFile = USERS_FILES.map((f) => join(folder, f)).find((f) => attempt(() => checkInputFile(f))) ?? join(folder, USERS_FILES[0]!);
  const text = attempt(() => requiredText(subscriptionFile));
  const subscription = text === undefined ? undefined : attempt(() => parseSubscriptionJson(text, subscriptionFile));
  if (subscription && subscription.id !== name) {
    problems.push(new ImportError({ code: 'invalid_field', file: subscriptionFile, ...locate(text!, 'id'), field: 'id', expected: `the name of its folder, ${name}`, got: subscription.id }));
  }
  const request = createSliceRequest();
  const found = new Set<string>();
  const admins = new Set(subscription?.admins ?? []);
  attempt(() => {
    if (!checkInputFile(usersFile)) throw missingFile(usersFile, `${USERS_FILES.join(' or ')}: the subscription's users`);
    for (const user of streamProductUsers(usersFile)) {
      if (admins.has(user.id)) found.add(user.id);
      if (subscription) addUserToSlice(request, user, subscription);
    }
    subscription?.admins.forEach((id, j) => {
      if (!found.has(id)) problems.push(new ImportError({ code: 'invalid_field', file: subscriptionFile, ...locate(text!, `admins[${j}]`), field: `admins[${j}]`, expected: `the id of a product user in ${usersFile}`, got: id }));
    });
  });
  const ticketsFile = join(folder, TICKETS_FILE);
  const tickets = attempt(() => (checkInputFile(ticketsFile) ? readTickets(ticketsFile).length : null));
  if (problems.length > 0 || subscription === undefined) throw new ImportErrors(problems, truncated);
  return { subscription, subscriptionFile, usersFile, request, tickets: tickets ?? null };
}

function requiredText(file: string): string {
  if (!checkInputFile(file)) throw missingFile(file, 'the subscription object, as rehome import --subscription reads it');
  return readTextFile(file);
}

function missingFile(file: string, what: string): ImportError {
  return new ImportError({ code: 'file_unreadable', file, detail: `missing: each subscription folder holds ${what}` });
}

/** line:column of the value at `path` in a subscription file (its start when the path is not found). */
function locate(text: string, path: string): { line: number; column: number } {
  try {
    return lineColumnAt(text, parseLocatedJson(text).offsets.get(path) ?? 0);
  } catch {
    return { line: 1, column: 1 };
  }
}

/** Adds an importer's problem(s) to `problems`; false when `error` is not one (a bug or an outage: rethrown). */
function collectProblem(error: unknown, problems: ImportError[]): boolean {
  if (error instanceof ImportErrors) problems.push(...error.errors);
  else if (error instanceof ImportError) problems.push(error);
  else return false;
  return true;
}

function problemOf(e: ImportError): ProgramImportProblem {
  return {
    code: e.code, file: e.file, message: e.message,
    ...(e.line === undefined ? {} : { line: e.line }), ...(e.column === undefined ? {} : { column: e.column }), ...(e.field === undefined ? {} : { field: e.field }),
  };
}

/**
 * The fleet's IMS directory, indexed by address key and by managed domain in a temporary SQLite file: memory stays
 * flat whatever the export's size, and each subscription's slice is a few indexed look-ups. Removed on dispose.
 */
class DirectoryIndex implements Disposable {
  readonly #dir = mkdtempSync(join(tmpdir(), 'rehome-directory-'));
  readonly #db = new DatabaseSync(join(this.#dir, 'directory.db'));
  readonly #insert: StatementSync;
  readonly #insertManaged: StatementSync;
  readonly #byKeys = new Map<number, StatementSync>();
  #byDomain: StatementSync | undefined;
  count = 0;

  constructor() {
    this.#db.exec(`pragma journal_mode = off; pragma synchronous = off;
      create table accounts (ord integer primary key, key text not null, data text not null);
      create table managed (domain text primary key, ord integer not null) without rowid;
      begin;`);
    this.#insert = this.#db.prepare('insert into accounts (ord, key, data) values (?, ?, ?)');
    this.#insertManaged = this.#db.prepare('insert or ignore into managed (domain, ord) values (?, ?)');
  }

  /** Accounts with an unusable address are counted but not kept: readiness ignores them (readiness-run.ts). */
  add(account: ImsAccount): void {
    const ord = ++this.count;
    const key = directoryKey(account.email);
    if (key === undefined) return;
    this.#insert.run(ord, key, JSON.stringify(account));
    const domain = managedDomainOf(account);
    if (domain !== undefined) this.#insertManaged.run(domain, ord);
  }

  seal(): void {
    this.#db.exec('commit; create index accounts_by_key on accounts (key);');
    this.#byDomain = this.#db.prepare('select a.ord, a.data from managed m join accounts a on a.ord = m.ord where m.domain = ?');
  }

  /** The accounts `request` needs, in the export's order, as the subscription's organization sees them. */
  slice(request: SliceRequest, claimedDomains: readonly string[]): ImsAccount[] {
    const rows = new Map<number, string>();
    const take = (found: unknown[]) => {
      for (const row of found as { ord: number; data: string }[]) rows.set(row.ord, row.data);
    };
    // Most users have no account: one look-up per key would cost more than the rest of the import.
    const keys = [...request.keys];
    for (let i = 0; i < keys.length; i += LOOKUP_BATCH) {
      const batch = keys.slice(i, i + LOOKUP_BATCH);
      take(this.#lookUp(batch.length).all(...batch));
    }
    for (const domain of request.domains) take(this.#byDomain!.all(domain));
    return [...rows.keys()].sort((a, b) => a - b).map((ord) => accountForOrg(JSON.parse(rows.get(ord)!) as ImsAccount, claimedDomains));
  }

  #lookUp(n: number): StatementSync {
    let statement = this.#byKeys.get(n);
    if (statement === undefined) {
      statement = this.#db.prepare(`select ord, data from accounts where key in (${Array.from({ length: n }, () => '?').join(', ')})`);
      this.#byKeys.set(n, statement);
    }
    return statement;
  }

  [Symbol.dispose](): void {
    if (this.#db.isOpen) this.#db.close();
    rmSync(this.#dir, { recursive: true, force: true });
  }
}

export interface ProgramPlanInput {
  /** The day the program starts (YYYY-MM-DD); the face passes today's date from its clock by default. */
  start: string;
  waveDays?: number;
  /** Users per day; default: from the external IdP's rate limit, or no limit with the embedded IMS. */
  maxUsersPerDay?: number;
  /** Subscriptions in the pilot wave (default 5; 0: none). */
  pilot?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface ProgramPlanResult {
  plan: ProgramPlan;
  capacity: DailyCapacity;
  /** Days from the start to the first wave's date. */
  leadDays: number;
  waveDays: number;
  /** Subscriptions asked for in the pilot wave (wave 1 when more than 0). */
  pilot: number;
}

/**
 * `rehome program plan`: the plan of every imported subscription, made as `rehome plan` makes it (planSubscription,
 * so the numbers agree), reduced to the facts the pure wave planner takes (core/program). Changes nothing.
 */
export async function planProgramWaves(app: RehomeApp, input: ProgramPlanInput): Promise<ProgramPlanResult> {
  const ids = [...new Set((await app.store.listSnapshots()).map((s) => s.subscriptionId))].sort();
  if (ids.length === 0) throw new AppError('snapshot_not_found', 'no subscription is imported yet: run rehome program import --dir DIR first');
  const limits = input.maxUsersPerDay === undefined ? await idpLimits(app) : undefined;
  const db = migrationDb(app.store.kysely);
  const facts: SubscriptionFacts[] = [];
  for (const [i, id] of ids.entries()) {
    const plan = await planSubscription(app, id);
    const consentRecorded = Boolean((await getMigrationSummary(db, id))?.consent_at);
    const requests = limits ? userPhaseRequests(plan.users, limits, { batchSize: app.config.migration.batchSize, progressSteps: PROGRESS_STEPS }) : undefined;
    facts.push(factsFromPlan(plan, { consentRecorded, ...(requests === undefined ? {} : { requests }) }));
    input.onProgress?.(i + 1, ids.length);
  }
  const capacity = dailyCapacity({ ...(input.maxUsersPerDay === undefined ? {} : { maxUsersPerDay: input.maxUsersPerDay }), requestsPerMinute: limits?.requestsPerMinute ?? null, facts });
  const leadDays = programLeadDays(app.scheduleRules, commsSettingsOf(app.config).schedule);
  const waveDays = input.waveDays ?? DEFAULT_WAVE_DAYS;
  const pilot = input.pilot ?? DEFAULT_PILOT;
  const plan = planProgram(facts, {
    start: input.start, leadDays, waveDays, usersPerDay: capacity.usersPerDay, pilot, automaticThreshold: app.config.migration.automaticThreshold,
  });
  return { plan, capacity, leadDays, waveDays, pilot };
}

/** The external IdP's limits as the engine will use them (Bulk once discovered); undefined for the embedded IMS. */
async function idpLimits(app: RehomeApp): Promise<IdpLimits | undefined> {
  if (app.config.idp.kind !== 'external') return undefined;
  const { idp } = app.enginePorts({ orgId: '', subscriptionId: '', actor: 'planner' });
  try {
    if (idp.discover) return (await idp.discover(AbortSignal.timeout(10_000))).limits;
  } catch {
    // Not reachable now: plan without Bulk, the slower (safer) pace.
  }
  return idp.describe().limits;
}
