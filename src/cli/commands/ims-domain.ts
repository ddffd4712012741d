import type { Command, CommandContext } from './command.ts';
import { STORE_OPTIONS, storeFlags, stringList } from './command.ts';
import { composeRehome } from '../../app/compose.ts';
import { addOrgDomain, exportImsDirectory, listOrgDomains, verifyOrgDomain, type OrgDomain } from '../../app/actions/index.ts';
import { checkOutputTarget, writeOutputFile } from '../write-output.ts';
import { describePendingClaim } from '../../ims/directory/domain-verification.ts';
import { isImsError } from '../../ims/directory/ims-directory.ts';
import { CliError } from '../cli-error.ts';
import { runImsClient } from './ims-client.ts';
import { runImsOrg, SSO_SECRET_ENV } from './ims-org.ts';

export const imsCommand: Command = {
  summary: 'The embedded IMS: ims org (organizations, SSO), ims client (API clients), ims domain (email domains), ims export',
  help: `rehome ims org create --name NAME [--domain D]... [--format table|json]
                      create an organization; the operator vouches for its domains (audited, no DNS proof)
                      -> {"id", "name", "domains"}
rehome ims org sso set --org ORG_ID --issuer URL --client-id ID --domain D... [--format table|json]
                      the people of those (claimed) domains sign in at the org's own OpenID Connect provider;
                      the upstream client secret is read from ${SSO_SECRET_ENV} (never a flag; unset = public client)
rehome ims org sso off --org ORG_ID
                      turn SSO federation off: those people sign in with IMS passwords again

rehome ims client create --org ORG_ID --name NAME [--scope scim|admin|"scim admin"] [--token-days N] [--format table|json]
                      an API client of the org for SCIM (default scope scim) or the Admin API
                      -> {"clientId", "clientSecret", "orgId", "scope", "tokenEndpoint", "scimUrl"}
                      --token-days N also issues a long-lived SCIM token ("bearerToken", "bearerTokenExpiresAt";
                      1-730 days) for IdPs that paste a fixed token: Okta's HTTP header, Entra ID's Secret Token
rehome ims client token --client-id ID [--token-days N] [--format table|json]
                      a new long-lived SCIM token (default 365 days); the previous one stops working at once
                      the secret is shown once (only its digest is stored)
rehome ims client list [--org ORG_ID] [--format table|json]
rehome ims client revoke --client-id ID [--format table|json]
                      the client and every token it holds stop working at once

rehome ims domain add --org ORG_ID --domain DOMAIN [--format table|json]
                      vouch for a domain as the operator: the org claims it at once (audited, no DNS proof)
rehome ims domain list --org ORG_ID [--format table|json]
                      the org's domains, claimed and pending, with the TXT record a pending one waits for
rehome ims domain verify --org ORG_ID --domain DOMAIN [--format table|json]
                      look up a pending claim's DNS proof now; claims the domain when found

A claim an org's API client makes (Admin API) stays pending until a TXT record
"rehome-domain-verification=<token>" is published at the domain or at _rehome-challenge.<domain>; a pending
domain gives its users no enterprise accounts. Public mail domains (gmail.com, outlook.com, ...) are refused.
Exit status 0 done, 2 refused (the message says why; nothing was written), 3 still pending (publish the record,
then verify again). Every change is audited.

rehome ims export --out FILE
                      every account of the embedded IMS in the Admin Console export layout: the --ims file of a
                      fresh rehome import, so that a new plan sees the IMS as it is now (the way out of plan_drift)`,
  options: {
    org: { type: 'string' }, domain: { type: 'string', multiple: true }, format: { type: 'string' }, out: { type: 'string' },
    name: { type: 'string' }, scope: { type: 'string' }, issuer: { type: 'string' }, 'client-id': { type: 'string' }, 'token-days': { type: 'string' }, ...STORE_OPTIONS,
  },
  positionals: true,
  configFlags: storeFlags,
  async run(ctx) {
    const [topic, action, ...extra] = ctx.positionals;
    if (topic === 'export' && action === undefined) return exportDirectory(ctx);
    if (topic === 'org') return runImsOrg(ctx, ctx.positionals.slice(1));
    if (topic === 'client') return runImsClient(ctx, ctx.positionals.slice(1));
    if (topic !== 'domain' || !['add', 'list', 'verify'].includes(action ?? '') || extra.length > 0) throw new CliError('usage', `say what to do: rehome ims org|client|domain|export (got ${ctx.positionals.join(' ') || 'nothing'})`);
    const domains = stringList(ctx.values.domain);
    if (domains.length > 1) throw new CliError('usage', `rehome ims domain ${action} takes one --domain`);
    const format = (ctx.values.format as string | undefined) ?? 'table';
    if (format !== 'table' && format !== 'json') throw new CliError('usage', `--format must be table or json, not ${format}`);
    if (!ctx.values.org) throw new CliError('usage', '--org ORG_ID is required');
    if (action !== 'list' && domains.length === 0) throw new CliError('usage', '--domain DOMAIN is required');
    try {
      switch (action) {
        case 'add': return await add(ctx, format);
        case 'list': return await list(ctx, format);
        case 'verify': return await verify(ctx, format);
        default: throw new CliError('usage', `say what to do: rehome ims domain add|list|verify (got ${action ?? 'nothing'})`);
      }
    } catch (e) {
      // The IMS refused (a public mail domain, another org's domain, no such org or claim): nothing was changed.
      if (!isImsError(e) || !['free_mail_domain', 'domain_claimed', 'not_found', 'invalid_input'].includes(e.code)) throw e;
      ctx.io.err(`rehome ims domain ${action}: ${e.message} (${e.code})\n`);
      return 2;
    }
  },
};

