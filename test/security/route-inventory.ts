// Every route the composed server (`startRehomeServer`) answers, for the security suites to attack one by one.
// The console's subscription routes come from the route tables themselves (PAGES, ACTIONS, DOWNLOADS, and the
// Support & links tab's PHASE_THREE_ACTIONS and PHASE_THREE_DOWNLOADS), so a new page or action is attacked without
// touching this file; the rest are listed here, and route-inventory.test.ts fails when a source file serves a route
// (or a file starts serving routes) that these lists do not name.
// oidc-provider's own endpoints are read from the running server's discovery document (`oidcEndpoints`).
import { ACTIONS } from '../../src/console/routes/action-routes.ts';
import { DOWNLOADS } from '../../src/console/routes/download-routes.ts';
import { PAGES } from '../../src/console/routes/page-routes.ts';
import { PHASE_THREE_ACTIONS, PHASE_THREE_DOWNLOADS } from '../../src/console/routes/phase-three-routes.ts';
import { TOKEN_PATH } from '../../src/ims/admin-api/token-endpoint.ts';
import { UNMATCHED_PATH } from '../../src/redirects/redirect-handler.ts';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * How a route knows who asks: `console-session` (the console's cookie + synchronizer token), `ims-form` (the IMS's
 * signed double-submit token), `bearer` (an org API client's token; never cookies), `client-credentials` (client id
 * and secret in the request), `capability` (a one-time token in the form is the whole authority, no cookie), `public`.
 */
export type Guard = 'console-session' | 'ims-form' | 'bearer' | 'client-credentials' | 'capability' | 'public';

export interface Route {
  method: Method;
  path: string;
  guard: Guard;
}

const route = (method: Method, path: string, guard: Guard): Route => ({ method, path, guard });

/** Paths under `/console/s/:subscriptionId`, from the console's own tables. */
export const CONSOLE_SUBSCRIPTION_ROUTES: readonly Route[] = [
  ...Object.keys(PAGES).map((p) => route('GET', p, 'console-session')),
  ...Object.keys(DOWNLOADS).map((p) => route('GET', p, 'console-session')),
  ...Object.keys(PHASE_THREE_DOWNLOADS).map((p) => route('GET', p, 'console-session')),
  route('GET', '/events', 'console-session'),
  ...Object.keys(ACTIONS).map((p) => route('POST', p, 'console-session')),
  ...Object.keys(PHASE_THREE_ACTIONS).map((p) => route('POST', p, 'console-session')),
];

export const subscriptionPath = (subscriptionId: string, rest: string): string => `/console/s/${encodeURIComponent(subscriptionId)}${rest}`;

/** The console's routes outside a subscription. */
export const CONSOLE_ROUTES: readonly Route[] = [
  route('GET', '/console/', 'console-session'),
  route('GET', '/console/login', 'public'),
  route('GET', '/console/callback', 'public'),
  route('GET', '/console/bootstrap', 'public'),
  route('POST', '/console/bootstrap', 'capability'),
  route('POST', '/console/logout', 'console-session'),
  route('GET', '/console/assets/console.css', 'public'),
  route('GET', '/console/assets/console.js', 'public'),
  route('GET', '/console/assets/favicon.svg', 'public'),
];

/** The IMS's self-service forms (`src/ims/http/account-routes.ts`): each answers GET (the form) and POST. */
export const IMS_ACCOUNT_FORMS: readonly string[] = [
  '/ims/account/signup', '/ims/account/verify', '/ims/account/verify/resend', '/ims/account/invite', '/ims/account/reset', '/ims/account/reset/confirm',
  '/ims/account/email', '/ims/account/email/confirm',
];

/** The IMS's own pages (`src/ims/http`); `:uid` is a live interaction. */
export const IMS_ROUTES: readonly Route[] = [
  ...IMS_ACCOUNT_FORMS.flatMap((p) => [route('GET', p, 'public'), route('POST', p, 'ims-form')]),
  route('GET', '/ims/account/done', 'public'),
  route('GET', '/ims/interaction/:uid', 'public'),
  route('POST', '/ims/interaction/:uid/login', 'ims-form'),
  route('POST', '/ims/interaction/:uid/consent', 'ims-form'),
  route('GET', '/ims/sso/callback', 'public'),
  route('GET', '/ims/dev/outbox', 'public'),
  route('GET', '/ims/dev/outbox.json', 'public'),
];

