import { readFileSync } from 'node:fs';
import { compileUrlRules } from '../core/urls/url-rules.ts';
import { UrlRulesError } from '../core/urls/url-rules-error.ts';
import type { CompiledUrlRules } from '../core/urls/url-rule-types.ts';

/** Reads and compiles a rules file (JSON); problems are prefixed with the file name. Throws UrlRulesError. */
export function loadUrlRules(path: string, allowedHosts: readonly string[] = []): CompiledUrlRules {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : `not valid JSON (${(e as Error).message})`;
    throw new UrlRulesError('invalid_rules', [`${path}: ${why}`]);
  }
  try {
    return compileUrlRules(data, { allowedHosts });
  } catch (e) {
    if (e instanceof UrlRulesError) throw new UrlRulesError('invalid_rules', e.problems.map((p) => `${path}: ${p}`));
    throw e;
  }
}

/**
 * The subscription each old host's rules name, for the help link of the service's pages: a host whose rules name
 * one subscription maps to it; hosts with none or several are left out (their pages link no help page).
 */
export function subscriptionByHost(path: string): Map<string, string> {
  const data = JSON.parse(readFileSync(path, 'utf8')) as { rules?: { match?: { hosts?: unknown }; subscription?: unknown }[] };
  const seen = new Map<string, Set<string>>();
  for (const rule of Array.isArray(data.rules) ? data.rules : []) {
    const hosts = Array.isArray(rule.match?.hosts) ? rule.match.hosts.filter((h): h is string => typeof h === 'string') : [];
    if (typeof rule.subscription !== 'string') continue;
    for (const host of hosts) (seen.get(host.toLowerCase()) ?? seen.set(host.toLowerCase(), new Set()).get(host.toLowerCase())!).add(rule.subscription);
  }
  return new Map([...seen].filter(([, subs]) => subs.size === 1).map(([host, subs]) => [host, [...subs][0]!]));
}
