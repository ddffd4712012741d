import type { ImsTrx } from '../ims-tables.ts';
import { addressOf, checkStatus, checkType, toAccount, type AccountRow, type DirectoryContext } from './directory-context.ts';
import { ImsError, type BulkResult, type ImsAccountRecord, type NewAccount } from './ims-directory.ts';
import { dialectOf, insertJsonRows, inList, type JsonColumn } from '../../store/bulk-sql.ts';

const ACCOUNT_COLUMNS: JsonColumn[] = [
  { name: 'id', pg: 'text' }, { name: 'email', pg: 'text' }, { name: 'email_norm', pg: 'text' }, { name: 'email_verified', pg: 'integer' },
  { name: 'type', pg: 'text' }, { name: 'owner_org_id', pg: 'text' }, { name: 'first_name', pg: 'text' }, { name: 'last_name', pg: 'text' },
  { name: 'user_name', pg: 'text' }, { name: 'user_name_norm', pg: 'text' }, { name: 'status', pg: 'text' }, { name: 'password_hash', pg: 'text' },
  { name: 'version', pg: 'integer' }, { name: 'created_at', pg: 'text' }, { name: 'updated_at', pg: 'text' },
];
export const MEMBER_COLUMNS: JsonColumn[] = [
  { name: 'org_id', pg: 'text' }, { name: 'account_id', pg: 'text' }, { name: 'external_id', pg: 'text' }, { name: 'joined_at', pg: 'text' },
];

/** What the checks found already taken, loaded with one query per kind of key for the whole list. */
interface Taken {
  userNames: Map<string, { emailNorm: string; verified: boolean }>;
  verifiedEmails: Set<string>;
  orgs: Set<string>;
  externalIds: Set<string>;
  ids: Set<string>;
}

/**
 * `insertAccount` for many inputs: the same rules, checked against the database with one query per kind of key and
 * against the earlier items of the list, then two multi-row inserts. An item that breaks a rule gets its own
 * ImsError and is left out; the rest go in, all in the caller's transaction.
 */
export async function insertAccounts(ctx: DirectoryContext, trx: ImsTrx, inputs: NewAccount[]): Promise<BulkResult<ImsAccountRecord>[]> {
  const checked = inputs.map((input) => attempt(() => normalize(ctx, input)));
  const valid = checked.flatMap((c) => (c.ok ? [c.value] : []));
  const taken = await loadTaken(trx, valid);
  taken.ids = await existingAccountIds(trx, inputs.flatMap((input) => (input.id === undefined ? [] : [input.id])));
  const at = ctx.now().toISOString();
  const rows: AccountRow[] = [];
  const members: (string | null)[][] = [];
  const results = checked.map((c, i): BulkResult<ImsAccountRecord> => {
    if (!c.ok) return c;
    const input = inputs[i]!;
    const n = c.value;
    const refusal = refuse(n, taken);
    if (refusal) return { ok: false, error: refusal };
    const id = input.id ?? ctx.newId();
    if (taken.ids.has(id)) return { ok: false, error: new ImsError('account_exists', `account ${id} already exists`) };
    // Later items of the same list see this one as taken, exactly as one-by-one creation would.
    taken.ids.add(id);
    taken.userNames.set(n.userNameNorm, { emailNorm: n.emailNorm, verified: n.verified });
    if (n.verified) taken.verifiedEmails.add(`${n.type}|${n.emailNorm}`);
    if (n.orgId && n.externalId !== null) taken.externalIds.add(`${n.orgId}|${n.externalId}`);
    const row: AccountRow = {
      id, email: n.delivery, email_norm: n.emailNorm, email_verified: n.verified ? 1 : 0, type: n.type,
      owner_org_id: n.type === 'personal' ? null : n.orgId, first_name: input.firstName?.trim() ?? '', last_name: input.lastName?.trim() ?? '',
      user_name: n.userName, user_name_norm: n.userNameNorm, status: n.status, password_hash: input.passwordHash ?? null,
      version: 1, created_at: at, updated_at: at,
    };
    rows.push(row);
    if (n.orgId) members.push([n.orgId, id, n.externalId, at]);
    return { ok: true, value: toAccount(row) };
  });
  const dialect = dialectOf(trx);
  await insertJsonRows(trx, 'ims_accounts', ACCOUNT_COLUMNS, rows.map((r) => ACCOUNT_COLUMNS.map((c) => r[c.name as keyof AccountRow])), { dialect });
  await insertJsonRows(trx, 'ims_org_members', MEMBER_COLUMNS, members, { dialect });
  return results;
}

