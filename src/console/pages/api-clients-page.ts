import type { ImsClientToken, ImsClientView, NewImsClient } from '../../app/actions/index.ts';
import { PROVISIONING_TOKEN_DAYS } from '../../ims/admin-api/org-clients.ts';
import type { ConsoleSession } from '../session.ts';
import { formatInstant } from './labels.ts';
import { csrfField, emptyState, html, subscriptionPath, type SafeHtml } from './layout.ts';

export interface ApiClientsPageInput {
  session: ConsoleSession;
  subscriptionId: string;
  timeZone: string;
  /** Why no client can be made here (no embedded IMS, no organization yet), or null. */
  unavailable: string | null;
  orgId: string | null;
  clients: ImsClientView[];
  urls: { tokenEndpoint: string; scimUrl: string };
  /** Right after "Create": the one time the secret is shown. */
  created?: NewImsClient;
  /** Right after "New token": the one time the long-lived token is shown. */
  token?: ImsClientToken;
}

/**
 * The org's API clients: the credentials an identity admin pastes into Okta, Entra ID or a script (docs/scim.md,
 * "Connect Okta or Entra ID"). A new client's secret is shown on the answer to the create form only, never again.
 */
export function renderApiClientsPage(input: ApiClientsPageInput): SafeHtml {
  if (input.unavailable) return emptyState('API clients are not available here', input.unavailable);
  const path = (rest: string) => subscriptionPath(input.subscriptionId, rest);
  return html`
${input.created ? createdPanel(input.created, input.timeZone) : ''}${input.token ? tokenPanel(input.token, input.timeZone) : ''}
<section class="panel" aria-labelledby="clients-h">
<h2 id="clients-h">Clients of organization <span class="code">${input.orgId}</span></h2>
<p>A provisioning tool gets a token at the token endpoint (client credentials, HTTP Basic) and provisions users at the SCIM URL of this organization only. Revoking a client stops it and every token it holds at once.</p>
<dl class="facts"><dt>Token endpoint</dt><dd><code>${input.urls.tokenEndpoint}</code></dd><dt>SCIM URL (tenant URL)</dt><dd><code>${input.urls.scimUrl}</code></dd></dl>
${input.clients.length === 0 ? emptyState('No API clients yet', 'Create one below for your identity provider\'s SCIM provisioning.') : html`<div class="table-wrap" role="region" aria-labelledby="clients-h" tabindex="0"><table>
<thead><tr><th scope="col">Name</th><th scope="col">Client ID</th><th scope="col">Scope</th><th scope="col">Created</th><th scope="col">Status</th><th scope="col">Long-lived token</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
<tbody>${input.clients.map((c) => html`<tr><td>${c.name}</td><td class="code">${c.clientId}</td><td>${c.scope}</td><td>${formatInstant(c.createdAt, input.timeZone)}</td>
<td>${c.revokedAt ? `Revoked ${formatInstant(c.revokedAt, input.timeZone)}` : 'Active'}</td>
<td>${c.tokenExpiresAt ? `Expires ${formatInstant(c.tokenExpiresAt, input.timeZone)}` : 'None'}</td>
<td>${c.revokedAt ? '' : html`${c.scopes.includes('scim') ? html`<form method="post" action="${path('/api-clients/action')}" data-confirm="Issue a new long-lived token for ${c.name}?${c.tokenExpiresAt ? ' The current one stops working at once.' : ''}">${csrfField(input.session)}<input type="hidden" name="action" value="token"><input type="hidden" name="client" value="${c.clientId}"><button type="submit" class="secondary" aria-label="New token for ${c.name}">New token</button></form>` : ''}
<form method="post" action="${path('/api-clients/action')}" data-confirm="Revoke ${c.name}? Its tokens stop working at once.">${csrfField(input.session)}<input type="hidden" name="action" value="revoke"><input type="hidden" name="client" value="${c.clientId}"><button type="submit" class="danger" aria-label="Revoke ${c.name}">Revoke</button></form>`}</td></tr>`)}</tbody>
</table></div>`}
</section>

<section class="panel" aria-labelledby="create-h">
<h2 id="create-h">Create an API client</h2>
<form method="post" action="${path('/api-clients')}" class="actions">${csrfField(input.session)}
<div class="field"><label for="client-name">Name</label><span class="hint" id="client-name-hint">Who uses it, e.g. "Okta provisioning".</span>
<input type="text" id="client-name" name="name" maxlength="100" required aria-describedby="client-name-hint"></div>
<div class="field"><label for="client-scope">Access</label>
<select id="client-scope" name="scope"><option value="scim" selected>SCIM provisioning (scim)</option><option value="scim admin">SCIM and the Admin API (scim admin)</option></select></div>
<div class="field"><label><input type="checkbox" name="token" value="yes" aria-describedby="client-token-hint"> Also issue a long-lived token</label>
<span class="hint" id="client-token-hint">For Okta (HTTP header authentication) and Entra ID (Secret Token), which paste a fixed token instead of fetching one: valid ${PROVISIONING_TOKEN_DAYS.default} days, SCIM only.</span></div>
<button type="submit">Create client</button>
</form>
</section>`;
}

function createdPanel(c: NewImsClient, timeZone: string): SafeHtml {
  return html`<section class="panel secret" aria-labelledby="secret-h">
<h2 id="secret-h">Copy the client secret now</h2>
<p><strong>This is the only time the secret is shown.</strong> Only a digest of it is stored: if it is lost, revoke the client and create another.</p>
<dl class="facts"><dt>Client ID</dt><dd><code>${c.clientId}</code></dd><dt>Client secret</dt><dd><code id="client-secret">${c.clientSecret}</code></dd>
<dt>Scope</dt><dd>${c.scope}</dd><dt>Token endpoint</dt><dd><code>${c.tokenEndpoint}</code></dd><dt>SCIM URL (tenant URL)</dt><dd><code>${c.scimUrl}</code></dd>
${c.bearerToken ? html`<dt>Long-lived token</dt><dd><code id="bearer-token">${c.bearerToken}</code></dd><dt>Token expires</dt><dd>${formatInstant(c.bearerTokenExpiresAt!, timeZone)}</dd>` : ''}</dl>
${c.bearerToken ? html`<p>Okta: <em>Authentication Mode</em> HTTP Header, <em>Authorization</em> = the long-lived token. Entra ID: <em>Secret Token</em> = the long-lived token.</p>` : ''}
</section>`;
}

function tokenPanel(t: ImsClientToken, timeZone: string): SafeHtml {
  return html`<section class="panel secret" aria-labelledby="token-h">
<h2 id="token-h">Copy the long-lived token now</h2>
<p><strong>This is the only time the token is shown</strong>, and the client's previous token no longer works. Okta: <em>Authentication Mode</em> HTTP Header, <em>Authorization</em> = the token. Entra ID: <em>Secret Token</em> = the token.</p>
<dl class="facts"><dt>Client ID</dt><dd><code>${t.clientId}</code></dd><dt>Long-lived token</dt><dd><code id="bearer-token">${t.bearerToken}</code></dd>
<dt>Expires</dt><dd>${formatInstant(t.bearerTokenExpiresAt, timeZone)}</dd><dt>SCIM URL (tenant URL)</dt><dd><code>${t.scimUrl}</code></dd></dl>
</section>`;
}
