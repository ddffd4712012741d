/**
 * The script of the fragment-forwarding page. The browser never sends the fragment (`#RP1234A1`), so the page reads
 * `location.hash` and applies the rule itself: the same fragment regex, template, capture checks, encoding and
 * allow-list as src/core/urls (the character classes are taken from there, and test/integration/redirect-fragment-
 * script.test.ts runs this script against `rewriteUrl` on generated URLs). The script is the same for every page,
 * so its CSP hash is computed once; per-request data travels in a JSON block the browser never executes.
 */
import { createHash } from 'node:crypto';
import { KEEP_CLASS, SAFE_URL, UNSAFE_DECODED } from '../core/urls/url-encoding.ts';
import { MAX_URL_LENGTH } from '../core/urls/url-template.ts';
import type { TemplatePart } from '../core/urls/url-rule-types.ts';

/** Per-request data for the page (serialised into `<script type="application/json" id="rehome-redirect">`). */
export interface FragmentPageData {
  /** Fragment rules to try, in order. */
  c: { id: string; f: string; t: readonly TemplatePart[]; p: Record<string, string>; q: string }[];
  /** Where to go when no candidate matches the fragment (or there is none), checked on the server; or null. */
  fb: string | null;
  /** The allow-list as [protocol, host] pairs. */
  a: [string, string][];
}

export const FRAGMENT_DATA_ID = 'rehome-redirect';

export const FRAGMENT_SCRIPT = `(function () {
  'use strict';
  var SAFE = new RegExp(${JSON.stringify(SAFE_URL.source)});
  var BAD = new RegExp(${JSON.stringify(UNSAFE_DECODED.source)});
  var KEEP = { path: new RegExp(${JSON.stringify(KEEP_CLASS.path)}), query: new RegExp(${JSON.stringify(KEEP_CLASS.query)}), fragment: new RegExp(${JSON.stringify(KEEP_CLASS.fragment)}) };
  var HEX = /^[0-9A-Fa-f]{2}$/;
  var MAX = ${MAX_URL_LENGTH};
  var d = JSON.parse(document.getElementById(${JSON.stringify(FRAGMENT_DATA_ID)}).textContent);
  function safeCapture(v) {
    if (BAD.test(v)) return false;
    if (v.indexOf('%') < 0) return true;
    try { return !BAD.test(decodeURIComponent(v)); } catch (e) { return false; }
  }
  function enc(v, section) {
    var keep = KEEP[section], out = '';
    for (var i = 0; i < v.length; i++) {
      var ch = v[i];
      if (keep.test(ch)) { out += ch; continue; }
      if (ch === '%' && HEX.test(v.slice(i + 1, i + 3))) { out += ch; continue; }
      var code = v.codePointAt(i), c = String.fromCodePoint(code);
      if (c.length === 2) i++;
      out += code >= 0xd800 && code <= 0xdfff ? '%EF%BF%BD' : encodeURIComponent(c);
    }
    return out;
  }
  function allowed(u) {
    var x;
    try { x = new URL(u); } catch (e) { return false; }
    if (x.username !== '' || x.password !== '') return false;
    for (var i = 0; i < d.a.length; i++) if (d.a[i][0] === x.protocol && d.a[i][1] === x.host) return true;
    return false;
  }
  function build(c, fragment, groups) {
    var caps = {}, k, u = '';
    for (k in c.p) caps[k] = c.p[k];
    for (k in groups || {}) caps[k] = groups[k];
    caps.fragment = fragment;
    for (k in caps) if (!safeCapture(caps[k])) return null;
    for (var i = 0; i < c.t.length; i++) { var p = c.t[i]; u += typeof p === 'string' ? p : enc(caps[p.capture] || '', p.section); }
    if (c.q !== '') { var h = u.indexOf('#'), head = h < 0 ? u : u.slice(0, h), tail = h < 0 ? '' : u.slice(h); u = head + (head.indexOf('?') >= 0 ? '&' : '?') + c.q + tail; }
    if (u.length > MAX || !SAFE.test(u) || !allowed(u)) return null;
    return u;
  }
  function resolve(hash) {
    var fragment = hash ? hash.slice(1) : '';
    if (fragment !== '') {
      for (var i = 0; i < d.c.length; i++) {
        var m = new RegExp(d.c[i].f).exec(fragment);
        if (m) return { url: build(d.c[i], fragment, m.groups), rule: d.c[i].id };
      }
    }
    return { url: d.fb, rule: null };
  }
  var r = resolve(location.hash);
  if (r.url && r.url !== location.href) { location.replace(r.url); return; }
  function show() {
    var msg = document.getElementById('msg');
    if (msg) msg.textContent = r.rule ? 'This link cannot be forwarded safely. Ask your administrator for its new address.' : 'We could not work out the new address of this link. Ask your administrator to add a redirect rule for it.';
  }
  // The script runs in <head>, before the message element exists.
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', show); else show();
})();`;

export const FRAGMENT_SCRIPT_HASH = `sha256-${createHash('sha256').update(FRAGMENT_SCRIPT).digest('base64')}`;

/** JSON that is safe inside a `<script>` element: no `</script>`, no `<!--`, no line separators. */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
