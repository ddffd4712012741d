import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import type { AccountService } from '../accounts/account-service.ts';
import { isImsError } from '../directory/ims-directory.ts';
import { FederationError } from '../federation/federation-error.ts';
import type { SsoFlow } from '../federation/sso-routes.ts';
import type { ImsConfig } from '../ims-config.ts';
import { isPasswordError } from '../passwords/password-error.ts';
import { renderForm, textField } from './account-pages.ts';
import type { Csrf } from './csrf.ts';
import { html } from '../../http/html.ts';
import { clientIp, readForm, sendHtml } from '../../http/http-io.ts';
import { statusOf } from './error-status.ts';

export interface InteractionDeps {
  config: ImsConfig;
  csrf: Csrf;
  accounts: AccountService;
  provider: () => Provider;
  /** Upstream SSO for the domains an organization federates. */
  sso: SsoFlow;
}

/** `/ims/interaction/<uid>[/login|/consent]`: the login and consent prompts of oidc-provider. */
export async function handleInteraction(deps: InteractionDeps, req: IncomingMessage, res: ServerResponse, uid: string, action: string | undefined): Promise<void> {
  const provider = deps.provider();
  const details = await provider.interactionDetails(req, res);
  const clientId = String(details.params.client_id ?? '');
  if (details.uid !== uid) {
    sendPage(res, 400, renderForm(deps.config, loginPage(deps, req, res, details.uid, clientId, 'This sign-in link is out of date. Start again from the application.')));
    return;
  }
  if (req.method === 'GET') {
    const page = details.prompt.name === 'login' ? loginPage(deps, req, res, uid, clientId) : consentPage(deps, req, res, uid, clientId, String(details.params.scope ?? ''));
    sendPage(res, 200, renderForm(deps.config, page));
    return;
  }
  const form = await readForm(req);
  deps.csrf.check(req, form);
  if (action === 'login' && details.prompt.name === 'login') {
    const email = form.get('email') ?? '';
    try {
      // A federated domain never signs in with a password here: its people sign in at their organization.
      const org = await deps.sso.federatedOrgFor(email);
      if (org) {
        await deps.sso.begin(res, { uid, org, email });
        return;
      }
      const account = await deps.accounts.signIn(email, form.get('password') ?? '', clientIp(req));
      await provider.interactionFinished(req, res, { login: { accountId: account.id } }, { mergeWithLastSubmission: false });
    } catch (error) {
      if (error instanceof FederationError) {
        sendPage(res, error.status, renderForm(deps.config, loginPage(deps, req, res, uid, clientId, error.message, email)));
        return;
      }
      if (isPasswordError(error)) {
        // Lazy migration could not reach the product: say so, and count nothing against the person.
        sendPage(res, 503, renderForm(deps.config, loginPage(deps, req, res, uid, clientId, error.message, email)));
        return;
      }
      if (!isImsError(error)) throw error;
      sendPage(res, statusOf(error.code), renderForm(deps.config, loginPage(deps, req, res, uid, clientId, error.message, email)));
    }
    return;
  }
  if (action === 'consent' && details.prompt.name === 'consent') {
    if (form.get('decision') !== 'allow') {
      await provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'The person declined.' }, { mergeWithLastSubmission: false });
      return;
    }
    const { accountId } = details.session!;
    const grant = details.grantId ? (await provider.Grant.find(details.grantId))! : new provider.Grant({ accountId, clientId: String(details.params.client_id) });
    const missing = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] };
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
    return;
  }
  sendPage(res, 400, renderForm(deps.config, loginPage(deps, req, res, uid, clientId, 'Start again from the application.')));
}

/** Login and consent forms end in redirects to the relying party or an upstream IdP (see `sendHtml`). */
function sendPage(res: ServerResponse, status: number, body: string): void {
  sendHtml(res, status, body, { redirectsAway: true });
}

function loginPage(deps: InteractionDeps, req: IncomingMessage, res: ServerResponse, uid: string, clientId: string, error?: string, email = '') {
  const back = encodeURIComponent(`/ims/interaction/${uid}`);
  // The reset mail's link carries the client, so "Password changed" leads back to the application the person came from.
  const registered = deps.config.clients.find((c) => c.clientId === clientId);
  const client = registered ? `&client=${encodeURIComponent(clientId)}` : '';
  return {
    title: deps.config.brandText,
    action: `/ims/interaction/${uid}/login`,
    csrf: deps.csrf.token(req, res),
    fields: html`${registered?.name ? html`<p>Sign in with your ${deps.config.productName} account to continue to ${registered.name}.</p>` : ''}
${textField('email', 'Email', { type: 'email', value: email, autocomplete: 'username' })}
${textField('password', 'Password', { type: 'password', autocomplete: 'current-password' })}`,
    submit: 'Sign in',
    after: html`<p>If your organization signs you in, enter your work email and leave the password empty: you continue at your organization.</p>
<p><a href="/ims/account/signup?return_to=${back}">Create an account</a> · <a href="/ims/account/reset?return_to=${back}${client}">Forgot your password?</a></p>`,
    ...(error ? { error } : {}),
  };
}

function consentPage(deps: InteractionDeps, req: IncomingMessage, res: ServerResponse, uid: string, clientId: string, scope: string) {
  return {
    title: 'Allow access?',
    action: `/ims/interaction/${uid}/consent`,
    csrf: deps.csrf.token(req, res),
    fields: html`<p>The application <strong>${clientId}</strong> asks to use your ${deps.config.productName} account: <code>${scope}</code>.</p>
<fieldset><legend>Your answer</legend>
<label><input type="radio" name="decision" value="allow" checked> Allow</label>
<label><input type="radio" name="decision" value="deny"> Deny</label></fieldset>`,
    submit: 'Continue',
  };
}
