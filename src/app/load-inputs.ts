import type { ImsDirectory, SubscriptionSnapshot } from '../core/model.ts';
import { readProductUsers } from '../importers/product-users.ts';
import { readImsDirectory } from '../importers/ims-directory.ts';
import { readSubscriptions } from '../importers/subscription.ts';
import { ImportError, ImportErrors } from '../importers/import-error.ts';
import { checkInputFile } from '../importers/text-file.ts';
import { AppError } from './app-error.ts';

export interface FileInputs {
  snapshots: SubscriptionSnapshot[];
  ims: ImsDirectory;
  sources: { users: string[]; ims: string; subscriptions: string[] };
}

/**
 * Reads `--subscription`/`--users` pairs (paired by position: production and sandbox at once) and one `--ims`
 * directory. Everything is parsed and cross-checked before anything is stored or printed. Every path is looked at
 * first: a missing one is `file_not_found`, a FIFO, device, directory or socket `not_a_regular_file` (never opened,
 * so a named pipe with no writer cannot hang the import).
 */
export async function loadFileInputs(opts: { users: string[]; ims?: string; subscriptions: string[] }): Promise<FileInputs> {
  if (opts.users.length === 0 || opts.subscriptions.length === 0 || !opts.ims) {
    throw new AppError('usage', 'needs --users FILE, --ims FILE and --subscription FILE (repeat --users/--subscription in pairs for several subscriptions)');
  }
  for (const f of [...opts.users, opts.ims, ...opts.subscriptions]) {
    if (!checkInputFile(f)) throw new AppError('file_not_found', `${f}: file not found`);
  }
  const subscriptions = opts.subscriptions.flatMap((f) => readSubscriptions(f).map((s) => ({ s, file: f })));
  if (subscriptions.length !== opts.users.length) {
    throw new AppError('usage', `${subscriptions.length} subscription(s) but ${opts.users.length} --users file(s): give one users file per subscription, in the same order`);
  }
  const claimedDomains = [...new Set(subscriptions.flatMap(({ s }) => s.imsOrg.claimedDomains))];
  const accounts = readImsDirectory(opts.ims, { claimedDomains });
  const snapshots: SubscriptionSnapshot[] = [];
  const problems: ImportError[] = [];
  subscriptions.forEach(({ s, file }, i) => {
    const usersFile = opts.users[i]!;
    const users = readProductUsers(usersFile);
    const ids = new Set(users.map((u) => u.id));
    s.admins.forEach((id, j) => {
      if (!ids.has(id)) {
        problems.push(new ImportError({ code: 'invalid_field', file, line: 1, column: 1, field: `admins[${j}]`, expected: `the id of a product user in ${usersFile}`, got: id }));
      }
    });
    snapshots.push({ subscription: s, users });
  });
  const seen = new Set<string>();
  for (const { s, file } of subscriptions) {
    if (seen.has(s.id)) problems.push(new ImportError({ code: 'invalid_field', file, line: 1, column: 1, field: 'id', expected: 'each subscription once', got: s.id }));
    seen.add(s.id);
  }
  if (problems.length > 0) throw new ImportErrors(problems, false);
  return { snapshots, ims: { accounts }, sources: { users: opts.users, ims: opts.ims, subscriptions: opts.subscriptions } };
}
