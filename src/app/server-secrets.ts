import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { RehomeConfig } from '../config/config.ts';
import { AppError } from './app-error.ts';

export interface ServerSecrets {
  cookieKeys: string[];
  linkSecret: string;
}

/**
 * Secrets for a loopback server that was given none: generated once and kept beside the database (mode 0600), so
 * a restart keeps cookies and mailed links valid. A server reachable from elsewhere must be given real secrets.
 */
export function loadOrCreateDevSecrets(path: string, loopback: boolean): ServerSecrets {
  if (!loopback) {
    throw new AppError('secrets_required', 'set REHOME_IMS_COOKIE_KEYS and REHOME_IMS_LINK_SECRET: generated secrets are only used on a loopback server');
  }
  if (existsSync(path)) return JSON.parse(readFileSync(path, 'utf8')) as ServerSecrets;
  const secrets: ServerSecrets = { cookieKeys: [randomBytes(32).toString('base64url')], linkSecret: randomBytes(32).toString('base64url') };
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 }); // the store's directory: it refuses anything looser
  writeFileSync(path, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  chmodSync(path, 0o600);
  return secrets;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

/** The server's secrets: from the environment, or generated once beside the SQLite store on a loopback server. */
export function serverSecretsOf(config: RehomeConfig): ServerSecrets {
  if (config.ims.cookieKeys && config.ims.linkSecret) return { cookieKeys: config.ims.cookieKeys, linkSecret: config.ims.linkSecret };
  const dir = config.store.kind === 'sqlite' && config.store.path !== ':memory:' ? dirname(config.store.path) : resolve('.rehome');
  const generated = loadOrCreateDevSecrets(join(dir, 'secrets.json'), LOOPBACK.has(config.server.host));
  return { cookieKeys: config.ims.cookieKeys ?? generated.cookieKeys, linkSecret: config.ims.linkSecret ?? generated.linkSecret };
}
