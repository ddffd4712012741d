import { createHash } from 'node:crypto';

export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export class SafeHtml {
  readonly value: string;
  constructor(value: string) {
    this.value = value;
  }
  toString(): string {
    return this.value;
  }
}

/** Interpolations are escaped unless they are SafeHtml (or arrays of it). */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0]!;
  values.forEach((value, i) => {
    out += render(value) + strings[i + 1]!;
  });
  return new SafeHtml(out);
}

function render(value: unknown): string {
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === undefined || value === null || value === false) return '';
  return escapeHtml(value);
}

/** An inline script and its CSP hash (the pages allow only the scripts they carry). */
export function inlineScript(code: string): { tag: SafeHtml; hash: string } {
  return { tag: new SafeHtml(`<script>${code}</script>`), hash: `sha256-${createHash('sha256').update(code).digest('base64')}` };
}

/** `banner`: shown between the header and the page (the migration banner, see web/migration-banner.ts). */
export function layout(title: string, body: SafeHtml, options: { script?: SafeHtml; banner?: SafeHtml } = {}): string {
  return `<!doctype html>\n${html`<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title} · Engage</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;margin:0;color:#1b1b1b;background:#f6f6f8}
header{background:#3b2a8c;color:#fff;padding:.6rem 1.2rem;display:flex;gap:1rem;align-items:center}
header a{color:#fff}main{max-width:56rem;margin:1.5rem auto;padding:0 1rem}
.card{background:#fff;border:1px solid #ddd;border-radius:6px;padding:1rem 1.2rem;margin-bottom:1rem}
label{display:block;margin:.6rem 0 .2rem}input{font:inherit;padding:.4rem;width:100%;max-width:24rem}
button{font:inherit;padding:.45rem 1rem;margin-top:.8rem;cursor:pointer}
.ims{background:#fff;border:2px solid #3b2a8c;color:#3b2a8c;font-weight:600}
.error{background:#fdecea;border:1px solid #c62828;padding:.6rem .9rem;border-radius:4px}
.notice{background:#e8f4fd;border:1px solid #1565c0;padding:.6rem .9rem;border-radius:4px}
table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.25rem .5rem;border-bottom:1px solid #eee}
.current{background:#fff6c8}
.missing{border:2px solid #c62828;background:#fdecea}
.banner{background:#fff4d6;border-bottom:2px solid #8a5a00;padding:.6rem 1.2rem;display:flex;gap:1rem;align-items:center;justify-content:space-between}
.banner p{margin:0}.banner a{color:#3b2a8c}.banner form{margin:0}.banner button{margin:0}
</style></head>
<body><header><strong>Engage</strong><span>${title}</span></header>
${options.banner ?? ''}<main>${body}</main>${options.script ?? ''}</body></html>`.value}`;
}
