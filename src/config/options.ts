/**
 * Every configuration option, its type, default and documentation. docs/configuration.md is generated from this
 * list (`npm run docs:config`) and a test fails when the file is stale. Layers: defaults < rehome.config.json <
 * environment < command-line flags. Secrets come only from the environment.
 */
export interface OptionSpec {
  path: string;
  type: 'string' | 'boolean' | 'integer' | 'enum' | 'url';
  values?: readonly string[];
  default: string | number | boolean | null;
  /** Environment variable that sets it (the only place secrets may come from). */
  env?: string;
  secret?: boolean;
  min?: number;
  max?: number;
  doc: string;
}

export const OPTIONS: readonly OptionSpec[] = [
  { path: 'store.kind', type: 'enum', values: ['sqlite', 'postgres'], default: 'sqlite', env: 'REHOME_STORE',
    doc: 'Where Rehome keeps snapshots, readiness runs, migration state and the audit log. `sqlite` (embedded, one process) or `postgres` (large runs, several workers).' },
  { path: 'store.path', type: 'string', default: '.rehome/rehome.db',
    doc: 'SQLite database file, relative to the working directory. `:memory:` keeps nothing (tests).' },
  { path: 'store.url', type: 'url', default: null, env: 'REHOME_DATABASE_URL', secret: true,
    doc: 'PostgreSQL connection URL (`postgres://user@host:5432/db`). Required when `store.kind` is `postgres`; may carry a password, so set it in the environment.' },
  { path: 'matching.caseFoldLocalPart', type: 'boolean', default: true,
    doc: 'Compare the part of an address before `@` case-insensitively. Almost every mail provider does; turn off only if yours does not.' },
  { path: 'readiness.format', type: 'enum', values: ['table', 'json', 'csv', 'html'], default: 'table',
    doc: 'Default output format of `rehome readiness`.' },
  { path: 'server.host', type: 'string', default: '127.0.0.1', env: 'REHOME_HOST',
    doc: 'Interface `rehome serve` listens on.' },
  { path: 'server.port', type: 'integer', default: 4000, env: 'REHOME_PORT', min: 0, max: 65535,
    doc: 'Port `rehome serve` listens on (0 picks a free port).' },
  { path: 'server.publicUrl', type: 'url', default: null, env: 'REHOME_PUBLIC_URL',
    doc: 'The URL people reach the server at (issuer of the embedded IMS). Defaults to `http://<host>:<port>`.' },
  { path: 'server.allowInsecureHttp', type: 'boolean', default: false,
    doc: 'Allow an `http:` public URL that is not loopback. Only for closed test networks: tokens and passwords would cross the wire in clear.' },
];
