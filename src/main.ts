// The `rehome` process: the CLI's commands plus the two long-running faces it starts, `rehome serve` (server) and
// `rehome worker` (workers). Faces never import each other; this file, outside them all, puts them in one table.
import type { Command } from './app/command.ts';
import { main, type CliIo } from './cli/main.ts';
import { COMMANDS } from './cli/commands/index.ts';
import { imsCommand } from './cli/commands/ims-domain.ts';
import { serveCommand } from './server/serve-command.ts';
import { workerCommand } from './workers/worker-command.ts';

const { redirects, ...rest } = COMMANDS;
/** Every `rehome` command, in the order a person meets them. */
export const REHOME_COMMANDS: Record<string, Command> = { ...rest, worker: workerCommand, serve: serveCommand, ims: imsCommand, ...(redirects ? { redirects } : {}) };

/** `rehome ...`: returns the exit code (bin/rehome.ts sets it). */
export function rehome(argv: string[], io?: CliIo): Promise<number> {
  return main(argv, io, REHOME_COMMANDS);
}
