/**
 * `POST /orgs/{orgId}/users.csv`: adds users in the Admin Console layout, all or nothing. Every row is checked
 * first (syntax, identity type against the domain rules, product configuration names, duplicates, names taken);
 * any problem refuses the whole file with `{ line, column, field, message }` per problem and nothing written.
 * Then rows are applied in order; should a write still fail (a concurrent change), what was written is undone.
 *
 * Rows are keyed by Email: a row for an existing member only adds the listed Product Configurations (the import
 * never removes memberships, so an export imported back changes nothing). New rows follow `provisionOrgUser`
 * (linking to an account that verified the address, never to an unverified one). Country Code is checked but not
 * stored; Admin Roles and the columns after it are ignored: admin rights are not granted by file. No email is ever
 * marked verified.
 */
import { mapCsvHeader } from '../../importers/csv-header.ts';
import { normaliseFieldName } from '../../importers/cell-values.ts';
import { readCsv, type CsvRow, type CsvTable } from '../../importers/csv-reader.ts';
import { ImportErrorCollector, ImportErrors, type ImportError } from '../../importers/import-error.ts';
import { ImsError, isImsError, type AccountType, type ImsDirectoryService, type ImsOrgRecord, type ProductProfileRecord } from '../directory/ims-directory.ts';
import { AdminError, isAdminError, type CsvProblem } from './admin-error.ts';
import { chooseAccountType, provisionOrgUser, type ProvisionResult } from './provision-org-user.ts';
import { toAsciiDomain } from '../../core/email/normalize-email.ts';
import { IDENTITY_TYPES, restoreFormula, USERS_CSV_COLUMNS } from './users-csv-layout.ts';

export interface CsvImportRow {
  line: number;
  email: string;
  accountId: string;
  /** `created`/`linked` as in provisioning; `existing`: already a member (only profiles were added). */
  outcome: 'created' | 'linked' | 'existing';
  profilesAdded: string[];
}

export interface CsvImportResult {
  created: number;
  linked: number;
  existing: number;
  rows: CsvImportRow[];
}

const FILE = 'users.csv';
const MAX_PROBLEMS = 500;
const C = { type: 0, username: 1, domain: 2, email: 3, first: 4, last: 5, country: 6, id: 7, configs: 8 } as const;
const REQUIRED: ReadonlySet<string> = new Set(['Identity Type', 'Email']);

interface PlannedRow {
  line: number;
  email: string;
  userName: string;
  firstName: string;
  lastName: string;
  type: AccountType;
  existingId: string | undefined;
  profiles: ProductProfileRecord[];
}

export async function importOrgUsersCsv(directory: ImsDirectoryService, orgId: string, text: string): Promise<CsvImportResult> {
  const org = await directory.getOrg(orgId);
  if (org === undefined) throw new AdminError('not_found', `organization ${orgId} not found`);
  const planned = await checkRows(directory, org, text);
  return applyRows(directory, orgId, planned);
}