async function exportDirectory({ values, config, io }: CommandContext): Promise<number> {
  if (!values.out) throw new CliError('usage', '--out FILE is required (the export names people: it goes to a file, not the terminal)');
  const out = String(values.out);
  checkOutputTarget(out);
  await using app = await composeRehome(config, { now: io.now });
  const { csv, accounts } = await exportImsDirectory(app, io.actor);
  writeOutputFile(out, csv);
  io.err(`wrote ${accounts} IMS account(s) to ${out}\n`);
  return 0;
}

async function add({ values, config, io }: CommandContext, format: string): Promise<number> {
  await using app = await composeRehome(config, { now: io.now });
  const domain = await addOrgDomain(app, { orgId: String(values.org), domain: stringList(values.domain)[0]!, actor: io.actor });
  io.out(format === 'json' ? `${JSON.stringify(domain, null, 2)}\n` : `${domain.domain} is claimed by organization ${String(values.org)}\n`);
  return 0;
}

async function list({ values, config, io }: CommandContext, format: string): Promise<number> {
  await using app = await composeRehome(config, { now: io.now });
  const domains = await listOrgDomains(app, { orgId: String(values.org) });
  io.out(format === 'json' ? `${JSON.stringify(domains, null, 2)}\n` : domainTable(domains));
  return 0;
}

async function verify({ values, config, io }: CommandContext, format: string): Promise<number> {
  await using app = await composeRehome(config, { now: io.now });
  const result = await verifyOrgDomain(app, { orgId: String(values.org), domain: stringList(values.domain)[0]!, actor: io.actor });
  if (format === 'json') io.out(`${JSON.stringify(result, null, 2)}\n`);
  else io.out(result.status === 'claimed' ? `${result.claim.domain} is claimed by organization ${String(values.org)}\n` : `${result.claim.domain} is still pending: ${describePendingClaim(result)}\n`);
  return result.status === 'claimed' ? 0 : 3;
}

function domainTable(domains: OrgDomain[]): string {
  if (domains.length === 0) return 'no domains\n';
  const width = Math.max(6, ...domains.map((d) => d.domain.length));
  const lines = [`${'DOMAIN'.padEnd(width)}  STATUS   CLAIMED BY                 SINCE                     `.trimEnd()];
  for (const d of domains) {
    lines.push(`${d.domain.padEnd(width)}  ${d.status.padEnd(7)}  ${d.claimedBy.padEnd(25)}  ${d.claimedAt}`);
    if (d.verification) lines.push(`${''.padEnd(width)}  publish TXT "${d.verification.value}" at ${d.verification.names.join(' or ')}`);
  }
  return `${lines.join('\n')}\n`;
}
