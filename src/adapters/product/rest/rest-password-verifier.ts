import type { LegacyPasswordVerifier } from '../../../ims/passwords/password-strategy.ts';
import { isProductSourceError, ProductSourceError } from '../../../ports/product-source.ts';
import { createProductApiClient, type ProductApiClientOptions } from './product-api-client.ts';

export interface RestPasswordVerifierOptions extends ProductApiClientOptions {
  /** Used when the IMS does not say which subscription the account came from. */
  subscriptionId?: string;
}

/**
 * Lazy migration's check of a legacy password, over the product's Rehome API:
 * `POST <baseUrl>/subscriptions/{subscription}/users/{user}/verify-password` with `{ "password": "..." }`, answered
 * `200 { "ok": true | false }` (false also for a deactivated or locked user); `404` for an unknown user reads as
 * false. Every other answer (401, 5xx, timeout, not JSON) throws ProductSourceError: the product could not say,
 * which the sign-in must not count as a wrong password. Users are identified by product user id only, never by
 * email. The password travels only in the request body; no message here contains it.
 */
export function createRestPasswordVerifier(options: RestPasswordVerifierOptions): LegacyPasswordVerifier {
  // A person is waiting on the sign-in page: fail fast (default 5 s) rather than hold them for the usual 30 s.
  const api = createProductApiClient({ ...options, timeoutMs: options.timeoutMs ?? 5_000 });
  return {
    async verify(user, password) {
      const subscriptionId = user.subscriptionId ?? options.subscriptionId;
      if (subscriptionId === undefined || user.productUserId === undefined) return false;
      const path = `/subscriptions/${encodeURIComponent(subscriptionId)}/users/${encodeURIComponent(user.productUserId)}/verify-password`;
      let answer: { ok?: unknown };
      try {
        answer = await api.request<{ ok?: unknown }>('POST', path, { password });
      } catch (error) {
        if (isProductSourceError(error, 'not_found')) return false;
        throw error;
      }
      if (typeof answer?.ok !== 'boolean') throw new ProductSourceError('protocol', `POST ${path}: expected { "ok": boolean }`);
      return answer.ok;
    },
  };
}
