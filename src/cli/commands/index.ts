import type { Command } from './command.ts';
import { importCommand } from './import.ts';
import { readinessCommand } from './readiness.ts';
import { serveCommand } from './serve.ts';

export type { Command } from './command.ts';

/** Every `rehome` command, in the order a person meets them. */
export const COMMANDS: Record<string, Command> = {
  import: importCommand,
  readiness: readinessCommand,
  serve: serveCommand,
};
