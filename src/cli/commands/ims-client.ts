import { composeRehome } from '../../app/compose.ts';
import { createImsClient, listImsClients, revokeImsClient } from '../../app/actions/index.ts';
import { CliError } from '../cli-error.ts';
import type { CommandContext } from './command.ts';
import { imsFormat, json, refusalsExit2, requiredFlag, table } from './ims-output.ts';

/** `rehome ims client create|list|revoke`. */
export async function runImsClient(ctx: CommandContext, args: string[]): Promise<number> {
  const [action, ...extra] = args;
  if (extra.length > 0 || !['create', 'list', 'revoke'].includes(action ?? '')) {
    throw new CliError('usage', `say what to do: rehome ims client create|list|revoke (got ${['client', ...args].join(' ')})`);
  }
  const format = imsFormat(ctx);
  if (action === 'create') return create(ctx, format);
  if (action === 'list') return list(ctx, format);
  return revoke(ctx, format);
}

async function create(ctx: CommandContext, format: string): Promise<number> {
  const orgId = requiredFlag(ctx, 'org', 'ORG_ID');
  const name = requiredFlag(ctx, 'name', 'NAME');
  const scope = ctx.values.scope as string | undefined;
  return refusalsExit2(ctx, 'client create', async () => {
    await using app = await composeRehome(ctx.config, { now: ctx.io.now });
    const client = await createImsClient(app, { orgId, name, ...(scope !== undefined ? { scope } : {}), actor: ctx.io.actor });
    if (format === 'json') {
      ctx.io.out(json(client));
    } else {
      ctx.io.out(`${[
        ['client id', client.clientId], ['client secret', client.clientSecret], ['organization', client.orgId], ['scope', client.scope],
        ['token endpoint', client.tokenEndpoint], ['SCIM URL', client.scimUrl],
      ].map(([k, v]) => `${k!.padEnd(15)} ${v}`).join('\n')}\n`);
    }
    ctx.io.err('The client secret is shown this once (only its digest is stored): paste it into the provisioning tool now.\n');
    return 0;
  });
}

async function list(ctx: CommandContext, format: string): Promise<number> {
  const orgId = ctx.values.org as string | undefined;
  return refusalsExit2(ctx, 'client list', async () => {
    await using app = await composeRehome(ctx.config, { now: ctx.io.now });
    const clients = await listImsClients(app, orgId !== undefined ? { orgId } : {});
    ctx.io.out(format === 'json' ? json(clients) : table(
      ['CLIENT ID', 'ORGANIZATION', 'NAME', 'SCOPE', 'CREATED', 'STATUS'],
      clients.map((c) => [c.clientId, c.orgId, c.name, c.scope, c.createdAt, c.revokedAt ? `revoked ${c.revokedAt}` : 'active']),
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
