import type { ImsAccount, ImsDirectory, ProductUser, Subscription, SubscriptionSnapshot } from '../core/model.ts';
import { streamProductUsers } from '../importers/product-users.ts';
import { streamImsDirectory } from '../importers/ims-directory.ts';
import { readSubscriptions } from '../importers/subscription.ts';
import { ImportError, ImportErrors } from '../importers/import-error.ts';
import { checkInputFile } from '../importers/text-file.ts';
import { AppError } from './app-error.ts';

export interface FileInputs {
  snapshots: SubscriptionSnapshot[];
  ims: ImsDirectory;
  sources: { users: string[]; ims: string; subscriptions: string[] };
}

/** Inputs whose users are read again from their file each time they are iterated (never all in memory). */
export interface StreamedFileInputs {
  snapshots: { subscription: Subscription; users: Iterable<ProductUser> }[];
  ims: ImsDirectory;
  sources: FileInputs['sources'];
}

/**
 * Checks every input file as `loadFileInputs` does (same problems, same messages), keeping only the IMS directory;
 * each subscription's users are read again from their file when iterated. A file changed in between is checked
 * again by that reading, which throws its problems.
 */
export async function checkFileInputs(opts: { users: string[]; ims?: string; subscriptions: string[] }): Promise<StreamedFileInputs> {
  const accounts: ImsAccount[] = [];
  const read = await streamFileInputs(opts, { imsAccount: (a) => void accounts.push(a), user: () => {} });
  const snapshots = read.subscriptions.map((subscription, i) => ({
    subscription,
    users: { [Symbol.iterator]: () => streamProductUsers(opts.users[i]!) },
  }));
  return { snapshots, ims: { accounts }, sources: read.sources };
}

/** Receives the records of the input files as they are read (and before they are all checked: see below). */
export interface InputFeed {
  /** The subscriptions, checked, before the first record. */
  begin?(subscriptions: Subscription[]): void;
  imsAccount(account: ImsAccount): void;
  /** `subscription` indexes the returned subscriptions. */
  user(subscription: number, user: ProductUser): void;
}

export interface StreamedInputs {
  subscriptions: Subscription[];
  sources: FileInputs['sources'];
}

/**
 * Reads `--subscription`/`--users` pairs (paired by position: production and sandbox at once) and one `--ims`
 * directory, all parsed and cross-checked before anything is stored or printed. Every path is looked at first: a
 * missing one is `file_not_found`, a FIFO, device, directory or socket `not_a_regular_file` (never opened, so a
 * named pipe with no writer cannot hang the import).
 */
export async function loadFileInputs(opts: { users: string[]; ims?: string; subscriptions: string[] }): Promise<FileInputs> {
  const accounts: ImsAccount[] = [];
  const users: ProductUser[][] = [];
  const read = await streamFileInputs(opts, {
    imsAccount: (a) => void accounts.push(a),
    user: (i, u) => void (users[i] ??= []).push(u),
  });
  const snapshots = read.subscriptions.map((subscription, i) => ({ subscription, users: users[i] ?? [] }));
  return { snapshots, ims: { accounts }, sources: read.sources };
}

/**
 * The same reading, record by record into `feed`, the files read in chunks: the IMS directory first, then each
 * users file. The feed sees records before the whole input is checked; when this throws (a problem in a file,
 * with its line and column), the caller must drop what it was fed.
 */
export async function streamFileInputs(opts: { users: string[]; ims?: string; subscriptions: string[] }, feed: InputFeed): Promise<StreamedInputs> {
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
  feed.begin?.(subscriptions.map(({ s }) => s));
  for (const account of streamImsDirectory(opts.ims, { claimedDomains })) feed.imsAccount(account);
  const problems: ImportError[] = [];
  subscriptions.forEach(({ s, file }, i) => {
    const usersFile = opts.users[i]!;
    const admins = new Set(s.admins);
    const found = new Set<string>();
    for (const user of streamProductUsers(usersFile)) {
      if (admins.has(user.id)) found.add(user.id);
      feed.user(i, user);
    }
    s.admins.forEach((id, j) => {
      if (!found.has(id)) {
        problems.push(new ImportError({ code: 'invalid_field', file, line: 1, column: 1, field: `admins[${j}]`, expected: `the id of a product user in ${usersFile}`, got: id }));
      }
    });
  });
  const seen = new Set<string>();
  for (const { s, file } of subscriptions) {
    if (seen.has(s.id)) problems.push(new ImportError({ code: 'invalid_field', file, line: 1, column: 1, field: 'id', expected: 'each subscription once', got: s.id }));
    seen.add(s.id);
  }
  if (problems.length > 0) throw new ImportErrors(problems, false);
  return { subscriptions: subscriptions.map(({ s }) => s), sources: { users: opts.users, ims: opts.ims, subscriptions: opts.subscriptions } };
}
