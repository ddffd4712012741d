/**
 * The port's bulk methods over a SCIM server. Where the server advertises Bulk (scim-capabilities.ts), a batch of
 * users costs a few requests: look-ups combined with `or` (a page of values per GET) and writes packed into Bulk
 * requests. Where it does not, each item runs the one-item method: the requests are those of today's one-item
 * calls, and each item still gets its own answer.
 */
import { IdpError, isIdpError, type IdentityProvider, type IdpBatchResult, type IdpUser, type IdpUserType } from '../../../ports/identity-provider.ts';
import { sendBulk, type BulkOperation } from './scim-bulk.ts';
import type { ScimCapabilities } from './scim-capabilities.ts';
import type { ScimClient } from './scim-client.ts';
import { scimEq, SCIM_PATCH, toScimUser, type ScimListResponse, type ScimUser } from './scim-resources.ts';

type BatchMethods = Required<Pick<IdentityProvider, 'findUsersByExternalIds' | 'findUsersByEmails' | 'createUsers' | 'linkUsers' | 'addProfileMembersEach'>>;
type OneItem = Pick<IdentityProvider, 'findUser' | 'createUser' | 'linkUser' | 'addProfileMembers'>;

export interface ExternalBatchDeps {
  scim: ScimClient;
  capabilities(): Promise<ScimCapabilities>;
  toUser(resource: unknown): IdpUser;
  one: OneItem;
  /** Members per membership PATCH (the IdP's limit). */
  batchSize: number;
}

