/**
 * Starts Engage, the reference product, seeded with a demo subscription on first start.
 *
 *   node examples/engage/main.ts [--port 4100] [--db .rehome/engage.db] [--users 300]
 *     [--ims-issuer http://127.0.0.1:4000/ims --ims-client-id engage --ims-client-secret ... --allow-insecure-http]
 *     [--brand-text "Continue with IMS"] [--api-token <Rehome API token>] [--export <dir>]
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { writeExports } from './src/exports/export-files.ts';
import { startEngage, type EngageImsOptions, type EngageServer } from './src/engage-server.ts';
import { listSubscriptions } from './src/users/subscriptions.ts';
import { seedEngage, type DemoLogins } from './seed.ts';

export const DEV_REHOME_API_TOKEN = 'engage-dev-rehome-api-token';

export interface DemoEngageOptions {
  dbPath: string;
  port: number;
  host?: string;
  users?: number;
  rehomeApiToken?: string;
  ims?: EngageImsOptions;
}

/** Starts Engage and seeds it when the database is new (for `npm start` and this script). */
export async function startDemoEngage(options: DemoEngageOptions): Promise<{ server: EngageServer; logins: DemoLogins | undefined }> {
  if (options.dbPath !== ':memory:') mkdirSync(dirname(options.dbPath), { recursive: true });
  const server = await startEngage({ dbPath: options.dbPath, port: options.port, host: options.host ?? '127.0.0.1', rehomeApiToken: options.rehomeApiToken ?? DEV_REHOME_API_TOKEN });
  const logins = listSubscriptions(server.db).length === 0 ? await seedEngage(server.db, { baseUrl: server.url, users: options.users ?? 300 }) : undefined;
  if (options.ims) server.configureIms(options.ims);
  return { server, logins };
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '4100' }, host: { type: 'string', default: '127.0.0.1' }, db: { type: 'string', default: '.rehome/engage.db' },
      users: { type: 'string', default: '300' }, 'api-token': { type: 'string' }, export: { type: 'string' },
      'ims-issuer': { type: 'string' }, 'ims-client-id': { type: 'string', default: 'engage' }, 'ims-client-secret': { type: 'string' },
      'allow-insecure-http': { type: 'boolean', default: false }, 'brand-text': { type: 'string' },
    },
  });
  const ims: EngageImsOptions | undefined = values['ims-issuer'] ? {
    issuer: values['ims-issuer'], clientId: values['ims-client-id'], allowInsecureHttp: values['allow-insecure-http'],
    ...(values['ims-client-secret'] ? { clientSecret: values['ims-client-secret'] } : {}), ...(values['brand-text'] ? { brandText: values['brand-text'] } : {}),
  } : undefined;
  const { server, logins } = await startDemoEngage({
    dbPath: values.db, port: Number(values.port), host: values.host, users: Number(values.users),
    ...(values['api-token'] ? { rehomeApiToken: values['api-token'] } : {}), ...(ims ? { ims } : {}),
  });
  const subscription = listSubscriptions(server.db)[0]!;
  console.log(`Engage: ${server.url}/app-${subscription.instance}/  (subscription ${subscription.id})`);
  console.log(`  IMS redirect URI to register: ${server.callbackUrl}${ims ? '' : '  (no IMS configured: password sign-in only)'}`);
  console.log(`  Rehome API: ${server.url}/api/rehome/v1/subscriptions/${subscription.id}  (Bearer ${values['api-token'] ? '<your token>' : DEV_REHOME_API_TOKEN})`);
  if (logins) {
    console.log(`  Demo password for every seeded user: ${logins.password}`);
    console.log(`  Admin: ${logins.admin.login}   User: ${logins.user.login}`);
    console.log(`  API-only: POST ${server.url}/api/token  client_id=${logins.apiOnly.clientId} client_secret=${logins.apiOnly.clientSecret}`);
  }
  if (values.export) {
    const files = writeExports(server.db, subscription.id, values.export);
    console.log(`  Exports: ${files.users}, ${files.links}, ${files.tickets}`);
  }
  const stop = (): void => {
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
