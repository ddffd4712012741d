import { isAdminError } from '../../ims/admin-api/admin-error.ts';
import { isImsError } from '../../ims/directory/ims-directory.ts';
import type { CommandContext } from './command.ts';
import { CliError } from '../cli-error.ts';

export type ImsFormat = 'table' | 'json';

/** `--format table|json` (table by default), refused otherwise before anything is opened. */
export function imsFormat(ctx: CommandContext): ImsFormat {
  const format = (ctx.values.format as string | undefined) ?? 'table';
  if (format !== 'table' && format !== 'json') throw new CliError('usage', `--format must be table or json, not ${format}`);
  return format;
}

/** One required string flag, or a usage error naming it. */
export function requiredFlag(ctx: CommandContext, name: string, shape: string): string {
  const value = ctx.values[name];
  const text = Array.isArray(value) ? value.at(-1) : value;
  if (typeof text !== 'string' || text.trim() === '') throw new CliError('usage', `--${name} ${shape} is required`);
  return text;
}

export function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** Fixed-width columns under a header; an empty list says so in words. */
export function table(header: string[], rows: string[][], empty: string): string {
  if (rows.length === 0) return `${empty}\n`;
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}

/**
 * The refusals an operator fixes by changing the command (bad domain, unknown org or client, a domain another org
 * holds, a bad scope or issuer): the message and its stable code on stderr, exit 2, and nothing was written.
 * Anything else is unexpected and goes to the CLI's own handler.
 */
export async function refusalsExit2(ctx: CommandContext, what: string, run: () => Promise<number>): Promise<number> {
  try {
    return await run();
  } catch (e) {
    const refused = (isImsError(e) && ['free_mail_domain', 'domain_claimed', 'not_found', 'invalid_input'].includes(e.code))
      || (isAdminError(e) && ['invalid_request', 'not_found'].includes(e.code));
    if (!refused) throw e;
    ctx.io.err(`rehome ims ${what}: ${(e as Error).message} (${(e as { code: string }).code})\n`);
    return 2;
  }
}
