/** Escapes text for HTML element content and double-quoted attributes. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A tagged template whose interpolations are escaped unless wrapped with `raw`. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0]!;
  values.forEach((value, i) => {
    out += render(value) + strings[i + 1]!;
  });
  return new SafeHtml(out);
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

export function raw(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

function render(value: unknown): string {
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === undefined || value === null || value === false) return '';
  return escapeHtml(value);
}

/** The one page layout: plain, accessible HTML (landmarks, labels, a visible heading, no script). */
export function page(options: { title: string; productName: string; body: SafeHtml; notice?: string; error?: string }): string {
  return `<!doctype html>
${html`<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title} – ${options.productName}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1a1a1a}
label{display:block;margin-top:1rem;font-weight:600}
input{display:block;width:100%;padding:.5rem;font-size:1rem;box-sizing:border-box}
button{margin-top:1.25rem;padding:.6rem 1.2rem;font-size:1rem;background:#0b57d0;color:#fff;border:0;border-radius:4px}
button.secondary{background:#555}
[role=alert]{background:#fde7e9;border-left:4px solid #b3261e;padding:.75rem}
[role=status]{background:#e6f4ea;border-left:4px solid #137333;padding:.75rem}
a{color:#0b57d0}
table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:.3rem;text-align:left;vertical-align:top}
:focus{outline:3px solid #f9ab00}
</style>
</head>
<body>
<header><p>${options.productName}</p></header>
<main>
<h1>${options.title}</h1>
${options.error ? html`<p role="alert">${options.error}</p>` : ''}
${options.notice ? html`<p role="status">${options.notice}</p>` : ''}
${options.body}
</main>
</body>
</html>`}`;
}