export function createExternalBatchMethods(deps: ExternalBatchDeps): BatchMethods {
  const { scim, toUser, one } = deps;
  const bulkOf = async () => (await deps.capabilities()).bulk;

  /** Every user whose `attribute` equals one of `values`: `or` filters of `lookupChunk` values, every page read. */
  const lookUp = async (operation: string, attribute: string, values: string[]): Promise<ScimUser[]> => {
    const { lookupChunk } = await deps.capabilities();
    const unique = [...new Set(values)];
    const chunks: string[][] = [];
    for (let i = 0; i < unique.length; i += lookupChunk) chunks.push(unique.slice(i, i + lookupChunk));
    const pages = await Promise.all(chunks.map(async (chunk) => {
      const filter = chunk.map((v) => scimEq(attribute, v)).join(' or ');
      const found: ScimUser[] = [];
      for (;;) {
        const { body } = await scim.request({ operation, method: 'GET', path: '/Users', idempotent: true, query: { filter, startIndex: found.length + 1, count: lookupChunk * 2 } });
        const list = body as ScimListResponse<ScimUser> | undefined;
        if (typeof list !== 'object' || list === null || typeof list.totalResults !== 'number') {
          throw new IdpError('protocol', `${operation}: the IdP answered something that is not a SCIM ListResponse`);
        }
        const resources = list.Resources ?? [];
        found.push(...resources);
        // A server may page below `count` (RFC 7644 §3.4.2.4): read on until the total, or until it sends nothing.
        if (found.length >= list.totalResults || resources.length === 0) return found;
      }
    }));
    return pages.flat();
  };

  const findUsersByExternalIds: BatchMethods['findUsersByExternalIds'] = async (externalIds) => {
    if (!(await bulkOf())) return settleEach(externalIds, (externalId) => one.findUser({ externalId }));
    const byExternalId = groupBy(await lookUp('findUser', 'externalId', externalIds), (u) => (typeof u.externalId === 'string' ? [u.externalId] : []));
    return externalIds.map((id) => {
      const found = byExternalId.get(id) ?? [];
      if (found.length > 1) return { ok: false, error: new IdpError('conflict', `findUser: ${found.length} users share externalId ${id}`) };
      return { ok: true, value: found[0] && toUser(found[0]) };
    });
  };

  return {
    findUsersByExternalIds,

    async findUsersByEmails(emails, types) {
      if (!(await bulkOf())) return settleEach(emails, (email) => one.findUser({ email, ...(types ? { types } : {}) }));
      // emails.value is case-insensitive (RFC 7643 §4.1.2): an account counts for each address it holds.
      const byEmail = groupBy(await lookUp('findUser', 'emails.value', emails), (u) => (Array.isArray(u.emails) ? u.emails : []).flatMap((e) => (typeof e?.value === 'string' ? [e.value.toLowerCase()] : [])));
      const counts = (u: IdpUser) => u.emailVerified && u.active && (types === undefined || (types as readonly IdpUserType[]).includes(u.type));
      return emails.map((email) => {
        const verified = (byEmail.get(email.toLowerCase()) ?? []).map(toUser).filter(counts);
        if (verified.length > 1) return { ok: false, error: new IdpError('ambiguous', `findUser: ${verified.length} verified accounts use this email; an admin must choose one`) };
        return { ok: true, value: verified[0] };
      });
    },

    async linkUsers(links) {
      const bulk = await bulkOf();
      if (!bulk) return settleEach(links, (l) => one.linkUser(l.userId, l.externalId));
      const current = new Map((await lookUp('linkUser', 'id', links.map((l) => l.userId))).map((u) => [u.id, u]));
      const results: (IdpBatchResult<IdpUser> | undefined)[] = links.map(({ userId, externalId }) => {
        const user = current.get(userId);
        if (user === undefined) return { ok: false, error: new IdpError('not_found', `linkUser: account ${userId} is not in the organization`) };
        if (user.externalId === externalId) return { ok: true, value: toUser(user) };
        if (typeof user.externalId === 'string') return { ok: false, error: new IdpError('conflict', `linkUser: account ${userId} is already linked to ${user.externalId}`) };
        return undefined;
      });
      const pending = links.flatMap((l, i) => (results[i] === undefined ? [{ i, ...l }] : []));
      // The version seen holds each write to the account as it was looked at: a link made meanwhile is not overwritten.
      const answers = await sendBulk(scim, 'linkUser', pending.map(({ userId, externalId }): BulkOperation => {
        const version = (current.get(userId)!.meta as { version?: unknown } | undefined)?.version;
        return {
          method: 'PATCH', path: `/Users/${encodeURIComponent(userId)}`, ...(typeof version === 'string' ? { version } : {}),
          data: { schemas: [SCIM_PATCH], Operations: [{ op: 'replace', path: 'externalId', value: externalId }] },
        };
      }), bulk, true);
      const again: typeof pending = [];
      pending.forEach((p, k) => {
        const answer = answers[k]!;
        if (answer.ok) results[p.i] = { ok: true, value: isUser(answer.body) ? toUser(answer.body) : toUser({ ...current.get(p.userId)!, externalId: p.externalId }) };
        // A changed version (412) or a lost answer: the one-item call looks at the account again and decides.
        else if (answer.error.code === 'conflict' || answer.error.retryable) again.push(p);
        else results[p.i] = answer;
      });
      (await settleEach(again, (p) => one.linkUser(p.userId, p.externalId))).forEach((r, k) => { results[again[k]!.i] = r; });
      return results as IdpBatchResult<IdpUser>[];
    },

    async createUsers(inputs) {
      const bulk = await bulkOf();
      if (!bulk) return settleEach(inputs, (input) => one.createUser(input));
      const results: (IdpBatchResult<IdpUser> | undefined)[] = Array.from({ length: inputs.length });
      // Find-then-create per round, as createUser does: a POST whose answer was lost may have created the account,
      // so the next round finds it by externalId before posting again; a 409 is a success when the account is ours.
      let pending = inputs.map((_, i) => i);
      // Answers that say the account exists (409, or 201 without a body): the next round must find it, or this is the
      // answer (409: someone else's account holds the key; 201: the IdP does not keep externalId).
      const mustFind = new Map<number, IdpError>();
      for (let round = 0; pending.length > 0; round++) {
        const found = await findUsersByExternalIds(pending.map((i) => inputs[i]!.externalId));
        const toPost = pending.filter((i, k) => {
          const r = found[k]!;
          if (!r.ok || r.value !== undefined) results[i] = r as IdpBatchResult<IdpUser>;
          else if (mustFind.has(i)) results[i] = { ok: false, error: mustFind.get(i)! };
          return results[i] === undefined;
        });
        if (toPost.length === 0) break;
        const answers = await sendBulk(scim, 'createUser', toPost.map((i): BulkOperation => ({ method: 'POST', path: '/Users', data: toScimUser(inputs[i]!) })), bulk, false);
        pending = [];
        let lostAnswers = false;
        toPost.forEach((i, k) => {
          const answer = answers[k]!;
          if (answer.ok && isUser(answer.body)) results[i] = { ok: true, value: toUser(answer.body) };
          else if (answer.ok) {
            mustFind.set(i, new IdpError('protocol', 'createUser: the IdP created the account but answered without it, and no account carries its externalId'));
            pending.push(i);
          } else if (isIdpError(answer.error, 'conflict')) {
            mustFind.set(i, answer.error);
            pending.push(i);
          } else if (unknownOutcome(answer.error) && round < scim.options.maxRetries) {
            lostAnswers = true;
            pending.push(i);
          } else results[i] = answer;
        });
        if (lostAnswers) await scim.backoff(round);
      }
      return results as IdpBatchResult<IdpUser>[];
    },

    async addProfileMembersEach(profileId, userIds) {
      const bulk = await bulkOf();
      const size = Math.max(1, deps.batchSize);
      const chunks: string[][] = [];
      for (let i = 0; i < userIds.length; i += size) chunks.push(userIds.slice(i, i + size));
      // RFC 7644 §3.5.2.1: adding a member who is already there changes nothing, so every repeat is harmless.
      const addAll = async (lists: string[][]): Promise<IdpBatchResult<void>[]> => bulk
        ? (await sendBulk(scim, 'addProfileMembers', lists.map((list): BulkOperation => ({
          method: 'PATCH', path: `/Groups/${encodeURIComponent(profileId)}`,
          data: { schemas: [SCIM_PATCH], Operations: [{ op: 'add', path: 'members', value: list.map((value) => ({ value })) }] },
        })), bulk, true)).map((a) => (a.ok ? { ok: true, value: undefined } : a))
        : settleEach(lists, (list) => one.addProfileMembers(profileId, list));
      const answers = await addAll(chunks);
      // A refused chunk may be one member's doing (a deleted account): each member alone finds whose.
      const split = chunks.flatMap((chunk, k) => { const a = answers[k]!; return !a.ok && !a.error.retryable && chunk.length > 1 ? chunk : []; });
      const alone = new Map((await addAll(split.map((id) => [id]))).map((r, k) => [split[k]!, r]));
      return chunks.flatMap((chunk, k) => chunk.map((id) => alone.get(id) ?? answers[k]!));
    },
  };
}

