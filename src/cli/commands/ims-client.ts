import { composeRehome } from '../../app/compose.ts';
import { createImsClient, issueImsClientToken, listImsClients, revokeImsClient } from '../../app/actions/index.ts';
import { CliError } from '../cli-error.ts';
import type { CommandContext } from './command.ts';
import { imsFormat, json, refusalsExit2, requiredFlag, table } from './ims-output.ts';

/** `rehome ims client create|list|revoke|token`. */
export async function runImsClient(ctx: CommandContext, args: string[]): Promise<number> {
  const [action, ...extra] = args;
  if (extra.length > 0 || !['create', 'list', 'revoke', 'token'].includes(action ?? '')) {
    throw new CliError('usage', `say what to do: rehome ims client create|list|revoke|token (got ${['client', ...args].join(' ')})`);
  }
  const format = imsFormat(ctx);
  if (action === 'create') return create(ctx, format);
  if (action === 'list') return list(ctx, format);
  if (action === 'token') return token(ctx, format);
  return revoke(ctx, format);
}

/** `--token-days N`: a whole number, checked again (1..730) by the application layer. */
function tokenDays(ctx: CommandContext): number | undefined {
  const raw = ctx.values['token-days'] as string | undefined;
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw.trim())) throw new CliError('usage', `--token-days must be a whole number of days (got ${raw})`);
  return Number(raw.trim());
}

async function token(ctx: CommandContext, format: string): Promise<number> {
  const clientId = requiredFlag(ctx, 'client-id', 'ID');
  const days = tokenDays(ctx);
  return refusalsExit2(ctx, 'client token', async () => {
    await using app = await composeRehome(ctx.config, { now: ctx.io.now });
    const t = await issueImsClientToken(app, { clientId, actor: ctx.io.actor, ...(days !== undefined ? { days } : {}) });
    ctx.io.out(format === 'json' ? json(t) : `${[['client id', t.clientId], ['bearer token', t.bearerToken], ['expires', t.bearerTokenExpiresAt], ['SCIM URL', t.scimUrl]].map(([k, v]) => `${k!.padEnd(15)} ${v}`).join('\n')}\n`);
    ctx.io.err('The token is shown this once (only its digest is stored): paste it into the IdP now (Okta: Authorization header; Entra ID: Secret Token). The previous token no longer works.\n');
    return 0;
  });
}

async function create(ctx: CommandContext, format: string): Promise<number> {
  const orgId = requiredFlag(ctx, 'org', 'ORG_ID');
  const name = requiredFlag(ctx, 'name', 'NAME');
  const scope = ctx.values.scope as string | undefined;
  const days = tokenDays(ctx);
  return refusalsExit2(ctx, 'client create', async () => {
    await using app = await composeRehome(ctx.config, { now: ctx.io.now });
    const client = await createImsClient(app, { orgId, name, ...(scope !== undefined ? { scope } : {}), ...(days !== undefined ? { tokenDays: days } : {}), actor: ctx.io.actor });
    if (format === 'json') {
      ctx.io.out(json(client));
    } else {
      ctx.io.out(`${[
        ['client id', client.clientId], ['client secret', client.clientSecret], ['organization', client.orgId], ['scope', client.scope],
        ['token endpoint', client.tokenEndpoint], ['SCIM URL', client.scimUrl],
        ...(client.bearerToken ? [['bearer token', client.bearerToken], ['token expires', client.bearerTokenExpiresAt!]] : []),
      ].map(([k, v]) => `${k!.padEnd(15)} ${v}`).join('\n')}\n`);
    }
    ctx.io.err(`The client secret${client.bearerToken ? ' and the bearer token are' : ' is'} shown this once (only digests are stored): paste it into the provisioning tool now.\n`);
    return 0;
  });
}

async function list(ctx: CommandContext, format: string): Promise<number> {
  const orgId = ctx.values.org as string | undefined;
  return refusalsExit2(ctx, 'client list', async () => {
    await using app = await composeRehome(ctx.config, { now: ctx.io.now });
    const clients = await listImsClients(app, orgId !== undefined ? { orgId } : {});
    ctx.io.out(format === 'json' ? json(clients) : table(
      ['CLIENT ID', 'ORGANIZATION', 'NAME', 'SCOPE', 'CREATED', 'STATUS', 'TOKEN EXPIRES'],
      clients.map((c) => [c.clientId, c.orgId, c.name, c.scope, c.createdAt, c.revokedAt ? `revoked ${c.revokedAt}` : 'active', c.tokenExpiresAt ?? '-']),
      'no API clients',
    ));
    return 0;
  });
}

async function revoke(ctx: CommandContext, format: string): Promise<number> {
  const clientId = requiredFlag(ctx, 'client-id', 'ID');
  return refusalsExit2(ctx, 'client revoke', async () => {
    await using app = await composeRehome(ctx.config, { now: ctx.io.now });
    const client = await revokeImsClient(app, { clientId, actor: ctx.io.actor });
    ctx.io.out(format === 'json' ? json(client) : `client ${client.clientId} (${client.name}) is revoked since ${client.revokedAt}: its tokens no longer work\n`);
    return 0;
  });
}
