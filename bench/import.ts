// The snapshot part of `rehome import`, alone: check the files (one streamed pass), then stream the users into
// the store (saveSnapshotStream: SQLite prepared inserts, PostgreSQL COPY), without the embedded IMS mirroring
// the export's accounts (timed by bench/migrate.ts as "seed the IMS"). Run by bench/readiness.ts under
// /usr/bin/time; usable alone:
//   node bench/import.ts --users users.csv --ims ims.csv --subscription subscription.json (--db FILE | --url postgres://...)
import { parseArgs } from 'node:util';
import { checkFileInputs } from '../src/app/load-inputs.ts';
import { openStore } from '../src/app/rehome-store.ts';

const { values } = parseArgs({ options: { users: { type: 'string' }, ims: { type: 'string' }, subscription: { type: 'string' }, db: { type: 'string' }, url: { type: 'string' } } });
const inputs = await checkFileInputs({ users: [String(values.users)], ims: values.ims, subscriptions: [String(values.subscription)] });
await using store = await openStore(values.url ? { kind: 'postgres', url: values.url } : { kind: 'sqlite', path: String(values.db) });
const start = performance.now();
for (const [i, snap] of inputs.snapshots.entries()) {
  const ref = await store.saveSnapshotStream({ subscription: snap.subscription, users: snap.users, ims: inputs.ims, at: new Date().toISOString(), sources: { users: inputs.sources.users[i]! } });
  console.log(`stored ${ref.userCount} users, ${ref.imsAccountCount} accounts in ${((performance.now() - start) / 1000).toFixed(1)} s`);
}