/** The Admin API under `/ims/admin/v1` (`src/ims/admin-api/admin-api-handler.ts`). */
export const ADMIN_API_BASE = '/ims/admin/v1';
export const ADMIN_API_ROUTES: readonly Route[] = [
  route('GET', '/orgs/{orgId}', 'bearer'),
  route('GET', '/orgs/{orgId}/domains', 'bearer'),
  route('POST', '/orgs/{orgId}/domains', 'bearer'),
  route('DELETE', '/orgs/{orgId}/domains/{domain}', 'bearer'),
  route('POST', '/orgs/{orgId}/domains/{domain}/verify', 'bearer'),
  route('GET', '/orgs/{orgId}/users', 'bearer'),
  route('POST', '/orgs/{orgId}/users', 'bearer'),
  route('GET', '/orgs/{orgId}/users/{userId}', 'bearer'),
  route('DELETE', '/orgs/{orgId}/users/{userId}', 'bearer'),
  route('POST', '/orgs/{orgId}/users/{userId}/disable', 'bearer'),
  route('POST', '/orgs/{orgId}/users/{userId}/enable', 'bearer'),
  route('GET', '/orgs/{orgId}/product-profiles', 'bearer'),
  route('POST', '/orgs/{orgId}/product-profiles', 'bearer'),
  route('GET', '/orgs/{orgId}/product-profiles/{profileId}', 'bearer'),
  route('POST', '/orgs/{orgId}/product-profiles/{profileId}/members', 'bearer'),
  route('DELETE', '/orgs/{orgId}/product-profiles/{profileId}/members/{userId}', 'bearer'),
  route('GET', '/orgs/{orgId}/users.csv', 'bearer'),
  route('POST', '/orgs/{orgId}/users.csv', 'bearer'),
];

/** SCIM 2.0 under `/scim/v2` (`src/ims/scim/scim-handler.ts`); discovery holds no tenant data and needs no token. */
export const SCIM_BASE = '/scim/v2';
export const SCIM_ROUTES: readonly Route[] = [
  ...(['Users', 'Groups'] as const).flatMap((c) => [
    route('GET', `/${c}`, 'bearer'), route('POST', `/${c}`, 'bearer'), route('POST', `/${c}/.search`, 'bearer'),
    route('GET', `/${c}/{id}`, 'bearer'), route('PUT', `/${c}/{id}`, 'bearer'), route('PATCH', `/${c}/{id}`, 'bearer'), route('DELETE', `/${c}/{id}`, 'bearer'),
  ]),
  // Bulk runs the routes above as operations; /Me and the root /.search answer 501 (not supported), after the token check.
  route('POST', '/Bulk', 'bearer'), route('GET', '/Me', 'bearer'), route('POST', '/.search', 'bearer'),
  route('GET', '/ServiceProviderConfig', 'public'),
  route('GET', '/ResourceTypes', 'public'), route('GET', '/ResourceTypes/{id}', 'public'),
  route('GET', '/Schemas', 'public'), route('GET', '/Schemas/{id}', 'public'),
];

/** Product-side email verification (`src/comms/verify-email-handler.ts`): the link's token is the authority. */
export const VERIFY_EMAIL_ROUTES: readonly Route[] = [
  route('GET', '/verify-email', 'public'),
  route('POST', '/verify-email', 'capability'),
  route('POST', '/verify-email/resend', 'capability'),
];

/**
 * The org API clients' token endpoint, the redirect service's own endpoint (old URLs are the rules'), and /metrics
 * (public unless `server.metricsToken` is set, as in the security world; it holds counts, no tenant data).
 */
export const OTHER_ROUTES: readonly Route[] = [
  route('POST', TOKEN_PATH, 'client-credentials'),
  route('GET', UNMATCHED_PATH, 'public'),
  route('GET', '/metrics', 'public'),
  // "What changes for me" (src/comms/help-handler.ts) and the product banner's notice: public, no person named.
  route('GET', '/help/123-ABC-456', 'public'),
  route('GET', '/help/123-ABC-456/notice.json', 'public'),
];

/**
 * oidc-provider's endpoints, from the running server's discovery document: authorization and end-session are
 * browser-facing (the user agent brings the IMS session cookie); the rest authenticate the client.
 */
export async function oidcEndpoints(serverUrl: string): Promise<{ name: string; path: string }[]> {
  const doc = (await (await fetch(`${serverUrl}/ims/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
  return Object.entries(doc)
    .filter((e): e is [string, string] => e[0].endsWith('_endpoint') && typeof e[1] === 'string' && e[1].startsWith(serverUrl))
    .map(([name, url]) => ({ name, path: new URL(url).pathname }))
    .concat([{ name: 'jwks_uri', path: new URL(String(doc.jwks_uri)).pathname }]);
}

