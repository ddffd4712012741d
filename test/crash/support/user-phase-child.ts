/**
 * The process the crash suites kill: runs the user phase (one process) or a `rehome worker` (the queue) against a
 * store, the embedded IMS on the same store. Prints one JSON line when it ends by itself.
 *   node user-phase-child.ts phase  <store-json> <subscription> <org> <batch-size>
 *   node user-phase-child.ts worker <store-json> <concurrency> [batch-size]
 */
import { sql } from 'kysely';
import { openStore, type StoreOptions } from '../../../src/app/rehome-store.ts';
import { runUserPhase } from '../../../src/engine/user-phase.ts';
import { embeddedEnginePorts } from '../../support/embedded-engine.ts';
import { ISSUER } from './crash-setup.ts';

const [mode, storeJson, ...rest] = process.argv.slice(2);
const options = JSON.parse(storeJson!) as StoreOptions;
const store = await openStore(options);
// WAL + synchronous=NORMAL survives any process crash (only a power cut may lose the last commits); FULL fsyncs
// every commit and makes 20,000 users take minutes on this box. Recommended as the store default (see report).
if (options.kind === 'sqlite') await sql`pragma synchronous = normal`.execute(store.kysely);
const actor = `test:child:${process.pid}`;
if (mode === 'phase') {
  const [subscriptionId, orgId, batchSize] = rest as [string, string, string];
  process.stderr.write('ready\n'); // start-up is over: the killer's clock starts now (kill-loop.ts)
  const r = await runUserPhase({ subscriptionId, batchSize: Number(batchSize) }, embeddedEnginePorts({ store, orgId, issuer: ISSUER, actor }));
  process.stdout.write(`${JSON.stringify(r)}\n`);
} else {
  const { runWorker } = await import('../../../src/engine/workers/run-worker.ts');
  process.stderr.write('ready\n');
  const r = await runWorker({
    connectionString: options.kind === 'postgres' ? options.url : '',
    store, concurrency: Number(rest[0]), untilIdle: true, leaseMs: 3_000, pollMs: 200, ...(rest[1] ? { batchSize: Number(rest[1]) } : {}),
    portsFor: (m, workerActor) => embeddedEnginePorts({ store, orgId: m.org_id ?? '', issuer: ISSUER, actor: workerActor }),
  });
  process.stdout.write(`${JSON.stringify(r)}\n`);
}
await store[Symbol.asyncDispose]();