async function checkRows(directory: ImsDirectoryService, org: ImsOrgRecord, text: string): Promise<PlannedRow[]> {
  const problems: CsvProblem[] = [];
  const collector = new ImportErrorCollector(MAX_PROBLEMS);
  let table: CsvTable;
  let columns: number[];
  let rows: CsvRow[];
  try {
    table = readCsv(text, FILE, collector);
    if (table.header.length === 0) throw new AdminError('csv_invalid', 'the file is empty', { problems: [{ line: 1, column: 1, field: '', message: `expected the header ${USERS_CSV_COLUMNS.join(',')}` }] });
    ({ columns } = mapCsvHeader(table.header, USERS_CSV_COLUMNS, (name) => REQUIRED.has(name), FILE, collector));
    rows = [...table.rows];
  } catch (error) {
    if (error instanceof ImportErrors) refuse(error.errors.map(toProblem));
    throw error;
  }
  problems.push(...collector.errors.map(toProblem));
  if (problems.length > 0) refuse(problems);

  const profilesByName = await profilesByLowerName(directory, org.id);
  const seenEmails = new Map<string, number>();
  const seenUserNames = new Map<string, number>();
  const planned: PlannedRow[] = [];
  for (const row of rows) {
    const cell = (c: number): string => (columns[c]! < 0 ? '' : restoreFormula((row.values[columns[c]!] ?? '').trim()));
    const report = (c: number, message: string) => {
      const at = columns[c]! < 0 ? { line: row.line, column: 1 } : table.locate(row, columns[c]!);
      problems.push({ ...at, field: USERS_CSV_COLUMNS[c]!, message });
    };
    const before = problems.length;
    const rawType = cell(C.type);
    const requested = IDENTITY_TYPES.get(normaliseFieldName(rawType));
    if (requested === undefined) report(C.type, `expected Adobe ID, Enterprise ID or Federated ID, got ${JSON.stringify(rawType)}`);
    const email = cell(C.email);
    // The one address rule: a look-alike (full-width, invisible characters, mixed scripts, trailing dot) is refused
    // here with the problem named, never folded onto another person's address.
    let address: { key: string; domain: string } | undefined;
    try {
      address = directory.address(email);
    } catch (error) {
      report(C.email, `email_refused: ${(error as Error).message} (${JSON.stringify(email)})`);
    }
    const domain = cell(C.domain);
    if (domain !== '' && address && toAsciiDomain(domain) !== address.domain) report(C.domain, `the domain ${domain} is not the domain of ${email}`);
    const country = cell(C.country);
    if (country !== '' && !/^[A-Z]{2}$/.test(country)) report(C.country, 'expected two upper-case letters (ISO 3166-1 alpha-2, e.g. US)');
    const userName = cell(C.username) || email;
    const key = address?.key ?? email;
    if (seenEmails.has(key)) report(C.email, `the same email is on line ${seenEmails.get(key)}`);
    else if (seenUserNames.has(userName.toLowerCase())) report(C.username, `the same username is on line ${seenUserNames.get(userName.toLowerCase())}`);
    seenEmails.set(key, seenEmails.get(key) ?? row.line);
    seenUserNames.set(userName.toLowerCase(), seenUserNames.get(userName.toLowerCase()) ?? row.line);
    const profiles: ProductProfileRecord[] = [];
    for (const name of splitList(cell(C.configs))) {
      const found = profilesByName.get(name.toLowerCase());
      if (found === undefined) report(C.configs, `no product profile named ${JSON.stringify(name)} in this organization`);
      else if (found.length > 1) report(C.configs, `${found.length} product profiles are named ${JSON.stringify(name)}; rename one first`);
      else profiles.push(found[0]!);
    }
    if (problems.length > before || requested === undefined) continue;
    const existing = (await directory.listOrgAccounts(org.id, { filter: { op: 'eq', attr: 'email', value: email }, limit: 2 })).items;
    const id = cell(C.id);
    if (id !== '' && !existing.some((a) => a.id === id)) {
      report(C.id, 'this ID is not the user with this email in this organization; leave ID empty to add a new user');
      continue;
    }
    const member = existing.find((a) => a.id === id) ?? existing[0];
    if (member !== undefined) {
      if (member.type !== requested) report(C.type, `the user exists as ${member.type}, not ${requested}`);
      planned.push({ line: row.line, email, userName, firstName: cell(C.first), lastName: cell(C.last), type: member.type, existingId: member.id, profiles });
      continue;
    }
    try {
      const type = chooseAccountType(org, email, requested);
      await rejectTakenUserName(directory, org.id, type, email, userName);
      planned.push({ line: row.line, email, userName, firstName: cell(C.first), lastName: cell(C.last), type, existingId: undefined, profiles });
    } catch (error) {
      if (!isAdminError(error) && !isImsError(error)) throw error;
      report(isAdminError(error, 'domain_not_claimed') || isAdminError(error, 'invalid_request') ? C.type : C.username, error.message);
    }
    if (problems.length >= MAX_PROBLEMS) break;
  }
  if (problems.length > 0) refuse(problems);
  return planned;
}

