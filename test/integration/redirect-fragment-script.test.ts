// The fragment page's script against the core: for generated fragments, the URL the script navigates to equals
// what rewriteUrl gives for the full old URL (or the script stays put when the core refuses).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { compileUrlRules, rewriteUrl } from '../../src/core/urls/url-rules.ts';
import { startRedirectServer } from '../../src/redirects/redirect-server.ts';

const rules = {
  allowedHosts: ['new.example', 'http://127.0.0.1:4000'],
  rules: [
    { id: 'report', match: { path: '/app-{inst:ab12}/', fragment: 'RP{n:[0-9]+}{rest*}' }, target: 'https://new.example/#/@acme/so:123-ABC-456/engage/RP{capture.n}{capture.rest}', query: 'keep' },
    { id: 'workspace', match: { path: '/app-{inst:ab12}/', fragment: 'ws/{ws}' }, target: 'http://127.0.0.1:4000/w/{capture.ws}?from={capture.inst}#{fragment}', fallback: 'https://new.example/#/{capture.inst}' },
    { id: 'any', match: { path: '/app-cd34/', fragment: '{all*}' }, target: 'https://new.example/x?f={capture.all}', fallback: 'https://new.example/x' },
  ],
};
const compiled = compileUrlRules(rules);

/** Runs the page's scripts with a stub document and location; returns where it navigated, or the message shown. */
function runPage(html: string, href: string): { replaced: string | null; message: string | null } {
  const data = /<script type="application\/json" id="rehome-redirect">(.*?)<\/script>/s.exec(html)![1]!;
  const script = /<script>(.*?)<\/script>/s.exec(html)![1]!;
  const url = new URL(href);
  let replaced: string | null = null;
  const msg = { textContent: null as string | null };
  const document = { getElementById: (id: string) => (id === 'rehome-redirect' ? { textContent: data } : id === 'msg' ? msg : null) };
  const location = { hash: url.hash, href: url.href, replace: (u: string) => { replaced = u; } };
  runInNewContext(script, { document, location, URL, JSON, RegExp, String, encodeURIComponent, decodeURIComponent });
  return { replaced, message: msg.textContent };
}

test('fragment script and core agree on generated fragments', async (t) => {
  const server = await startRedirectServer({ rules: compiled });
  t.after(() => server.close());
  const pages = new Map<string, string>();
  for (const p of ['/app-ab12/', '/app-ab12/?x=1&y=%20', '/app-cd34/']) pages.set(p, await (await fetch(`${server.url}${p}`)).text());
  const fragment = fc.oneof(
    fc.constant(''),
    fc.stringMatching(/^RP[0-9]{1,5}[A-Za-z0-9/%]{0,6}$/),
    fc.stringMatching(/^ws\/[A-Za-z0-9%._~-]{0,8}$/),
    fc.string({ unit: 'binary', maxLength: 12 }),
    fc.string({ unit: fc.constantFrom('%', '0', 'a', 'D', '\\', '/', '#', '?', '&', ' ', '"', '<', 'é', '\u2028', 'RP', 'ws/'), maxLength: 10 }),
  );
  fc.assert(fc.property(fc.constantFrom(...pages.keys()), fragment, (path, frag) => {
    const href = new URL(`http://127.0.0.1${path}${frag === '' ? '' : `#${frag}`}`).href;
    const core = rewriteUrl(href, compiled);
    const page = runPage(pages.get(path)!, href);
    if (core.kind === 'rewritten') assert.equal(page.replaced, core.url, `${href}`);
    else assert.equal(page.replaced, null, `${href}: core says ${JSON.stringify(core)}`);
    if (page.replaced !== null) assert.ok(['https://new.example', 'http://127.0.0.1:4000'].includes(new URL(page.replaced).origin));
  }), { numRuns: 3000 });
});
