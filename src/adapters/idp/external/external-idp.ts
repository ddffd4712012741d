import {
  IdpError,
  isIdpError,
  type FindUserQuery,
  type IdentityProvider,
  type IdpDescription,
  type IdpUser,
  type IdpUserPatch,
  type IdpUserType,
  type NewIdpUser,
} from '../../../ports/identity-provider.ts';
import { createExternalBatchMethods } from './external-idp-batch.ts';
import { createOidcDiscovery } from './oidc-discovery.ts';
import { createCapabilitiesSource } from './scim-capabilities.ts';
import { createScimClient, type ScimClient, type ScimClientOptions } from './scim-client.ts';
import {
  defaultUserMapping,
  readAttribute,
  scimEq,
  SCIM_GROUP,
  SCIM_PATCH,
  toIdpUser,
  toScimUser,
  type ScimGroup,
  type ScimListResponse,
  type ScimUser,
  writeAttribute,
} from './scim-resources.ts';
import type { ScimAuth } from './token-source.ts';

export interface ExternalIdpOptions extends Omit<ScimClientOptions, 'auth'> {
  /** OpenID Connect issuer of the IdP (the `iss` the product will store with each subject). */
  issuer: string;
  /**
   * A static bearer token, or client credentials. Without `tokenEndpoint`, the issuer's discovery document's
   * `token_endpoint` is used.
   */
  auth: { kind: 'static'; token: string } | { kind: 'client_credentials'; tokenEndpoint?: string; clientId: string; clientSecret: string; scope?: string };
  /** Members per PATCH (default 10, the strictest common vendor limit). */
  batchSize?: number;
  /** See `UserMapping.emailVerifiedAttribute` (default: the Rehome IMS extension's `emailVerified`). */
  emailVerifiedAttribute?: string;
  /** See `UserMapping.typeAttribute`. */
  typeAttribute?: string;
  /**
   * The Group attribute that carries the product subscription id (default `externalId`, a SCIM common attribute
   * every IdP stores; the Rehome IMS uses `urn:rehome:params:scim:schemas:extension:ims:2.0:Group:subscriptionId`).
   */
  profileKeyAttribute?: string;
  /** userType sent on create and assumed when the IdP sends none (default 'enterprise'). */
  defaultUserType?: IdpUserType;
  /**
   * 'auto' (default): batches use SCIM Bulk and `or` look-ups when the server's /ServiceProviderConfig advertises
   * Bulk; 'off': one request per user and operation, whatever the server says.
   */
  bulk?: 'auto' | 'off';
}

