import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Everything `npm start` keeps, under one directory (`.rehome/demo/`); `npm start -- --fresh` deletes it. */
export interface DemoFiles {
  dir: string;
  /** Rehome's store (snapshots, migration, audit, the embedded IMS, the mail outbox). */
  rehomeDb: string;
  /** Engage's own database. */
  engageDb: string;
  /** Generated cookie keys and link secret; `rehome serve` finds them beside the store. */
  secrets: string;
  /** `rehome --config <this>` runs the CLI against the demo (store, product API, server URL). */
  config: string;
  /** The embedded IMS's product clients (Engage), named by the config's `ims.clientsFile`. */
  imsClients: string;
  /** URL rules for the redirect service and `rehome rewrite-links`. */
  urlRules: string;
  /** The demo people (ids, logins), written on the first run. */
  logins: string;
  /** Engage's exports (users.csv, links.jsonl, tickets.jsonl) that the first snapshot was imported from. */
  exportDir: string;
}

export function demoFiles(dir: string): DemoFiles {
  return {
    dir,
    rehomeDb: join(dir, 'rehome.db'),
    engageDb: join(dir, 'engage.db'),
    secrets: join(dir, 'secrets.json'),
    config: join(dir, 'rehome.config.json'),
    imsClients: join(dir, 'ims-clients.json'),
    urlRules: join(dir, 'url-rules.json'),
    logins: join(dir, 'demo-logins.json'),
    exportDir: join(dir, 'engage-export'),
  };
}

/**
 * The CLI's configuration for the demo: the demo store, the embedded IMS at the demo server's URL, and Engage's
 * Rehome API, so `rehome migrate` writes each user's link and cutover into Engage. The API token is a secret and
 * comes from the environment (REHOME_PRODUCT_TOKEN), as every secret does.
 */
export function writeDemoConfig(files: DemoFiles, o: { rehomeUrl: string; engageUrl: string; brandText: string; productName: string; client: { clientId: string; clientSecret: string; redirectUri: string } }): void {
  const server = new URL(o.rehomeUrl);
  // Engage's "Continue with Acme ID": a first-party client of the embedded IMS (no consent page), one exact redirect;
  // its name and home let the IMS's pages and invitations say "Go to Engage".
  const client = { clientId: o.client.clientId, clientSecret: o.client.clientSecret, redirectUris: [o.client.redirectUri], firstParty: true, name: 'Engage', homeUrl: `${o.engageUrl}/` };
  writeFileSync(files.imsClients, `${JSON.stringify([client], null, 2)}\n`, { mode: 0o600 });
  const config = {
    store: { kind: 'sqlite', path: files.rehomeDb },
    server: { host: server.hostname, port: Number(server.port) },
    ims: { devOutbox: true, brandText: o.brandText, productName: o.productName, clientsFile: files.imsClients },
    product: { url: `${o.engageUrl}/api/rehome/v1` },
    comms: { productUrl: `${o.engageUrl}/`, productName: 'Engage' },
    redirects: { rulesFile: files.urlRules },
  };
  writeFileSync(files.config, `${JSON.stringify(config, null, 2)}\n`);
}

/**
 * One rule for Engage's old deep links: `/app-<instance>/#<asset>` -> the new shell at that asset. It matches on
 * Engage's host (what stored links and bookmarks hold, for `rehome rewrite-links`) and on Rehome's (where the demo
 * serves the redirect service, standing in for the old host after the cutover).
 */
export function writeDemoUrlRules(files: DemoFiles, o: { engageUrl: string; rehomeUrl: string; instance: string; subscriptionId: string }): void {
  const rules = {
    allowedHosts: [o.engageUrl],
    rules: [{
      id: 'engage-assets',
      match: { hosts: [new URL(o.engageUrl).host, new URL(o.rehomeUrl).host], path: `/app-${o.instance}/`, fragment: '{asset}' },
      target: `${o.engageUrl}/#/@{org}/so:{subscription}/engage/{capture.asset}`,
      fallback: `${o.engageUrl}/#/@{org}/so:{subscription}/engage/`,
      org: 'acme',
      subscription: o.subscriptionId,
    }],
  };
  writeFileSync(files.urlRules, `${JSON.stringify(rules, null, 2)}\n`);
}
