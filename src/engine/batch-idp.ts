import { IdpError, type IdpBatchResult, type IdpUser, type IdpUserType, type NewIdpUser } from '../ports/identity-provider.ts';
import type { EnginePorts } from '../ports/engine-ports.ts';

/**
 * The IdP calls of a batch, each through the port's bulk method when the adapter has it and one item at a time
 * (bounded by the adapter's concurrency) when it does not. Every answer is per item; a call-wide failure becomes
 * that failure for each item of the call, after waiting out throttling (Retry-After, else exponential back-off).
 */
export interface BatchIdp {
  findByExternalIds(ids: string[]): Promise<IdpBatchResult<IdpUser | undefined>[]>;
  findByEmails(emails: string[], types?: readonly IdpUserType[]): Promise<IdpBatchResult<IdpUser | undefined>[]>;
  link(links: { userId: string; externalId: string }[]): Promise<IdpBatchResult<IdpUser>[]>;
  create(inputs: NewIdpUser[]): Promise<IdpBatchResult<IdpUser>[]>;
  /** Adds to the profile a chunk (the IdP's batch size) per request; a refused chunk is retried member by member. */
  grant(profileId: string, userIds: string[]): Promise<IdpBatchResult<void>[]>;
}

export function createBatchIdp(ports: Pick<EnginePorts, 'idp' | 'onEvent' | 'sleep'>, maxThrottleRetries: number): BatchIdp {
  const { idp } = ports;
  const lanes = Math.max(1, Math.min(16, idp.describe().limits.concurrency));
  const retrying = <T>(fn: () => Promise<T>) => withThrottleRetries(fn, ports, maxThrottleRetries);
  const each = <I, T>(items: I[], one: (item: I) => Promise<T>) => mapPool(items, lanes, (item) => settle(retrying(() => one(item))));
  const callWide = async <T>(n: number, fn: () => Promise<IdpBatchResult<T>[]>): Promise<IdpBatchResult<T>[]> => {
    try {
      return await retrying(fn);
    } catch (error) {
      const e = asIdpError(error);
      return Array.from({ length: n }, () => ({ ok: false, error: e }));
    }
  };
  // Items the IdP throttled inside a bulk answer (a Bulk operation's 429, or a one-item call the adapter made for
  // each) are asked again after the wait, like a throttled call.
  const bulk = async <I, T>(items: I[], fn: (items: I[]) => Promise<IdpBatchResult<T>[]>): Promise<IdpBatchResult<T>[]> => {
    if (items.length === 0) return [];
    const results = await callWide(items.length, () => fn(items));
    for (let retry = 0; retry < maxThrottleRetries; retry++) {
      const again = results.flatMap((r, i) => (!r.ok && r.error.code === 'throttled' ? [i] : []));
      if (again.length === 0) break;
      await waitOut(again.map((i) => (results[i] as { error: IdpError }).error), retry, ports);
      (await callWide(again.length, () => fn(again.map((i) => items[i]!)))).forEach((r, k) => { results[again[k]!] = r; });
    }
    return results;
  };
  return {
    findByExternalIds: (ids) => idp.findUsersByExternalIds
      ? bulk(ids, (some) => idp.findUsersByExternalIds!(some))
      : each(ids, (externalId) => idp.findUser({ externalId })),
    findByEmails: (emails, types) => idp.findUsersByEmails
      ? bulk(emails, (some) => idp.findUsersByEmails!(some, types))
      : each(emails, (email) => idp.findUser({ email, ...(types ? { types } : {}) })),
    link: (links) => idp.linkUsers ? bulk(links, (some) => idp.linkUsers!(some)) : each(links, (l) => idp.linkUser(l.userId, l.externalId)),
    create: (inputs) => idp.createUsers ? bulk(inputs, (some) => idp.createUsers!(some)) : each(inputs, (input) => idp.createUser(input)),
    async grant(profileId, userIds) {
      if (idp.addProfileMembersEach) return bulk(userIds, (some) => idp.addProfileMembersEach!(profileId, some));
      // One request per chunk the IdP accepts, so a failure (even after retries) is only that chunk's users'.
      const size = Math.max(1, idp.describe().limits.batchSize);
      const chunks: string[][] = [];
      for (let i = 0; i < userIds.length; i += size) chunks.push(userIds.slice(i, i + size));
      const answers = await mapPool(chunks, lanes, async (chunk): Promise<IdpBatchResult<void>[]> => {
        try {
          await retrying(() => idp.addProfileMembers(profileId, chunk));
          return chunk.map(() => ({ ok: true, value: undefined }));
        } catch (error) {
          const e = asIdpError(error);
          // A refusal may be one member's (a deleted account): each alone finds whose. A retryable failure is not.
          if (e.retryable || chunk.length === 1) return chunk.map(() => ({ ok: false, error: e }));
          return each(chunk, (id) => idp.addProfileMembers(profileId, [id]));
        }
      });
      return answers.flat();
    },
  };
}

async function withThrottleRetries<T>(fn: () => Promise<T>, ports: Pick<EnginePorts, 'onEvent' | 'sleep'>, max: number): Promise<T> {
  for (let retry = 0; ; retry++) {
    try {
      return await fn();
    } catch (error) {
      if (!(error instanceof IdpError) || error.code !== 'throttled' || retry >= max) throw error;
      await waitOut([error], retry, ports);
    }
  }
}

/** The longest Retry-After the IdP asked for, else exponential back-off; told as an `idp:throttled` event. */
async function waitOut(errors: IdpError[], retry: number, ports: Pick<EnginePorts, 'onEvent' | 'sleep'>): Promise<void> {
  const asked = errors.flatMap((e) => (e.retryAfterMs === undefined ? [] : [e.retryAfterMs]));
  const waitMs = asked.length > 0 ? Math.max(...asked) : Math.min(30_000, 500 * 2 ** retry);
  ports.onEvent?.({ type: 'idp:throttled', waitMs });
  await (ports.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms))))(waitMs);
}

function settle<T>(p: Promise<T>): Promise<IdpBatchResult<T>> {
  return p.then((value) => ({ ok: true, value }), (error) => ({ ok: false, error: asIdpError(error) }));
}

/** Anything that is not the port's own error is reported as the IdP being unavailable (retryable), never lost. */
export function asIdpError(error: unknown): IdpError {
  return error instanceof IdpError ? error : new IdpError('unavailable', (error as Error)?.message ?? String(error), { cause: error });
}

/** Runs `fn` over `items` with at most `lanes` in flight; results in input order. */
export async function mapPool<I, T>(items: I[], lanes: number, fn: (item: I) => Promise<T>): Promise<T[]> {
  const out: T[] = Array.from({ length: items.length });
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(lanes, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  }));
  return out;
}
