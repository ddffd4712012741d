import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildConfig, type RehomeConfig } from './config.ts';
import { ConfigError } from './config-error.ts';

/** Reads `rehome.config.json` (or `--config FILE`) and the environment; the only place process.env is read. */
export function loadConfig(opts: { configFile?: string; cwd?: string; flags?: Record<string, string | boolean | number | undefined> } = {}): RehomeConfig {
  const cwd = opts.cwd ?? process.cwd();
  const path = resolve(cwd, opts.configFile ?? 'rehome.config.json');
  let file: { name: string; data: unknown } | undefined;
  if (existsSync(path)) {
    const name = opts.configFile ?? 'rehome.config.json';
    const text = readFileSync(path, 'utf8');
    try {
      file = { name, data: JSON.parse(text) };
    } catch (e) {
      throw new ConfigError('config_unreadable', [`${name}: not valid JSON (${(e as Error).message})`], { cause: e });
    }
  } else if (opts.configFile) {
    throw new ConfigError('config_unreadable', [`${opts.configFile}: file not found`]);
  }
  const config = buildConfig({ file, env: process.env, flags: opts.flags });
  if (config.store.kind === 'sqlite' && config.store.path !== ':memory:') {
    return Object.freeze({ ...config, store: Object.freeze({ ...config.store, path: resolve(cwd, config.store.path) }) });
  }
  return config;
}