/** The check `provisionOrgUser` makes when it would create (not link): the userName must be free. */
async function rejectTakenUserName(directory: ImsDirectoryService, orgId: string, type: AccountType, email: string, userName: string): Promise<void> {
  if (type === 'personal' && (await directory.findVerifiedAccount(email, 'personal'))) return;
  if (type !== 'personal' && (await directory.findAccountsByEmail(email)).some((a) => a.type === type && a.ownerOrgId === orgId)) return;
  const holder = await directory.findAccountByUserName(userName);
  if (holder === undefined) return;
  const pending = !holder.emailVerified && (await directory.findAccountsByEmail(email)).some((a) => a.id === holder.id);
  if (pending) {
    throw new AdminError('email_pending_verification', `username ${userName} is held by a sign-up whose email is pending verification; it is never linked on an unverified address`);
  }
  throw new ImsError('account_exists', `username ${userName} is taken`);
}

async function applyRows(directory: ImsDirectoryService, orgId: string, planned: PlannedRow[]): Promise<CsvImportResult> {
  const undo: (() => Promise<unknown>)[] = [];
  const result: CsvImportResult = { created: 0, linked: 0, existing: 0, rows: [] };
  let current: PlannedRow | undefined;
  try {
    for (const row of planned) {
      current = row;
      let accountId = row.existingId;
      let outcome: CsvImportRow['outcome'] = 'existing';
      if (accountId === undefined) {
        const provisioned: ProvisionResult = await provisionOrgUser(directory, orgId, {
          email: row.email, userName: row.userName, firstName: row.firstName, lastName: row.lastName, type: row.type,
        });
        accountId = provisioned.account.id;
        outcome = provisioned.outcome;
        const id = accountId;
        undo.push(outcome === 'created' ? () => directory.deleteAccount(id) : () => directory.removeOrgMember(orgId, id));
      }
      const added: string[] = [];
      for (const profile of row.profiles) {
        const fresh = await directory.getProfile(orgId, profile.id);
        if (fresh === undefined || fresh.members.includes(accountId)) continue;
        await directory.addProfileMembers(orgId, profile.id, [accountId]);
        const id = accountId;
        undo.push(() => directory.removeProfileMembers(orgId, profile.id, [id]));
        added.push(profile.name);
      }
      result[outcome]++;
      result.rows.push({ line: row.line, email: row.email, accountId, outcome, profilesAdded: added });
    }
    return result;
  } catch (error) {
    for (const step of undo.reverse()) await step().catch(() => undefined);
    if ((isImsError(error) || isAdminError(error)) && current !== undefined) {
      refuse([{ line: current.line, column: 1, field: '', message: `${error.message} (nothing was imported)` }]);
    }
    throw error;
  }
}

function refuse(problems: readonly CsvProblem[]): never {
  const count = problems.length;
  throw new AdminError('csv_invalid', `${count} problem${count === 1 ? '' : 's'} in the file; nothing was imported`, { problems });
}

function toProblem(error: ImportError): CsvProblem {
  // The message starts with `users.csv:line:column: field: `; the JSON carries those separately.
  let message = error.message.replace(/^[^:]*(?::\d+){0,2}: /, '');
  if (error.field !== undefined && message.startsWith(`${error.field}: `)) message = message.slice(error.field.length + 2);
  return { line: error.line ?? 1, column: error.column ?? 1, field: error.field ?? '', message };
}

function splitList(raw: string): string[] {
  return raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

async function profilesByLowerName(directory: ImsDirectoryService, orgId: string): Promise<Map<string, ProductProfileRecord[]>> {
  const byName = new Map<string, ProductProfileRecord[]>();
  for (let offset = 0; ; offset += 500) {
    const page = await directory.listProfiles(orgId, { offset, limit: 500 });
    for (const profile of page.items) byName.set(profile.name.toLowerCase(), [...(byName.get(profile.name.toLowerCase()) ?? []), profile]);
    if (page.items.length < 500) return byName;
  }
}