/** The IdentityProvider port over any IdP speaking SCIM 2.0 (RFC 7644) with OpenID Connect sign-in. */
export function createExternalIdp(options: ExternalIdpOptions): IdentityProvider & Required<Pick<IdentityProvider, 'discover' | 'findUsersByExternalIds' | 'findUsersByEmails' | 'createUsers' | 'linkUsers' | 'addProfileMembersEach'>> & { readonly scim: ScimClient } {
  const mapping = {
    emailVerifiedAttribute: options.emailVerifiedAttribute ?? defaultUserMapping.emailVerifiedAttribute,
    typeAttribute: options.typeAttribute ?? defaultUserMapping.typeAttribute,
    defaultUserType: options.defaultUserType ?? defaultUserMapping.defaultUserType,
  };
  const profileKey = options.profileKeyAttribute ?? 'externalId';
  const batchSize = options.batchSize ?? 10;
  const discovery = createOidcDiscovery({ issuer: options.issuer, ...(options.fetch ? { fetch: options.fetch } : {}) });
  const auth: ScimAuth = options.auth.kind === 'static' ? options.auth : {
    ...options.auth,
    tokenEndpoint: options.auth.tokenEndpoint ?? (async () => {
      const endpoint = (await discovery.get()).token_endpoint;
      if (!endpoint) throw new IdpError('protocol', `discovery: ${options.issuer} publishes no token_endpoint; set auth.tokenEndpoint`);
      return endpoint;
    }),
  };
  const scim = createScimClient({ ...options, auth });
  const capabilities = createCapabilitiesSource(scim, options.bulk ?? 'auto');
  const toUser = (resource: unknown) => toIdpUser(resource as ScimUser, mapping);

  const listUsers = async (operation: string, filter: string, count: number): Promise<ScimUser[]> => {
    const { body } = await scim.request({ operation, method: 'GET', path: '/Users', query: { filter, count }, idempotent: true });
    return listOf<ScimUser>(body, operation);
  };

  const findByExternalId = async (operation: string, externalId: string): Promise<IdpUser | undefined> => {
    const found = await listUsers(operation, scimEq('externalId', externalId), 2);
    if (found.length > 1) throw new IdpError('conflict', `${operation}: ${found.length} users share externalId ${externalId}`);
    return found[0] && toUser(found[0]);
  };

  const findProfile = async (subscriptionId: string): Promise<ScimGroup | undefined> => {
    const { body } = await scim.request({
      operation: 'ensureProductProfile', method: 'GET', path: '/Groups',
      query: { filter: scimEq(profileKey, subscriptionId), excludedAttributes: 'members', count: 1 }, idempotent: true,
    });
    return listOf<ScimGroup>(body, 'ensureProductProfile')[0];
  };

  /**
   * Find-then-create, repeated on failures of unknown outcome: a POST whose answer was lost may have created the
   * resource, so the next attempt looks it up by its key before posting again (DESIGN.md "Crash-safe apply").
   */
  const findOrCreate = async <T>(find: () => Promise<T | undefined>, create: () => Promise<T>): Promise<T> => {
    for (let attempt = 0; ; attempt++) {
      const existing = await find();
      if (existing !== undefined) return existing;
      try {
        return await create();
      } catch (error) {
        if (isIdpError(error, 'conflict')) {
          // Someone (maybe our own earlier attempt) created it meanwhile; anything else is a real conflict.
          const winner = await find();
          if (winner !== undefined) return winner;
          throw error;
        }
        const unknownOutcome = isIdpError(error, 'unavailable') || isIdpError(error, 'timeout');
        if (!unknownOutcome || attempt >= scim.options.maxRetries) throw error;
        await scim.backoff(attempt);
      }
    }
  };

  const patchMembers = (operation: string, profileId: string, operations: unknown[]) => scim.request({
    operation, method: 'PATCH', path: `/Groups/${encodeURIComponent(profileId)}`, query: { excludedAttributes: 'members' },
    body: { schemas: [SCIM_PATCH], Operations: operations }, idempotent: true,
  });

  const getUser = async (operation: string, userId: string): Promise<IdpUser> => {
    const { body } = await scim.request({ operation, method: 'GET', path: `/Users/${encodeURIComponent(userId)}`, idempotent: true });
    return toUser(body);
  };

  const patchUser = async (operation: string, userId: string, operations: unknown[]): Promise<IdpUser> => {
    const { status, body } = await scim.request({
      operation, method: 'PATCH', path: `/Users/${encodeURIComponent(userId)}`,
      body: { schemas: [SCIM_PATCH], Operations: operations }, idempotent: true,
    });
    // RFC 7644 section 3.5.2: 200 with the resource, or 204 without it.
    return status === 204 || body === undefined ? getUser(operation, userId) : toUser(body);
  };

  const one = {
    async findUser(query: FindUserQuery): Promise<IdpUser | undefined> {
      if (query.externalId !== undefined) {
        const linked = await findByExternalId('findUser', query.externalId);
        if (linked) return linked;
      }
      if (query.email === undefined) return undefined;
      const verified = (await listUsers('findUser', scimEq('emails.value', query.email), 10))
        .map(toUser).filter((u) => u.emailVerified && u.active && (query.types === undefined || query.types.includes(u.type)));
      if (verified.length > 1) {
        throw new IdpError('ambiguous', `findUser: ${verified.length} verified accounts use this email; an admin must choose one`);
      }
      return verified[0];
    },

    createUser: (input: NewIdpUser) => findOrCreate(() => findByExternalId('createUser', input.externalId), async () => {
      const { body } = await scim.request({
        operation: 'createUser', method: 'POST', path: '/Users', body: toScimUser(input), idempotent: false,
      });
      return toUser(body);
    }),

    async linkUser(userId: string, externalId: string): Promise<IdpUser> {
      const current = await getUser('linkUser', userId);
      if (current.externalId === externalId) return current;
      if (current.externalId !== null) {
        throw new IdpError('conflict', `linkUser: account ${userId} is already linked to ${current.externalId}`);
      }
      return patchUser('linkUser', userId, [{ op: 'replace', path: 'externalId', value: externalId }]);
    },

    async updateUser(userId: string, patch: IdpUserPatch): Promise<IdpUser> {
      const operations: unknown[] = [];
      if (patch.firstName !== undefined) operations.push({ op: 'replace', path: 'name.givenName', value: patch.firstName });
      if (patch.lastName !== undefined) operations.push({ op: 'replace', path: 'name.familyName', value: patch.lastName });
      if (patch.active !== undefined) operations.push({ op: 'replace', path: 'active', value: patch.active });
      if (patch.email !== undefined) operations.push({ op: 'replace', path: 'emails', value: [{ value: patch.email, type: 'work', primary: true }] });
      return operations.length === 0 ? getUser('updateUser', userId) : patchUser('updateUser', userId, operations);
    },

    ensureProductProfile: (input: { subscriptionId: string; name: string }) => findOrCreate(async () => {
      const found = await findProfile(input.subscriptionId);
      return found && { id: found.id };
    }, async () => {
      const group: Record<string, unknown> = { schemas: [SCIM_GROUP], displayName: input.name, members: [] };
      writeAttribute(group, profileKey, input.subscriptionId);
      const { body } = await scim.request({ operation: 'ensureProductProfile', method: 'POST', path: '/Groups', body: group, idempotent: false });
      // An IdP may drop attributes it does not know (RFC 7644 section 3.3); then the next call could never find this
      // group and would create another. Stop here instead.
      if (readAttribute(body as Record<string, unknown>, profileKey) !== input.subscriptionId) {
        throw new IdpError('protocol', `ensureProductProfile: the IdP did not keep ${profileKey} on the new group ${(body as ScimGroup).id}; set profileKeyAttribute to an attribute it stores`);
      }
      return { id: (body as ScimGroup).id };
    }),

    async addProfileMembers(profileId: string, userIds: string[]): Promise<void> {
      // RFC 7644 section 3.5.2.1: adding a value that is already there changes nothing, so a repeat is harmless.
      await inBatches(userIds, batchSize, (chunk) =>
        patchMembers('addProfileMembers', profileId, [{ op: 'add', path: 'members', value: chunk.map((value) => ({ value })) }]));
    },

    async removeProfileMembers(profileId: string, userIds: string[]): Promise<void> {
      await inBatches(userIds, batchSize, async (chunk) => {
        const ops = (ids: string[]) => ids.map((id) => ({ op: 'remove', path: `members[${scimEq('value', id)}]` }));
        try {
          await patchMembers('removeProfileMembers', profileId, ops(chunk));
        } catch (error) {
          // A filter that matches no member is `noTarget` (section 3.5.2.2) and fails the whole PATCH: retry with
          // only the ids that are still members, which keeps the call idempotent.
          if (!(isIdpError(error, 'invalid_request') && error.scimType === 'noTarget')) throw error;
          const { body } = await scim.request({
            operation: 'removeProfileMembers', method: 'GET', path: `/Groups/${encodeURIComponent(profileId)}`,
            query: { attributes: 'members' }, idempotent: true,
          });
          const present = new Set(((body as ScimGroup).members ?? []).map((m) => m.value));
          const remaining = chunk.filter((id) => present.has(id));
          if (remaining.length > 0) await patchMembers('removeProfileMembers', profileId, ops(remaining));
        }
      });
    },

    async unlinkUser(externalId: string): Promise<boolean> {
      const linked = await findByExternalId('unlinkUser', externalId);
      if (!linked) return false;
      try {
        await scim.request({ operation: 'unlinkUser', method: 'DELETE', path: `/Users/${encodeURIComponent(linked.id)}`, idempotent: true });
      } catch (error) {
        // A retried DELETE whose first attempt succeeded finds nothing: that is the wanted end state.
        if (!isIdpError(error, 'not_found')) throw error;
      }
      return true;
    },
  };

  // A SCIM server decides alone whether a POST links: the engine looks before a planned create (createOnly false).
  const describe = (): IdpDescription => ({
    createOnly: false,
    kind: 'external',
    issuer: options.issuer,
    limits: {
      batchSize, requestsPerMinute: scim.options.requestsPerMinute, concurrency: scim.options.concurrency, timeoutMs: scim.options.timeoutMs,
      bulk: capabilities.known()?.bulk ?? null,
      lookupsPerRequest: capabilities.known()?.lookupChunk ?? 1,
    },
  });

  return {
    scim,
    ...one,
    ...createExternalBatchMethods({ scim, capabilities: () => capabilities.get(), toUser, one, batchSize }),
    describe,
    async discover(signal?: AbortSignal) {
      await capabilities.get(signal);
      return describe();
    },
  };
}

function listOf<T>(body: unknown, operation: string): T[] {
  const list = body as ScimListResponse<T> | undefined;
  if (typeof list !== 'object' || list === null || typeof list.totalResults !== 'number') {
    throw new IdpError('protocol', `${operation}: the IdP answered something that is not a SCIM ListResponse`);
  }
  return list.Resources ?? [];
}

async function inBatches<T>(items: T[], size: number, fn: (chunk: T[]) => Promise<unknown>): Promise<void> {
  const work: Promise<unknown>[] = [];
  // Chunks go out together; the client's semaphore and rate limiter decide how many actually run at once.
  for (let i = 0; i < items.length; i += size) work.push(fn(items.slice(i, i + size)));
  const results = await Promise.allSettled(work);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}
