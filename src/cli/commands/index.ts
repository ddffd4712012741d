import type { Command } from './command.ts';
import { importCommand } from './import.ts';
import { readinessCommand } from './readiness.ts';
import { redirectsCommand } from './redirects.ts';
import { commsCommand } from './comms.ts';
import { ticketsCommand } from './tickets.ts';
import { rewriteLinksCommand } from './rewrite-links.ts';
import { verifyCommand } from './verify.ts';
import { planCommand } from './plan.ts';
import { migrateCommand } from './migrate.ts';
import { scheduleCommand, extendCommand } from './schedule.ts';
import { statusCommand } from './status.ts';
import { programCommand } from './program.ts';
import { skipCommand, unskipCommand, retryCommand, confirmCommand, rollbackCommand } from './user-actions.ts';

export type { Command } from './command.ts';

/** The CLI's own commands, in the order a person meets them (src/main.ts adds `serve` and `worker`). */
export const COMMANDS: Record<string, Command> = {
  import: importCommand,
  readiness: readinessCommand,
  plan: planCommand,
  migrate: migrateCommand,
  schedule: scheduleCommand,
  status: statusCommand,
  comms: commsCommand,
  extend: extendCommand,
  skip: skipCommand,
  unskip: unskipCommand,
  retry: retryCommand,
  confirm: confirmCommand,
  rollback: rollbackCommand,
  tickets: ticketsCommand,
  verify: verifyCommand,
  'rewrite-links': rewriteLinksCommand,
  redirects: redirectsCommand,
  program: programCommand,
};
