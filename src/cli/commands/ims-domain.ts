import type { Command, CommandContext } from './command.ts';
import { STORE_OPTIONS, storeFlags } from './command.ts';
import { composeRehome } from '../../app/compose.ts';
import { addOrgDomain, exportImsDirectory, listOrgDomains, verifyOrgDomain, type OrgDomain } from '../../app/actions/index.ts';
import { checkOutputTarget, writeOutputFile } from '../write-output.ts';
import { describePendingClaim } from '../../ims/directory/domain-verification.ts';
import { isImsError } from '../../ims/directory/ims-directory.ts';
import { CliError } from '../cli-error.ts';

export const imsCommand: Command = {
  summary: 'The embedded IMS: ims domain add|list|verify (organizations\' email domains), ims export (its directory)',
  help: `rehome ims domain add --org ORG_ID --domain DOMAIN [--format table|json]
                      vouch for a domain as the operator: the org claims it at once (audited, no DNS proof)
rehome ims domain list --org ORG_ID [--format table|json]
                      the org's domains, claimed and pending, with the TXT record a pending one waits for
rehome ims domain verify --org ORG_ID --domain DOMAIN [--format table|json]
                      look up a pending claim's DNS proof now; claims the domain when found

A claim an org's API client makes (Admin API) stays pending until a TXT record
"rehome-domain-verification=<token>" is published at the domain or at _rehome-challenge.<domain>; a pending
domain gives its users no enterprise accounts. Public mail domains (gmail.com, outlook.com, ...) are refused.
Exit status 0 done, 2 refused (the message says why), 3 still pending (publish the record, then verify again).

rehome ims export --out FILE
                      every account of the embedded IMS in the Admin Console export layout: the --ims file of a
                      fresh rehome import, so that a new plan sees the IMS as it is now (the way out of plan_drift)`,
  options: { org: { type: 'string' }, domain: { type: 'string' }, format: { type: 'string' }, out: { type: 'string' }, ...STORE_OPTIONS },
  positionals: true,
  configFlags: storeFlags,
  async run(ctx) {
    const [topic, action, ...extra] = ctx.positionals;
    if (topic === 'export' && action === undefined) return exportDirectory(ctx);
    if (topic !== 'domain' || !['add', 'list', 'verify'].includes(action ?? '') || extra.length > 0) throw new CliError('usage', `say what to do: rehome ims domain add|list|verify (got ${ctx.positionals.join(' ') || 'nothing'})`);
    const format = (ctx.values.format as string | undefined) ?? 'table';
    if (format !== 'table' && format !== 'json') throw new CliError('usage', `--format must be table or json, not ${format}`);
    if (!ctx.values.org) throw new CliError('usage', '--org ORG_ID is required');
    if (action !== 'list' && !ctx.values.domain) throw new CliError('usage', '--domain DOMAIN is required');
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
  const domain = await addOrgDomain(app, { orgId: String(values.org), domain: String(values.domain), actor: io.actor });
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
  const result = await verifyOrgDomain(app, { orgId: String(values.org), domain: String(values.domain), actor: io.actor });
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