function isUser(body: unknown): body is ScimUser {
  return typeof body === 'object' && body !== null && typeof (body as { id?: unknown }).id === 'string';
}

/** A whole request lost (5xx, timeout, dropped): the server may or may not have carried it out. */
function unknownOutcome(error: IdpError): boolean {
  return isIdpError(error, 'unavailable') || isIdpError(error, 'timeout') || isIdpError(error, 'throttled');
}

function groupBy(users: ScimUser[], keys: (u: ScimUser) => string[]): Map<string, ScimUser[]> {
  const map = new Map<string, ScimUser[]>();
  const seen = new Set<string>();
  for (const user of users) {
    for (const key of new Set(keys(user))) {
      // The same account may come back from two chunks' filters: count it once per key.
      if (seen.has(`${key}\u0000${user.id}`)) continue;
      seen.add(`${key}\u0000${user.id}`);
      const list = map.get(key);
      if (list) list.push(user);
      else map.set(key, [user]);
    }
  }
  return map;
}

/** Each item through the one-item call, all at once (the client's semaphore and rate limiter pace them). */
function settleEach<I, T>(items: I[], fn: (item: I) => Promise<T>): Promise<IdpBatchResult<T>[]> {
  return Promise.all(items.map((item) => fn(item).then(
    (value): IdpBatchResult<T> => ({ ok: true, value }),
    (error: unknown): IdpBatchResult<T> => ({ ok: false, error: error instanceof IdpError ? error : new IdpError('unavailable', (error as Error)?.message ?? String(error), { cause: error }) }),
  )));
}
