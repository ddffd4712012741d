import { composeRehome } from '../../app/compose.ts';
import { clearImsOrgSso, createImsOrg, setImsOrgSso, type ImsOrgSsoView } from '../../app/actions/index.ts';
import { CliError } from '../cli-error.ts';
import { stringList, type CommandContext } from './command.ts';
import { imsFormat, json, refusalsExit2, requiredFlag } from './ims-output.ts';

/** The environment variable the upstream client secret comes from: a flag would land in shell history and `ps`. */
export const SSO_SECRET_ENV = 'REHOME_SSO_CLIENT_SECRET';

/** `rehome ims org create|sso set|sso off`. */
export async function runImsOrg(ctx: CommandContext, args: string[]): Promise<number> {
  const [action, sub, ...extra] = args;
  if (action === 'create' && sub === undefined) return create(ctx);
  if (action === 'sso' && (sub === 'set' || sub === 'off') && extra.length === 0) return sub === 'set' ? ssoSet(ctx) : ssoOff(ctx);
  throw new CliError('usage', `say what to do: rehome ims org create | org sso set | org sso off (got ${['org', ...args].join(' ')})`);
}

async function create(ctx: CommandContext): Promise<number> {
  const format = imsFormat(ctx);
  const name = requiredFlag(ctx, 'name', 'NAME');
  return refusalsExit2(ctx, 'org create', async () => {
    await using app = await composeRehome(ctx.config, { now: ctx.io.now });
    const org = await createImsOrg(app, { name, domains: stringList(ctx.values.domain), actor: ctx.io.actor });
    ctx.io.out(format === 'json' ? json(org) : `organization ${org.id} "${org.name}" created; domains: ${org.domains.join(', ') || 'none (rehome ims domain add)'}\n`);
    return 0;
  });
}

async function ssoSet(ctx: CommandContext): Promise<number> {
  const format = imsFormat(ctx);
  const orgId = requiredFlag(ctx, 'org', 'ORG_ID');
  const issuer = requiredFlag(ctx, 'issuer', 'URL');
  const clientId = requiredFlag(ctx, 'client-id', 'ID');
  const domains = stringList(ctx.values.domain);
  if (domains.length === 0) throw new CliError('usage', '--domain D is required (once per domain whose people sign in upstream)');
  // A face reads its own input: the secret is never a flag. Unset or empty means a public upstream client (PKCE only).
  const clientSecret = process.env[SSO_SECRET_ENV] ?? '';
  return refusalsExit2(ctx, 'org sso set', async () => {
    await using app = await composeRehome(ctx.config, { now: ctx.io.now });
    const view = await setImsOrgSso(app, { orgId, issuer, clientId, clientSecret, domains, actor: ctx.io.actor });
    if (!view.sso?.clientSecretSet) ctx.io.err(`note: ${SSO_SECRET_ENV} is not set, so the upstream client is used as a public client (PKCE only)\n`);
    ctx.io.out(format === 'json' ? json(view) : describeSso(view));
    return 0;
  });
}

async function ssoOff(ctx: CommandContext): Promise<number> {
  const format = imsFormat(ctx);
  const orgId = requiredFlag(ctx, 'org', 'ORG_ID');
  return refusalsExit2(ctx, 'org sso off', async () => {
    await using app = await composeRehome(ctx.config, { now: ctx.io.now });
    const view = await clearImsOrgSso(app, { orgId, actor: ctx.io.actor });
    ctx.io.out(format === 'json' ? json(view) : describeSso(view));
    return 0;
  });
}

function describeSso(view: ImsOrgSsoView): string {
  if (!view.sso) return `organization ${view.orgId}: SSO is off; its people sign in with IMS passwords\n`;
  return `organization ${view.orgId}: people of ${view.sso.domains.join(', ')} sign in at ${view.sso.issuer} (client ${view.sso.clientId}${view.sso.clientSecretSet ? ', secret set' : ', public client'})\n`;
}
