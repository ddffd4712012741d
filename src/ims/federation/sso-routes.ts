import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import { addressOf } from '../directory/directory-context.ts';
import { isImsError, type ImsOrgRecord } from '../directory/ims-directory.ts';
import { messagePage } from '../http/account-pages.ts';
import { redirect, sendHtml } from '../../http/http-io.ts';
import type { ImsConfig } from '../ims-config.ts';
import { resolveFederatedAccount, type FederatedAccountDeps, type VerifiedUpstreamPerson } from './federated-account.ts';
import { FederationError } from './federation-error.ts';
import { createSsoState } from './sso-state.ts';
import { createUpstreamClient, type UpstreamClient, type UpstreamIdentity } from './upstream-client.ts';

export interface SsoFlowDeps extends FederatedAccountDeps {
  config: ImsConfig;
  /** The current oidc-provider (read per request: key rotation replaces it). */
  provider: () => Provider;
  /** Default: openid-client against the org's issuer, redirect URI `<issuer>/sso/callback`. */
  upstream?: UpstreamClient;
}

/** How long a person may take at the upstream before the callback is refused. */
const PENDING_SSO_SECONDS = 900;

const INVALID = 'The answer from your organization’s sign-in service did not check out. Start again from the application.';
const EXPIRED = 'This sign-in has expired or was started in another browser. Start again from the application.';

/**
 * Sign-in through an organization's upstream OpenID Connect provider, for the domains the org federates:
 * the login page hands such an address to `begin` instead of asking for a password; the upstream returns to
 * `/ims/sso/callback`, where every check must pass before the oidc-provider interaction is finished.
 */
export function createSsoFlow(deps: SsoFlowDeps) {
  const { config, directory } = deps;
  const state = createSsoState(config.linkSecret, { secure: config.issuer.startsWith('https:'), ttlSeconds: PENDING_SSO_SECONDS });
  const upstream = deps.upstream ?? createUpstreamClient({ redirectUri: `${config.issuer}/sso/callback`, allowInsecureHttp: config.allowInsecureHttp });

  return {
    /** The org whose SSO federation covers the typed address's domain (exactly; subdomains are not covered). */
    async federatedOrgFor(email: string): Promise<ImsOrgRecord | undefined> {
      const domain = domainOf(email);
      if (!domain) return undefined;
      const org = await directory.findOrgByDomain(domain);
      return org?.sso?.domains.includes(domain) ? org : undefined;
    },

    /** Sends the browser upstream (303) for the login prompt of interaction `uid`. */
    async begin(res: ServerResponse, input: { uid: string; org: ImsOrgRecord; email: string }): Promise<void> {
      const sso = input.org.sso!;
      const { url, checks } = await upstream.begin(sso, input.email.trim());
      await state.save(res, { uid: input.uid, orgId: input.org.id, issuer: sso.issuer, ...checks });
      redirect(res, url.href);
    },

    /** `GET /ims/sso/callback`: validate, find or link the federated account, finish the interaction. */
    async callback(req: IncomingMessage, res: ServerResponse): Promise<void> {
      const pending = await state.read(req);
      state.clear(res);
      try {
        if (req.method !== 'GET' || !pending) throw new FederationError('sso_state_missing', EXPIRED);
        const org = await directory.getOrg(pending.orgId);
        // Settings changed since the person left: what they signed in to is no longer trusted for this org.
        if (!org?.sso || org.sso.issuer !== pending.issuer) throw new FederationError('sso_state_missing', EXPIRED);
        const search = new URL(req.url ?? '/', 'http://ims.invalid').search;
        const identity = await upstream.complete(org.sso, new URL(`${config.issuer}/sso/callback${search}`), pending);
        const person = requireFederatedDomain(org, requireVerifiedEmail(identity));
        const account = await resolveFederatedAccount(deps, org, person);
        await finishLogin(deps.provider(), res, pending.uid, account.id);
      } catch (caught) {
        // An upstream claim the directory cannot take (e.g. a malformed address) is the upstream's fault.
        const error = isImsError(caught, 'invalid_input') ? new FederationError('sso_response_invalid', INVALID, { cause: caught }) : caught;
        if (!(error instanceof FederationError)) throw error;
        if (error.code === 'sso_response_invalid' || error.code === 'sso_unavailable') console.warn(`ims: sso ${error.code}: ${reason(error.cause)}`);
        const again = pending && error.code !== 'sso_state_missing' ? { href: `/ims/interaction/${pending.uid}`, text: 'Try again' } : undefined;
        sendHtml(res, error.status, messagePage(config, 'Sign-in refused', error.message, again));
      }
    },
  };
}

export type SsoFlow = ReturnType<typeof createSsoFlow>;

/** Missing or non-boolean `email_verified` counts as unverified (never link on an unverified email). */
function requireVerifiedEmail(identity: UpstreamIdentity): VerifiedUpstreamPerson {
  if (!identity.email || !identity.emailVerified) {
    throw new FederationError('sso_email_unverified', 'Your organization’s sign-in service did not confirm your email address, so you cannot be signed in. Ask your administrator to confirm it there.');
  }
  return { issuer: identity.issuer, subject: identity.subject, email: identity.email.trim(), firstName: identity.firstName, lastName: identity.lastName };
}

/** An upstream may only speak for the domains its org federates (a multi-tenant upstream must not mint others). */
function requireFederatedDomain(org: ImsOrgRecord, person: VerifiedUpstreamPerson): VerifiedUpstreamPerson {
  const domain = domainOf(person.email);
  if (!domain || !org.sso?.domains.includes(domain)) {
    throw new FederationError('sso_email_domain', 'The address your organization’s sign-in service gave is not one this organization signs in for.');
  }
  return person;
}

/** An operator's one-line reason (openid-client wraps the useful message one level down). */
function reason(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.cause instanceof Error ? `${error.message} (${reason(error.cause)})` : error.message;
}

function domainOf(email: string): string | undefined {
  try {
    return addressOf(email).domain;
  } catch (error) {
    if (isImsError(error, 'email_refused')) return undefined;
    throw error;
  }
}

/** What `provider.interactionFinished` does, addressed by uid: the interaction cookie is scoped to its own path. */
async function finishLogin(provider: Provider, res: ServerResponse, uid: string, accountId: string): Promise<void> {
  const interaction = await provider.Interaction.find(uid);
  if (!interaction || interaction.prompt.name !== 'login') throw new FederationError('sso_state_missing', EXPIRED);
  interaction.result = { login: { accountId } };
  await interaction.save(interaction.exp - Math.floor(Date.now() / 1000));
  redirect(res, interaction.returnTo);
}
