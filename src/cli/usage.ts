import type { Command } from '../app/command.ts';

export function usage(commands: Record<string, Command>): string {
  const lines = ['Usage: rehome <command> [options]   (from a checkout: npm run rehome -- <command> ...)', '', 'Commands:'];
  for (const [name, c] of Object.entries(commands)) lines.push(`  ${name.padEnd(12)} ${c.summary}`);
  lines.push('', 'Global options: --config FILE (default rehome.config.json), -h/--help', 'Docs: README.md, docs/readiness.md, docs/configuration.md', '');
  return lines.join('\n');
}
