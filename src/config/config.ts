import { OPTIONS, type OptionSpec } from './options.ts';
import { ConfigError } from './config-error.ts';

/** The one validated, frozen configuration object every face (CLI, server) is built on. */
export interface RehomeConfig {
  store: { kind: 'sqlite' | 'postgres'; path: string; url: string | null };
  matching: { caseFoldLocalPart: boolean };
  readiness: { format: 'table' | 'json' | 'csv' | 'html' };
  server: { host: string; port: number; publicUrl: string | null; allowInsecureHttp: boolean; metricsToken: string | null; logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent' };
  ims: { brandText: string; productName: string; devOutbox: boolean; clientsFile: string | null; cookieKeys: string[] | null; linkSecret: string | null; requestLimitPerAddress: number; requestLimitPerClient: number; requestLimitWindowSeconds: number };
  idp: { kind: 'embedded' | 'external'; issuer: string | null; scimUrl: string | null; tokenEndpoint: string | null; clientId: string | null; clientSecret: string | null; batchSize: number; bulk: 'auto' | 'off'; requestsPerMinute: number; concurrency: number; timeoutMs: number };
  migration: { passwordStrategy: 'invite' | 'import_hashes' | 'lazy'; automaticThreshold: number; batchSize: number; concurrency: number; minDaysAhead: number; maxDaysAhead: number; lockHoursBefore: number; windowDays: number; extensionDays: number; maxExtensions: number };
  comms: { templatesDir: string | null; productUrl: string | null; productName: string | null; helpContact: string | null; linkTtlHours: number; reminderDaysBefore: string[]; noticeDaysBefore: number; sendHour: number };
  product: { url: string | null; token: string | null };
  redirects: { rulesFile: string | null; allowedHosts: string[] | null };
  mail: { smtpHost: string | null; smtpPort: number; smtpSecure: boolean; smtpUser: string | null; smtpPassword: string | null; from: string };
}

export interface ConfigSources {
  /** Parsed JSON of the config file, and its name for messages. */
  file?: { name: string; data: unknown };
  env?: Record<string, string | undefined>;
  /** Flag values by option path (e.g. `store.kind`), as typed on the command line. */
  flags?: Record<string, string | boolean | number | undefined>;
}

export function buildConfig(sources: ConfigSources = {}): RehomeConfig {
  const out: Record<string, unknown> = {};
  const errors: string[] = [];
  const fileValues = flatten(sources.file?.data, sources.file?.name ?? 'config', errors);
  const known = new Set(OPTIONS.map((o) => o.path));
  for (const key of Object.keys(fileValues)) {
    if (!known.has(key)) errors.push(`${sources.file?.name}: ${key} is not a known option (see docs/configuration.md)`);
  }
  for (const spec of OPTIONS) {
    let value: unknown = spec.default;
    let origin = 'default';
    if (key(fileValues, spec.path)) {
      if (spec.secret) errors.push(`${sources.file?.name}: ${spec.path} is a secret; set it with the environment variable ${spec.env}`);
      value = fileValues[spec.path];
      origin = sources.file?.name ?? 'config';
    }
    const envValue = spec.env ? sources.env?.[spec.env] : undefined;
    if (envValue !== undefined && envValue !== '') { value = envValue; origin = `environment ${spec.env}`; }
    const flag = sources.flags?.[spec.path];
    if (flag !== undefined) { value = flag; origin = 'command line'; }
    const checked = coerce(spec, value);
    if (typeof checked === 'string' && checked.startsWith('\u0000')) errors.push(`${origin}: ${spec.path} ${checked.slice(1)}`);
    else setPath(out, spec.path, checked);
  }
  const config = out as unknown as RehomeConfig;
  if (errors.length === 0) crossCheck(config, errors);
  if (errors.length > 0) throw new ConfigError('config_invalid', errors);
  return deepFreeze(config);
}

function crossCheck(c: RehomeConfig, errors: string[]): void {
  if (c.store.kind === 'postgres' && !c.store.url) {
    errors.push('store.url is required when store.kind is postgres (set REHOME_DATABASE_URL)');
  }
  if (c.idp.kind === 'external') {
    for (const [k, v] of [['idp.issuer', c.idp.issuer], ['idp.scimUrl', c.idp.scimUrl], ['idp.clientId', c.idp.clientId], ['idp.clientSecret', c.idp.clientSecret]] as const) {
      if (!v) errors.push(`${k} is required when idp.kind is external`);
    }
  }
  if (c.product.url && !c.product.token) errors.push('product.token is required when product.url is set (set REHOME_PRODUCT_TOKEN)');
  if (c.migration.minDaysAhead > c.migration.maxDaysAhead) errors.push('migration.minDaysAhead must not be after migration.maxDaysAhead');
  if (c.store.url && !/^postgres(ql)?:\/\//.test(c.store.url)) errors.push('store.url must be a postgres:// URL');
  for (const [path, v] of [['ims.cookieKeys', c.ims.cookieKeys], ['ims.linkSecret', c.ims.linkSecret && [c.ims.linkSecret]]] as const) {
    if (v && v.some((k) => k.length < 32)) errors.push(`${path} must be 32 or more characters (each key)`);
  }
  if (c.server.metricsToken && c.server.metricsToken.length < 16) errors.push('server.metricsToken must be 16 or more characters');
  if (c.server.publicUrl) {
    const u = new URL(c.server.publicUrl);
    const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname);
    if (u.protocol === 'http:' && !loopback && !c.server.allowInsecureHttp) {
      errors.push('server.publicUrl must be an https URL (or loopback); set server.allowInsecureHttp to accept http');
    }
  }
}

/** Returns the value, or a string starting with NUL that describes what was expected. */
function coerce(spec: OptionSpec, value: unknown): unknown {
  if (value === null) return null;
  switch (spec.type) {
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === '1') return true;
      if (value === 'false' || value === '0') return false;
      return `\u0000must be true or false (got ${JSON.stringify(value)})`;
    case 'integer': {
      const n = typeof value === 'number' ? value : typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : NaN;
      if (!Number.isInteger(n)) return `\u0000must be an integer (got ${JSON.stringify(value)})`;
      if ((spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max)) {
        return `\u0000must be between ${spec.min} and ${spec.max} (got ${n})`;
      }
      return n;
    }
    case 'enum':
      return typeof value === 'string' && spec.values?.includes(value)
        ? value
        : `\u0000must be one of ${spec.values?.join(', ')} (got ${JSON.stringify(value)})`;
    case 'url':
      if (typeof value !== 'string' || !URL.canParse(value)) return `\u0000must be a URL (got ${JSON.stringify(value)})`;
      return value;
    case 'string':
      return typeof value === 'string' && value !== '' ? value : `\u0000must be a non-empty string (got ${JSON.stringify(value)})`;
    case 'list': {
      const list = typeof value === 'string' ? value.split(',').map((x) => x.trim()).filter(Boolean) : value;
      return Array.isArray(list) && list.length > 0 && list.every((x) => typeof x === 'string' && x !== '')
        ? list
        : `\u0000must be a non-empty list of strings (got ${JSON.stringify(value)})`;
    }
  }
}

function flatten(data: unknown, name: string, errors: string[], prefix = '', out: Record<string, unknown> = {}): Record<string, unknown> {
  if (data === undefined) return out;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    errors.push(`${name}: ${prefix || 'the top level'} must be an object`);
    return out;
  }
  for (const [k, v] of Object.entries(data)) {
    const path = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) flatten(v, name, errors, path, out);
    else out[path] = v;
  }
  return out;
}

function key(obj: Record<string, unknown>, k: string): boolean {
  return Object.hasOwn(obj, k);
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = target;
  for (const p of parts.slice(0, -1)) node = (node[p] ??= {}) as Record<string, unknown>;
  node[parts[parts.length - 1]!] = value;
}

function deepFreeze<T>(o: T): T {
  if (typeof o === 'object' && o !== null) for (const v of Object.values(o)) deepFreeze(v);
  return Object.freeze(o);
}
