import { AdminError } from '../../../ims/admin-api/admin-error.ts';
import { chooseAccountType, managedUserName } from '../../../ims/admin-api/provision-org-user.ts';
import type { AccountType, BulkResult, ImsAccountRecord, ImsDirectoryService, ImsOrgAccount, ImsOrgRecord } from '../../../ims/directory/ims-directory.ts';
import { isUniqueViolation } from '../../../ims/ims-tables.ts';
import { IdpError, type IdentityProvider, type IdpBatchResult, type IdpUser, type NewIdpUser } from '../../../ports/identity-provider.ts';
import { toIdpError, translate } from './embedded-errors.ts';

type BatchMethods = Required<Pick<IdentityProvider, 'findUsersByExternalIds' | 'findUsersByEmails' | 'createUsers' | 'linkUsers'>>;

/**
 * The port's bulk methods over the embedded directory: the provisioning rules of `provisionOrgUser` (the same as
 * SCIM `POST /Users`), applied to a whole list with a fixed number of directory calls — look-ups by key lists, one
 * multi-row create, one multi-row link. The embedded IMS takes the whole list in one call.
 */
export function createEmbeddedBatchMethods(directory: ImsDirectoryService, orgId: string, createOne: IdentityProvider['createUser']): BatchMethods {
  const orgUsers = async (accounts: ImsAccountRecord[]): Promise<Map<string, IdpUser>> => {
    const members = new Map((await directory.getOrgAccounts(orgId, accounts.map((a) => a.id))).map((m) => [m.id, m.externalId]));
    return new Map(accounts.map((a) => [a.id, toIdpUser(a, members.get(a.id) ?? null)]));
  };

  const findUsersByExternalIds = (externalIds: string[]) => translate('findUsersByExternalIds', async () => {
    const found = new Map((await directory.findOrgAccountsByExternalIds(orgId, externalIds)).map((a) => [a.externalId!, a]));
    return externalIds.map((id) => {
      const account = found.get(id);
      return account && toIdpUser(account, account.externalId);
    });
  });

  const linkUsers = (links: { userId: string; externalId: string }[]) => translate('linkUsers', async () => {
    const current = new Map((await directory.getOrgAccounts(orgId, links.map((l) => l.userId))).map((a) => [a.id, a]));
    const results: (IdpBatchResult<IdpUser> | undefined)[] = links.map(({ userId, externalId }) => {
      const member = current.get(userId);
      if (member?.externalId === externalId) return { ok: true, value: toIdpUser(member, externalId) };
      if (member !== undefined && member.externalId !== null) {
        return { ok: false, error: new IdpError('conflict', `linkUser: account ${userId} is already linked to ${member.externalId}`) };
      }
      return undefined;
    });
    const pending = links.flatMap((l, i) => (results[i] === undefined ? [{ i, accountId: l.userId, externalId: l.externalId }] : []));
    const added = await directory.addOrgMembers(orgId, pending.map(({ accountId, externalId }) => ({ accountId, externalId })));
    pending.forEach((p, k) => { results[p.i] = fromBulk('linkUser', added[k]!); });
    return results as IdpBatchResult<IdpUser>[];
  });

  return {
    findUsersByExternalIds: async (externalIds) => (await findUsersByExternalIds(externalIds)).map((value) => ({ ok: true, value })),

    findUsersByEmails: (emails, types) => translate('findUsersByEmails', async () => {
      const counts = (a: ImsAccountRecord) => a.emailVerified && a.status !== 'disabled' && (types === undefined || types.includes(a.type));
      const byEmail = groupByEmail(await directory.findAccountsByEmails(emails));
      const verified = [...byEmail.values()].flat().filter(counts);
      const users = await orgUsers(verified);
      return emails.map((email): IdpBatchResult<IdpUser | undefined> => {
        let norm: string;
        try {
          norm = directory.address(email).key;
        } catch (error) {
          return { ok: false, error: toIdpError('findUser', error) };
        }
        const matches = (byEmail.get(norm) ?? []).filter(counts);
        if (matches.length > 1) return { ok: false, error: new IdpError('ambiguous', `findUser: ${matches.length} verified accounts use this email; an admin must choose one`) };
        return { ok: true, value: matches[0] && users.get(matches[0].id) };
      });
    }),

    linkUsers,

    createUsers: (inputs) => translate('createUsers', async () => {
      try {
        return await provisionMany(directory, orgId, inputs, findUsersByExternalIds, linkUsers);
      } catch (error) {
        // Another writer took a key between our checks and our insert (a concurrent run on the same users): one by
        // one, each create is find-or-create again, so the winner's account is the answer.
        if (!isUniqueViolation(error) && !isUniqueViolation((error as { cause?: unknown }).cause)) throw error;
        return Promise.all(inputs.map((input) => createOne(input).then(
          (value): IdpBatchResult<IdpUser> => ({ ok: true, value }),
          (e): IdpBatchResult<IdpUser> => ({ ok: false, error: toIdpError('createUser', e) }),
        )));
      }
    }),
  };
}

/**
 * Find-or-create on externalId; else the rules of provisionOrgUser: the type follows the claimed domains; an
 * existing account the org may take (a verified personal account with the address, or one the org already owns
 * with it) is linked instead of created, and only once; everything else is created unverified.
 */
