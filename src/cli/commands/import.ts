import type { Command } from './command.ts';
import { STORE_OPTIONS, storeFlags, stringList } from './command.ts';
import { checkFileInputs, loadFileInputs, type FileInputs, type StreamedFileInputs } from '../../app/load-inputs.ts';
import { composeRehome } from '../../app/compose.ts';
import { importSnapshots } from '../../app/actions/index.ts';
import { readFileSync } from 'node:fs';
import { checkHashImport, formatHashImportReport, parseHashSample } from '../../ims/passwords/hash-import-check.ts';

export const importCommand: Command = {
  summary: 'Store a snapshot of product users, the IMS directory and the subscription',
  help: `rehome import --users FILE --ims FILE --subscription FILE [--store sqlite|postgres] [--db FILE]

Reads and validates every file first; on any problem prints each with file:line:column, exits 2 and stores nothing.
Each subscription becomes one immutable snapshot (with a digest that later plans check for staleness). With the
embedded IMS, the accounts of the IMS export it does not hold yet are mirrored into it (audited), so that plans
name accounts that exist where they are applied.
Repeat --users/--subscription in pairs to import production and sandbox together.\n--hash-sample FILE (import_hashes strategy): JSON lines { userId, password } of known test passwords; every hash family\nin the export must verify them, or nothing is stored.`,
  options: { users: { type: 'string', multiple: true }, ims: { type: 'string' }, subscription: { type: 'string', multiple: true }, 'hash-sample': { type: 'string' }, ...STORE_OPTIONS },
  configFlags: storeFlags,
  async run(ctx) {
    const files = { users: stringList(ctx.values.users), ims: ctx.values.ims as string | undefined, subscriptions: stringList(ctx.values.subscription) };
    let inputs: FileInputs | StreamedFileInputs;
    if (ctx.values['hash-sample']) {
      // import_hashes: every hash family in the export must verify known test passwords before anything is stored.
      const loaded = await loadFileInputs(files);
      const file = String(ctx.values['hash-sample']);
      const report = await checkHashImport(loaded.snapshots.flatMap((s) => s.users), parseHashSample(readFileSync(file, 'utf8'), file));
      ctx.io.out(formatHashImportReport(report));
      if (!report.ok) return 2;
      inputs = loaded;
    } else {
      // Checked in one pass (bounded memory, nothing stored on a problem), then read again into the store.
      inputs = await checkFileInputs(files);
    }
    await using app = await composeRehome(ctx.config, { now: ctx.io.now });
    const result = await importSnapshots(app, inputs, ctx.io.actor);
    if (result.mirrored > 0) ctx.io.out(`the embedded IMS now holds the ${result.mirrored} account(s) of ${inputs.sources.ims} it did not hold yet\n`);
    for (const ref of result.snapshots) {
      ctx.io.out(`imported subscription ${ref.subscriptionId}: ${ref.userCount} users, ${ref.imsAccountCount} IMS accounts -> snapshot ${ref.id} (digest ${ref.digest.slice(0, 12)})\n`);
    }
    ctx.io.out(`next: rehome readiness ${inputs.snapshots.map((s) => `--stored ${s.subscription.id}`).join(' ')}\n`);
    return 0;
  },
};
