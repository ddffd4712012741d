import { parseArgs } from 'node:util';
import { ConfigError } from '../config/config-error.ts';
import { loadConfig } from '../config/load-config.ts';
import { ImportError, ImportErrors } from '../importers/import-error.ts';
import { StoreError } from '../store/store-error.ts';
import { MigrationError } from '../engine/migration-error.ts';
import { WorkerError } from '../engine/workers/worker-error.ts';
import { COMMANDS, type Command } from './commands/index.ts';
import { CliError } from './cli-error.ts';
import { AppError } from '../app/app-error.ts';
import { usage } from './usage.ts';
import type { CliIo } from '../app/command.ts';

export type { CliIo } from '../app/command.ts';

/**
 * The `rehome` entry point. Returns the exit code: 0 done, 2 bad input or usage, 3 when the result needs a
 * person's attention (blocked users, lost access), 1 anything unexpected. Only bin/rehome.ts sets it.
 */
export async function main(argv: string[], io: CliIo = processIo(), commands: Record<string, Command> = COMMANDS): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    io.out(usage(commands));
    return name ? 0 : 2;
  }
  if (name === '--version') {
    io.out('rehome 0.1.0\n');
    return 0;
  }
  const command: Command | undefined = commands[name];
  if (!command) {
    io.err(`rehome: unknown command "${name}"\n\n${usage(commands)}`);
    return 2;
  }
  try {
    const { values, positionals } = parseArgs({ args: rest, options: { ...command.options, config: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, allowPositionals: command.positionals ?? false, strict: true });
    if (values.help) {
      io.out(`${command.help}\n`);
      return 0;
    }
    const config = loadConfig({ configFile: values.config as string | undefined, flags: command.configFlags?.(values) });
    return await command.run({ values, positionals, config, io });
  } catch (e) {
    return reportError(e, io, name);
  }
}


function processIo(): CliIo {
  return {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    isTTY: Boolean(process.stdout.isTTY),
    actor: `cli:${process.env.USER ?? process.env.USERNAME ?? 'unknown'}`,
    now: () => new Date(),
  };
}

function reportError(e: unknown, io: CliIo, command: string): number {
  if (e instanceof ImportErrors || e instanceof ImportError || e instanceof ConfigError) {
    io.err(`rehome ${command}: ${e.message}\nNothing was stored.\n`);
    return 2;
  }
  if (e instanceof AppError) {
    io.err(`rehome ${command}: ${e.message}\n`);
    return 2;
  }
  if (e instanceof CliError) {
    io.err(`rehome ${command}: ${e.message}\n`);
    return e.exitCode;
  }
  if (e instanceof MigrationError || e instanceof WorkerError) {
    io.err(`rehome ${command}: ${e.message} (${e.code})\n`);
    return 2;
  }
  if (e instanceof Error && typeof (e as { code?: unknown }).code === 'string' && /^(ImsError|IdpError)$/.test(e.name)) {
    io.err(`rehome ${command}: ${e.message} (${(e as unknown as { code: string }).code})\n`);
    return 1;
  }
  if (e instanceof StoreError) {
    io.err(`rehome ${command}: store error (${e.code}): ${e.message}\n`);
    return 1;
  }
  if (e instanceof TypeError && (e as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
    io.err(`rehome ${command}: ${e.message}\nRun rehome ${command} --help for its options.\n`);
    return 2;
  }
  io.err(`rehome ${command}: unexpected error: ${(e as Error)?.message ?? String(e)}\n`);
  if (process.env.REHOME_DEBUG) io.err(`${(e as Error)?.stack}\n`);
  return 1;
}