async function provisionMany(
  directory: ImsDirectoryService, orgId: string, inputs: NewIdpUser[],
  findByExternalIds: (ids: string[]) => Promise<(IdpUser | undefined)[]>,
  linkUsers: (links: { userId: string; externalId: string }[]) => Promise<IdpBatchResult<IdpUser>[]>,
): Promise<IdpBatchResult<IdpUser>[]> {
  const org = await directory.getOrg(orgId);
  if (org === undefined) throw new IdpError('not_found', `createUser: organization ${orgId} not found`);
  const results: (IdpBatchResult<IdpUser> | undefined)[] = Array.from({ length: inputs.length });
  const found = await findByExternalIds(inputs.map((i) => i.externalId));
  const first = new Map<string, number>();
  inputs.forEach((input, i) => {
    const account = found[i];
    if (account) results[i] = { ok: true, value: account };
    else if (!first.has(input.externalId)) first.set(input.externalId, i);
  });
  const todo = [...first.values()];
  const types = new Map<number, AccountType>();
  for (const i of todo) {
    try {
      types.set(i, chooseAccountType(org, inputs[i]!.email, inputs[i]!.type));
    } catch (error) {
      results[i] = { ok: false, error: toIdpError('createUser', error) };
    }
  }
  // An unverified sign-up reserves nothing (squatting): cancelled before anything is decided, its owner mailed.
  await directory.cancelPendingSignUps([...types.keys()].map((i) => ({ email: inputs[i]!.email, userName: inputs[i]!.userName ?? deliveryOf(directory, inputs[i]!.email) })));
  const candidates = groupByEmail(await directory.findAccountsByEmails([...types.keys()].map((i) => inputs[i]!.email)));
  const targets = new Map<number, string>();
  for (const [i, type] of types) {
    const target = linkTarget(directory, org, candidates, inputs[i]!.email, type);
    if (!target) continue;
    // A migration carrying out its plan never links what the plan did not name: the item fails instead.
    if (inputs[i]!.linkExisting === false) results[i] = { ok: false, error: new IdpError('exists', 'createUser: an account the IMS would link holds this email') };
    else targets.set(i, target.id);
  }
  const members = new Set((await directory.getOrgAccounts(orgId, [...targets.values()])).map((a) => a.id));
  const links: number[] = [];
  for (const [i, target] of targets) {
    // One account, one membership: provisioning the same person twice is a conflict, not a second link.
    if (members.has(target)) results[i] = { ok: false, error: toIdpError('createUser', new AdminError('already_member', 'an account with this email is already a member of the organization')) };
    else { links.push(i); members.add(target); }
  }
  const linked = await linkUsers(links.map((i) => ({ userId: targets.get(i)!, externalId: inputs[i]!.externalId })));
  links.forEach((i, k) => { results[i] = linked[k]!; });
  const creates = [...types.keys()].filter((i) => !targets.has(i) && results[i] === undefined);
  const created = await directory.createOrgAccounts(orgId, creates.map((i) => {
    const input = inputs[i]!;
    const type = types.get(i)!;
    const delivery = deliveryOf(directory, input.email);
    const beside = type !== 'personal' && personalBeside(directory, candidates, input.email);
    return { email: input.email, type, externalId: input.externalId, userName: input.userName ?? (beside ? managedUserName(delivery, orgId) : delivery), firstName: input.firstName, lastName: input.lastName };
  }));
  creates.forEach((i, k) => { results[i] = fromBulk('createUser', created[k]!); });
  // A repeated externalId in the list gets the answer of its first occurrence, as find-or-create would.
  return inputs.map((input, i) => results[i] ?? results[first.get(input.externalId)!]!);
}

function linkTarget(directory: ImsDirectoryService, org: ImsOrgRecord, candidates: Map<string, ImsAccountRecord[]>, email: string, type: AccountType): ImsAccountRecord | undefined {
  let norm: string;
  try {
    norm = directory.address(email).key;
  } catch {
    return undefined;
  }
  const accounts = candidates.get(norm) ?? [];
  return type === 'personal'
    ? accounts.find((a) => a.type === 'personal' && a.emailVerified)
    : accounts.find((a) => a.type === type && a.ownerOrgId === org.id);
}

/** The delivery form of an address, or the address itself when refused (the create then fails with the reason). */
function deliveryOf(directory: ImsDirectoryService, email: string): string {
  try {
    return directory.address(email).delivery;
  } catch {
    return email;
  }
}

function personalBeside(directory: ImsDirectoryService, candidates: Map<string, ImsAccountRecord[]>, email: string): boolean {
  try {
    return (candidates.get(directory.address(email).key) ?? []).some((a) => a.type === 'personal');
  } catch {
    return false;
  }
}

function groupByEmail(accounts: ImsAccountRecord[]): Map<string, ImsAccountRecord[]> {
  const map = new Map<string, ImsAccountRecord[]>();
  for (const a of accounts) map.set(a.emailNormalized, [...(map.get(a.emailNormalized) ?? []), a]);
  return map;
}

function fromBulk(operation: string, result: BulkResult<ImsOrgAccount>): IdpBatchResult<IdpUser> {
  return result.ok ? { ok: true, value: toIdpUser(result.value, result.value.externalId) } : { ok: false, error: toIdpError(operation, result.error) };
}

export function toIdpUser(account: ImsAccountRecord, externalId: string | null): IdpUser {
  return { id: account.id, externalId, email: account.email, emailVerified: account.emailVerified, type: account.type, active: account.status === 'active' };
}
