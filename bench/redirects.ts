// Redirect service throughput: the standalone server (this process) under autocannon (a child process, so the
// load generator does not share the server's event loop). Scenarios: a path rule (308 with a kept query), a
// fragment rule (the forwarding page), and an unmatched URL (404 + counter). Target: > 20,000 redirects/s.
// Usage: node bench/redirects.ts [--duration 10] [--connections 50] [--rules 200] [--pipelining 1]
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { compileUrlRules } from '../src/core/urls/url-rules.ts';
import type { UrlRule } from '../src/core/urls/url-rule-types.ts';
import { startRedirectServer } from '../src/redirects/redirect-server.ts';
import { createMemoryUnmatchedLog } from '../src/redirects/unmatched-log.ts';
import { describeMachine } from './machine.ts';

const { values } = parseArgs({ options: {
  duration: { type: 'string', default: '10' },
  connections: { type: 'string', default: '50' },
  rules: { type: 'string', default: '200' },
  // HTTP/1.1 pipelining per connection (autocannon -p); 1 is what browsers do.
  pipelining: { type: 'string', default: '1' },
} });

// One rule pair per product instance, as a vendor with many subscriptions would have; the URLs hit the last one,
// so every request walks the whole list.
const n = Number(values.rules);
const rules: UrlRule[] = [];
for (let i = 0; i < n; i++) {
  const inst = `app-${i.toString(36).padStart(4, '0')}`;
  rules.push(
    { id: `${inst}-files`, match: { hosts: ['old.example'], path: `/${inst}/files/{rest*}` }, target: `https://new.example/acme${i}/files/{capture.rest}`, query: { keep: ['page'] }, status: 308 },
    { id: `${inst}-engage`, match: { hosts: ['old.example'], path: `/${inst}/`, fragment: '{report}' }, target: `https://new.example/#/@acme${i}/so:${i}-ABC/engage/{capture.report}`, fallback: `https://new.example/#/@acme${i}/so:${i}-ABC/engage` },
  );
}
const compiled = compileUrlRules({ allowedHosts: ['new.example'], rules });
const last = `app-${(n - 1).toString(36).padStart(4, '0')}`;
const server = await startRedirectServer({ rules: compiled, unmatched: createMemoryUnmatchedLog() });
const autocannon = createRequire(import.meta.url).resolve('autocannon/autocannon.js');

interface Result { requests: { average: number }; latency: { p50: number; p99: number }; non2xx: number; errors: number; timeouts: number; '2xx': number }

function run(path: string, duration: string, base = server.url): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [autocannon, '--json', '-c', String(values.connections), '-p', String(values.pipelining), '-d', duration, '-H', 'host=old.example', `${base}${path}`], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => { out += c; });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as Result) : reject(new Error(`autocannon exited ${code}`))));
  });
}

console.log(describeMachine());
console.log(`rules: ${compiled.rules.length} (matching the last instance), connections: ${values.connections}, pipelining: ${values.pipelining}, duration: ${values.duration} s per scenario`);
const scenarios: [string, string, string][] = [
  ['path rule: 308 redirect (target > 20,000/s)', `/${last}/files/q1/report.pdf?page=2&token=x`, '3xx'],
  ['fragment rule: forwarding page', `/${last}/`, '2xx'],
  ['unmatched: 404 page + counter', '/nowhere/report/12345', '4xx'],
];
await run(scenarios[0]![1], '2'); // warm up the JIT
let ok = true;
for (const [label, path] of scenarios) {
  const r = await run(path, String(values.duration));
  const rps = Math.round(r.requests.average);
  console.log(`${label.padEnd(46)} ${rps.toLocaleString('en').padStart(8)} req/s   latency p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms   errors ${r.errors + r.timeouts}`);
  if (label.startsWith('path') && rps < 20_000) ok = false;
}
// The floor under any figure above: plain node:http answering a constant 301, same machine, same moment.
const plain = createServer({ keepAliveTimeout: 65_000 }, (_req, res) => {
  res.writeHead(301, ['location', 'https://new.example/', 'content-length', '0']);
  res.end();
});
await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
const floor = await run('/', String(values.duration), `http://127.0.0.1:${(plain.address() as AddressInfo).port}`);
console.log(`${'reference: plain node:http constant 301'.padEnd(46)} ${Math.round(floor.requests.average).toLocaleString('en').padStart(8)} req/s   latency p50 ${floor.latency.p50} ms, p99 ${floor.latency.p99} ms`);
plain.closeAllConnections();
plain.close();
await server.close();
console.log(ok ? 'target met: > 20,000 redirects/s' : 'TARGET MISSED: < 20,000 redirects/s');
