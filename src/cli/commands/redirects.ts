import type { Command } from './command.ts';
import { startRedirectServer } from '../../redirects/redirect-server.ts';
import { createMemoryUnmatchedLog } from '../../redirects/unmatched-log.ts';
import { loadUrlRules } from '../../redirects/load-url-rules.ts';
import { CliError } from '../cli-error.ts';

export const redirectsCommand: Command = {
  summary: 'Serve old URLs as redirects to the new URL structure (no open redirects)',
  help: `rehome redirects --rules FILE [--allow HOST[,HOST...]] [--host 127.0.0.1] [--port 4100]

Answers old URLs with 301/308, or with a tiny page that carries the #fragment over in the browser. Unmatched URLs
are counted (paths and parameter names only) at /redirects/unmatched.json so admins can add rules. docs/urls-and-links.md`,
  options: { rules: { type: 'string' }, allow: { type: 'string' }, host: { type: 'string' }, port: { type: 'string' } },
  configFlags: (v) => ({ 'redirects.rulesFile': v.rules as string | undefined, 'redirects.allowedHosts': v.allow as string | undefined }),
  async run({ config, values, io }) {
    if (!config.redirects.rulesFile) throw new CliError('usage', '--rules FILE is required (or redirects.rulesFile in rehome.config.json)');
    const rules = loadUrlRules(config.redirects.rulesFile, config.redirects.allowedHosts ?? []);
    const server = await startRedirectServer({ rules, unmatched: createMemoryUnmatchedLog(), host: (values.host as string | undefined) ?? config.server.host, port: Number(values.port ?? 4100) });
    io.out(`redirect service on ${server.url} (unmatched URLs: ${server.url}/redirects/unmatched.json). Ctrl-C stops.\n`);
    await new Promise<void>((done) => { process.once('SIGINT', done); process.once('SIGTERM', done); });
    await server.close();
    return 0;
  },
};
