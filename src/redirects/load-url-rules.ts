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
