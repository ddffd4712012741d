// Runs one command module the way bin/rehome.ts does (parseArgs, config from flags, error reporting) without going
// through the command index, so a command can be tested before it is registered.
import { parseArgs } from 'node:util';
import type { Command } from '../../src/cli/commands/command.ts';
import { CliError } from '../../src/cli/cli-error.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { ImportError, ImportErrors } from '../../src/importers/import-error.ts';

export async function runCommand(command: Command, args: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io = { out: (t: string) => { out += t; }, err: (t: string) => { err += t; }, isTTY: false, actor: 'cli:test', now: () => new Date('2026-05-01T09:00:00Z') };
  try {
    const { values, positionals } = parseArgs({ args, options: command.options, allowPositionals: false, strict: true });
    const config = loadConfig({ cwd, flags: command.configFlags?.(values) });
    return { code: await command.run({ values, positionals, config, io }), out, err };
  } catch (e) {
    if (e instanceof CliError) return { code: e.exitCode, out, err: err + e.message };
    if (e instanceof ImportError || e instanceof ImportErrors) return { code: 2, out, err: err + e.message };
    throw e;
  }
}
