/**
 * How a face is started from the `rehome` command line: the CLI's own commands, `rehome serve` (the server face)
 * and `rehome worker` (the workers face) share this shape; src/main.ts puts them in one table.
 */
import type { ParseArgsOptionsConfig } from 'node:util';
import type { RehomeConfig } from '../config/config.ts';


export interface CommandContext {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
  config: RehomeConfig;
  io: CliIo;
}

export interface Command {
  summary: string;
  help: string;
  options: ParseArgsOptionsConfig;
  positionals?: boolean;
  /** Maps this command's flags onto config option paths (flags are the top configuration layer). */
  configFlags?(values: CommandContext['values']): Record<string, string | boolean | number | undefined>;
  run(ctx: CommandContext): Promise<number>;
}

export function stringList(v: unknown): string[] {
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).map(String);
}

/** Common flags that select the store, shared by every command that opens one. */
export const STORE_OPTIONS = {
  store: { type: 'string' },
  db: { type: 'string' },
} as const satisfies ParseArgsOptionsConfig;

export function storeFlags(values: CommandContext['values']): Record<string, string | undefined> {
  return { 'store.kind': values.store as string | undefined, 'store.path': values.db as string | undefined };
}

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  isTTY: boolean;
  /** Who runs the command, for the audit log (`cli:<os user>`). */
  actor: string;
  now(): Date;
}
