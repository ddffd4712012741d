import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadOrCreateDevSecrets } from '../app/server-secrets.ts';
import { loadFileInputs } from '../app/load-inputs.ts';
import { importSnapshots } from '../app/actions/index.ts';
import { buildConfig, type RehomeConfig } from '../config/config.ts';
import { startRehomeServer, type RehomeServer } from '../server/rehome-server.ts';
import { openStore, type StoreAdapter } from '../app/rehome-store.ts';
import { seedEngage } from '../../examples/engage/seed.ts';
import { writeExports } from '../../examples/engage/src/exports/export-files.ts';
import { startEngage, type EngageServer } from '../../examples/engage/src/engage-server.ts';
import { listSubscriptions } from '../../examples/engage/src/users/subscriptions.ts';
import { listAllUsers, type EngageUser } from '../../examples/engage/src/users/user-records.ts';
import { readImsDirectory } from '../importers/ims-directory.ts';
import { demoFiles, writeDemoConfig, writeDemoUrlRules, type DemoFiles } from './demo-files.ts';

/** The Rehome API token Engage accepts in the demo (the engine writes links and cutovers with it). */
export const DEMO_PRODUCT_TOKEN = 'engage-demo-rehome-api-token';
/** Engage's client at the embedded IMS: first-party (no consent page), confidential, one exact redirect URI. */
export const DEMO_CLIENT = { clientId: 'engage', clientSecret: 'engage-demo-client-secret-0123456789abcdef' } as const;
export const DEMO_BRAND = 'Continue with Acme ID';
/** Same population as examples/acme (seed 7): the example IMS directory describes exactly these people. */
const ACME_SEED = 7;

export interface DemoStackOptions {
  /** State directory; default `.rehome/demo`. */
  dir?: string;
  /** Wipe the state directory first. */
  fresh?: boolean;
  host?: string;
  /** Rehome's server; default 4000 (0 picks a free port: tests, benchmarks). */
  rehomePort?: number;
  /** Engage; default 4100. Stored links carry this port, so keep it between runs. */
  engagePort?: number;
  users?: number;
}

/** Who to sign in as, written on the first run and read back on the next ones. */
export interface DemoLoginsFile {
  subscriptionId: string;
  instance: string;
  password: string;
  admin: { id: string; login: string; email: string };
  user: { id: string; login: string; email: string };
  apiOnly: { id: string; clientId: string; clientSecret: string };
}

export interface DemoStack extends AsyncDisposable {
  /** Rehome's server exactly as `rehome serve --config <files.config>` composes it. */
  rehome: RehomeServer;
  /** The demo's validated config (the file `rehome --config` reads, plus the product token from the environment). */
  config: RehomeConfig;
  engage: EngageServer;
  store: StoreAdapter;
  logins: DemoLoginsFile;
  files: DemoFiles;
  /** The IMS issuer (`<rehome>/ims`). */
  issuer: string;
  /** True when this start created the state (seeded Engage, the IMS directory and the snapshot). */
  created: boolean;
  close(): Promise<void>;
}

const example = (f: string): string => new URL(`../../examples/acme/${f}`, import.meta.url).pathname;

/**
 * Starts the whole story on 127.0.0.1: Engage (seeded once), Rehome's server exactly as `rehome serve` composes it
 * from the demo's config file (embedded IMS with Engage registered as a client, SCIM, Admin API, the console signing
 * in through the IMS, /verify-email, the redirect service on the demo's URL rules, Engage's Rehome API as the
 * product connection), then, on the first run, seeds the IMS with the example directory and imports Engage's users export
 * as a snapshot. Everything lives under `dir`, so a second start picks up where the first left.
 */