interface Normalized {
  emailNorm: string;
  delivery: string;
  type: ImsAccountRecord['type'];
  status: ImsAccountRecord['status'];
  userName: string;
  userNameNorm: string;
  verified: boolean;
  orgId: string | null;
  externalId: string | null;
}

function normalize(ctx: DirectoryContext, input: NewAccount): Normalized {
  const { key: emailNorm, delivery } = addressOf(input.email, ctx.emailPolicy);
  const type = checkType(input.type ?? 'personal');
  const status = checkStatus(input.status ?? 'active');
  const userName = (input.userName ?? delivery).trim();
  if (userName === '') throw new ImsError('invalid_input', 'userName must not be empty');
  if (type !== 'personal' && !input.orgId) throw new ImsError('invalid_input', `a ${type} account needs an owning orgId`);
  if (typeof input.externalId === 'string' && !input.orgId) throw new ImsError('invalid_input', 'externalId needs an orgId');
  return {
    emailNorm, delivery, type, status, userName, userNameNorm: userName.toLowerCase(), verified: input.emailVerified === true,
    orgId: input.orgId ?? null, externalId: typeof input.externalId === 'string' ? input.externalId : null,
  };
}

function refuse(n: Normalized, taken: Taken): ImsError | undefined {
  const holder = taken.userNames.get(n.userNameNorm);
  if (holder) {
    const pending = !holder.verified && holder.emailNorm === n.emailNorm;
    return new ImsError('account_exists', pending
      ? `userName ${n.userName} is held by a sign-up whose email is pending verification; it is never linked on an unverified address`
      : `userName ${n.userName} is taken`);
  }
  if (n.verified && taken.verifiedEmails.has(`${n.type}|${n.emailNorm}`)) return new ImsError('email_taken', `another ${n.type} account already verified this email`);
  if (n.orgId && !taken.orgs.has(n.orgId)) return new ImsError('not_found', `organization ${n.orgId} not found`);
  if (n.orgId && n.externalId !== null && taken.externalIds.has(`${n.orgId}|${n.externalId}`)) {
    return new ImsError('external_id_exists', `externalId ${n.externalId} is already used in this organization`);
  }
  return undefined;
}

async function loadTaken(trx: ImsTrx, items: Normalized[]): Promise<Taken> {
  const dialect = dialectOf(trx);
  const list = (column: string, values: Iterable<string>) => inList(dialect, column, [...new Set(values)]);
  const userNames = await trx.selectFrom('ims_accounts').select(['user_name_norm', 'email_norm', 'email_verified'])
    .where(list('user_name_norm', items.map((n) => n.userNameNorm))).execute();
  const verified = items.filter((n) => n.verified);
  const emails = verified.length === 0 ? [] : await trx.selectFrom('ims_accounts').select(['type', 'email_norm'])
    .where('email_verified', '=', 1).where(list('email_norm', verified.map((n) => n.emailNorm))).execute();
  const orgIds = [...new Set(items.flatMap((n) => (n.orgId ? [n.orgId] : [])))];
  const orgs = orgIds.length === 0 ? [] : await trx.selectFrom('ims_orgs').select('id').where(list('id', orgIds)).execute();
  const keyed = items.filter((n) => n.orgId && n.externalId !== null);
  const externalIds = keyed.length === 0 ? [] : await trx.selectFrom('ims_org_members').select(['org_id', 'external_id'])
    .where(list('org_id', keyed.map((n) => n.orgId!))).where(list('external_id', keyed.map((n) => n.externalId!))).execute();
  return {
    userNames: new Map(userNames.map((r) => [r.user_name_norm, { emailNorm: r.email_norm, verified: Number(r.email_verified) === 1 }])),
    verifiedEmails: new Set(emails.map((r) => `${r.type}|${r.email_norm}`)),
    orgs: new Set(orgs.map((r) => r.id)),
    externalIds: new Set(externalIds.map((r) => `${r.org_id}|${r.external_id}`)),
    ids: new Set(),
  };
}

/** Ids given by the caller that already exist (random UUIDs never collide; imports that keep ids may). */
async function existingAccountIds(trx: ImsTrx, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await trx.selectFrom('ims_accounts').select('id').where(inList(dialectOf(trx), 'id', ids)).execute();
  return new Set(rows.map((r) => r.id));
}

function attempt<T>(fn: () => T): BulkResult<T> {
  try {
    return { ok: true, value: fn() };
  } catch (error) {
    if (error instanceof ImsError) return { ok: false, error };
    throw error;
  }
}
