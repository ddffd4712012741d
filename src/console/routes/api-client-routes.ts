import { createImsClient, issueImsClientToken, listImsClients, revokeImsClient, type ImsClientToken, type NewImsClient } from '../../app/actions/index.ts';
import { PROVISIONING_TOKEN_DAYS } from '../../ims/admin-api/org-clients.ts';
import { provisioningUrls } from '../../app/actions/ims-embedded.ts';
import { isAdminError } from '../../ims/admin-api/admin-error.ts';
import { isImsError } from '../../ims/directory/ims-directory.ts';
import type { ConsoleContext, SubscriptionRequest } from '../console-context.ts';
import { renderApiClientsPage } from '../pages/api-clients-page.ts';
import type { SafeHtml, Tab } from '../pages/layout.ts';
import type { Flash } from '../session.ts';

/** The org an admin of this subscription manages: the linked one, else the one the import names. */
async function orgOf(ctx: ConsoleContext, subscriptionId: string): Promise<{ orgId: string | null; unavailable: string | null }> {
  if (ctx.app.config.idp.kind !== 'embedded') return { orgId: null, unavailable: 'Users move to an external identity provider: create its provisioning clients there.' };
  const m = await ctx.data.migration(subscriptionId);
  const orgId = m?.org_id ?? (await ctx.data.subscription(subscriptionId))?.imsOrg.id ?? null;
  return orgId ? { orgId, unavailable: null } : { orgId: null, unavailable: 'Import this subscription first: its IMS organization comes with it.' };
}

/** The page, with the clients of the subscription's org; `created` once, right after the create form. */
export async function apiClientsPage(ctx: ConsoleContext, r: SubscriptionRequest, created?: NewImsClient, token?: ImsClientToken): Promise<{ title: string; tab: Tab; body: SafeHtml }> {
  let { orgId, unavailable } = await orgOf(ctx, r.subscriptionId);
  let clients: Awaited<ReturnType<typeof listImsClients>> = [];
  if (orgId) {
    try {
      clients = await listImsClients(ctx.app, { orgId });
    } catch (e) {
      if (!isImsError(e, 'not_found')) throw e;
      unavailable = 'The IMS organization is created when the product is linked (Overview): API clients can be made then.';
      orgId = null;
    }
  }
  const body = renderApiClientsPage({
    session: r.session, subscriptionId: r.subscriptionId, timeZone: await ctx.data.timeZone(r.subscriptionId), unavailable, orgId, clients,
    urls: provisioningUrls(ctx.app), ...(created ? { created } : {}), ...(token ? { token } : {}),
  });
  return { title: 'API clients', tab: 'api-clients', body };
}

type Outcome = { flash: Flash; page?: { title: string; tab: Tab; body: SafeHtml } };

/**
 * Create: the same application function as `rehome ims client create`. The answer is the page itself, not a
 * redirect: the secret must not be parked in the session's flash (a database row) to survive a GET.
 */
export async function createApiClient(ctx: ConsoleContext, r: SubscriptionRequest, form: URLSearchParams): Promise<Outcome> {
  const { orgId, unavailable } = await orgOf(ctx, r.subscriptionId);
  if (!orgId) return { flash: { kind: 'error', text: unavailable ?? 'No IMS organization.' } };
  const name = (form.get('name') ?? '').trim();
  if (!name) return { flash: { kind: 'error', text: 'Give the client a name (who uses it, e.g. "Okta provisioning").' } };
  if (name.length > 100) return { flash: { kind: 'error', text: 'Keep the name under 100 characters.' } };
  try {
    const withToken = form.get('token') === 'yes';
    const created = await createImsClient(ctx.app, { orgId, name, scope: form.get('scope') ?? 'scim', actor: r.session.actor, ...(withToken ? { tokenDays: PROVISIONING_TOKEN_DAYS.default } : {}) });
    return { flash: { kind: 'notice', text: `API client "${name}" created. Copy its secret${withToken ? ' and its token' : ''} now: ${withToken ? 'they are' : 'it is'} not shown again.` }, page: await apiClientsPage(ctx, r, created) };
  } catch (e) {
    if (isImsError(e, 'not_found')) return { flash: { kind: 'error', text: 'The IMS organization is created when the product is linked (Overview): create API clients then.' } };
    if (isAdminError(e, 'invalid_request')) return { flash: { kind: 'error', text: `${e.message.charAt(0).toUpperCase()}${e.message.slice(1)}.` } };
    throw e;
  }
}

/**
 * A client's actions, limited to this subscription's org (another org's client is not found): `revoke`
 * (`rehome ims client revoke`) or `token`, a new long-lived SCIM token (`rehome ims client token`), answered with
 * the page itself since the token is shown once.
 */
export async function revokeApiClient(ctx: ConsoleContext, r: SubscriptionRequest, form: URLSearchParams): Promise<Outcome> {
  const { orgId, unavailable } = await orgOf(ctx, r.subscriptionId);
  if (!orgId) return { flash: { kind: 'error', text: unavailable ?? 'No IMS organization.' } };
  const action = form.get('action');
  if (action === 'token') return newToken(ctx, r, orgId, (form.get('client') ?? '').trim());
  if (action !== 'revoke') return { flash: { kind: 'error', text: 'Choose what to do with the client.' } };
  try {
    const client = await revokeImsClient(ctx.app, { clientId: (form.get('client') ?? '').trim(), orgId, actor: r.session.actor });
    return { flash: { kind: 'notice', text: `API client "${client.name}" is revoked: it and its tokens no longer work.` } };
  } catch (e) {
    if (isAdminError(e, 'not_found') || isImsError(e, 'not_found')) return { flash: { kind: 'error', text: 'No such API client in this organization.' } };
    throw e;
  }
}

async function newToken(ctx: ConsoleContext, r: SubscriptionRequest, orgId: string, clientId: string): Promise<Outcome> {
  try {
    const token = await issueImsClientToken(ctx.app, { clientId, orgId, actor: r.session.actor });
    return { flash: { kind: 'notice', text: 'New long-lived token issued. Copy it now: it is not shown again, and the previous one no longer works.' }, page: await apiClientsPage(ctx, r, undefined, token) };
  } catch (e) {
    if (isAdminError(e, 'not_found') || isImsError(e, 'not_found')) return { flash: { kind: 'error', text: 'No such API client in this organization.' } };
    if (isAdminError(e, 'invalid_request')) return { flash: { kind: 'error', text: `${e.message.charAt(0).toUpperCase()}${e.message.slice(1)}.` } };
    throw e;
  }
}