export async function startDemoStack(options: DemoStackOptions = {}): Promise<DemoStack> {
  const dir = resolve(options.dir ?? '.rehome/demo');
  if (options.fresh) rmSync(dir, { recursive: true, force: true });
  // 0700: Rehome's store lives here and refuses a directory open to group or others (store_permissions).
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const files = demoFiles(dir);
  const host = options.host ?? '127.0.0.1';
  const releasers: (() => Promise<void>)[] = [];
  const closeAll = async (): Promise<void> => {
    for (const release of releasers.splice(0).reverse()) await release().catch((e: unknown) => console.error('demo: close failed', e));
  };
  try {
    const engage = await startEngage({ dbPath: files.engageDb, host, port: options.engagePort ?? 4100, rehomeApiToken: DEMO_PRODUCT_TOKEN });
    releasers.push(() => engage.close());
    const created = listSubscriptions(engage.db).length === 0;
    let logins: DemoLoginsFile;
    if (created) {
      const seeded = await seedEngage(engage.db, { baseUrl: engage.url, users: options.users ?? 300, seed: ACME_SEED });
      logins = {
        subscriptionId: seeded.subscriptionId, instance: seeded.instance, password: seeded.password,
        admin: pickLogin(seeded.admin), user: pickLogin(pickDemoUser(engage, seeded.subscriptionId) ?? seeded.user),
        apiOnly: { id: seeded.apiOnly.user.id, clientId: seeded.apiOnly.clientId, clientSecret: seeded.apiOnly.clientSecret },
      };
      writeFileSync(files.logins, `${JSON.stringify(logins, null, 2)}\n`);
    } else {
      logins = JSON.parse(readFileSync(files.logins, 'utf8')) as DemoLoginsFile;
    }

    const store = await openStore({ kind: 'sqlite', path: files.rehomeDb });
    releasers.push(async () => { await store[Symbol.asyncDispose](); });
    // Generated once beside the store, where `rehome serve --config <files.config>` finds them too.
    loadOrCreateDevSecrets(files.secrets, true);
    let config: RehomeConfig | undefined;
    // The same server `rehome serve` runs, composed from the demo's config file. Its URL rules and config name
    // Rehome's own URL, known only once bound (port 0 in tests), so they are written for the bound URL.
    const rehome = await startRehomeServer({
      host, port: options.rehomePort ?? 4000, store,
      config: (url) => {
        writeDemoUrlRules(files, { engageUrl: engage.url, rehomeUrl: url, instance: logins.instance, subscriptionId: logins.subscriptionId });
        writeDemoConfig(files, { rehomeUrl: url, engageUrl: engage.url, brandText: DEMO_BRAND, productName: 'Acme ID', client: { ...DEMO_CLIENT, redirectUri: engage.callbackUrl } });
        return (config = demoConfig(files));
      },
    });
    releasers.push(() => rehome.close());
    const issuer = `${rehome.url}/ims`;
    // Rehome's URL too: Engage's banner reads the subscription's move from its notice (/help/<id>/notice.json).
    engage.configureIms({ issuer, ...DEMO_CLIENT, allowInsecureHttp: true, brandText: DEMO_BRAND, rehomeUrl: rehome.url });

    if (!(await store.loadSnapshot({ subscriptionId: logins.subscriptionId }))) await importDemoSnapshot(rehome, engage, logins.subscriptionId, files);
    const close = closeAll;
    return { rehome, config: config!, engage, store, logins, files, issuer, created, close, [Symbol.asyncDispose]: close };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

/** The IMS as the example export describes it, and Engage's users as Rehome's first snapshot. */
async function importDemoSnapshot(rehome: RehomeServer, engage: EngageServer, subscriptionId: string, files: DemoFiles): Promise<void> {
  const exported = writeExports(engage.db, subscriptionId, files.exportDir);
  const inputs = await loadFileInputs({ users: [exported.users], ims: example('ims-directory.csv'), subscriptions: [example('subscription.json')] });
  // The same application function as `rehome import`: the snapshot, and the IMS export mirrored into the embedded IMS.
  await importSnapshots(rehome.app, inputs, 'demo:start');
}

/**
 * The walk-through's person: an ordinary active user whose verified IMS account already exists (the plan links
 * it), so the IMS's "Forgot your password?" works for them even before an invitation arrives.
 */
function pickDemoUser(engage: EngageServer, subscriptionId: string): EngageUser | undefined {
  const accounts = readImsDirectory(example('ims-directory.csv'));
  const verified = new Map<string, number>();
  for (const a of accounts) if (a.emailVerified && a.status === 'active' && a.type !== 'federated') verified.set(a.email.toLowerCase(), (verified.get(a.email.toLowerCase()) ?? 0) + 1);
  return listAllUsers(engage.db, subscriptionId).find((u) => !u.isAdmin && !u.apiOnly && !u.sso && !u.locked && u.status === 'active' && u.emailVerified
    && u.expiresAt === null && u.login === u.email && verified.get(u.email.toLowerCase()) === 1 && u.access.length > 1);
}

function pickLogin(u: { id: string; login: string; email: string }): { id: string; login: string; email: string } {
  return { id: u.id, login: u.login, email: u.email };
}

/** The demo's config file as `rehome --config` reads it, with the product's API token from the environment layer. */
export function demoConfig(files: DemoFiles): RehomeConfig {
  return buildConfig({
    file: { name: files.config, data: JSON.parse(readFileSync(files.config, 'utf8')) },
    env: { REHOME_PRODUCT_TOKEN: DEMO_PRODUCT_TOKEN },
  });
}
