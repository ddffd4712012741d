import type { ProductUser } from '../../../core/model.ts';
import type { CutoverResult, IdentityLink, LoginMode, ProductLink, ProductSource, ProductTicket, UserAccess } from '../../../ports/product-source.ts';
import { createProductApiClient, type ProductApiClientOptions } from './product-api-client.ts';

export interface RestProductSourceOptions extends ProductApiClientOptions {
  subscriptionId: string;
  /** Items per page on list calls (default 200; the product may cap it). */
  pageSize?: number;
}

/**
 * ProductSource over a product's Rehome API (`<baseUrl>/subscriptions/<id>/...`, implemented by examples/engage;
 * the routes are in docs/product-kit.md). Lists are read page by page; writes are idempotent on the product side.
 */
export function createRestProductSource(options: RestProductSourceOptions): ProductSource {
  const api = createProductApiClient(options);
  const sub = `/subscriptions/${encodeURIComponent(options.subscriptionId)}`;
  const user = (id: string): string => `${sub}/users/${encodeURIComponent(id)}`;
  const pageSize = options.pageSize ?? 200;
  return {
    listUsers: () => api.readAll<ProductUser>(`${sub}/users`, pageSize),
    getAccess: () => api.readAll<UserAccess>(`${sub}/access`, pageSize),
    listLinks: () => api.readAll<ProductLink>(`${sub}/links`, pageSize),
    listTickets: () => api.readAll<ProductTicket>(`${sub}/tickets`, pageSize),
    updateLink: (id, text, expectedText) => api.request<ProductLink>('PATCH', `${sub}/links/${encodeURIComponent(id)}`, { text, expectedText }),
    async writeIdentityLink(userId: string, identity: IdentityLink) {
      await api.request('PUT', `${user(userId)}/identity-link`, { issuer: identity.issuer, subject: identity.subject });
    },
    async removeIdentityLink(userId) {
      await api.request('DELETE', `${user(userId)}/identity-link`);
    },
    async setLoginMode(userId: string, mode: LoginMode) {
      await api.request('PUT', `${user(userId)}/login-mode`, { mode });
    },
    cutoverUser: (userId) => api.request<CutoverResult>('POST', `${user(userId)}/cutover`),
    async cutoverSubscription() {
      await api.request('POST', `${sub}/cutover`);
    },
    describe: () => ({ kind: 'rest', subscriptionId: options.subscriptionId, writable: true }),
  };
}
