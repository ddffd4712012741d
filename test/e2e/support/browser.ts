/**
 * A tiny cookie-keeping HTTP client that drives the IMS's server-rendered pages the way a browser would (no
 * JavaScript needed: the pages have none). Redirects are followed by the caller, one hop at a time.
 */
export class TestBrowser {
  readonly cookies = new Map<string, string>();
  readonly base: string;
  constructor(base: string) {
    this.base = base;
  }

  async request(url: string, init: { method?: string; form?: Record<string, string>; headers?: Record<string, string> } = {}): Promise<Response> {
    const target = new URL(url, this.base);
    const headers: Record<string, string> = { ...init.headers };
    if (target.origin === new URL(this.base).origin && this.cookies.size > 0) {
      headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    }
    let body: string | undefined;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const response = await fetch(target, { method: init.method ?? (init.form ? 'POST' : 'GET'), headers, body, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) this.store(line);
    return response;
  }

  /** Follows same-origin redirects until the location leaves the server (returned) or a page is reached. */
  async follow(url: string, stopAt?: string): Promise<{ response: Response; url: string }> {
    let current = url;
    for (let hop = 0; hop < 20; hop++) {
      if (stopAt && current.startsWith(stopAt)) return { response: new Response(null, { status: 200 }), url: current };
      const response = await this.request(current);
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || !location) return { response, url: current };
      current = new URL(location, current.startsWith('http') ? current : this.base).href;
    }
    throw new Error('too many redirects');
  }

  private store(line: string): void {
    const [pair, ...attributes] = line.split(';');
    const eq = pair!.indexOf('=');
    const name = pair!.slice(0, eq).trim();
    const value = pair!.slice(eq + 1).trim();
    const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a) || (/^\s*expires=/i.test(a) && Date.parse(a.split('=')[1]!) < Date.now()));
    if (expired || value === '') this.cookies.delete(name);
    else this.cookies.set(name, value);
  }
}

/** The first POST form of a page: its action and hidden fields (enough for the IMS's plain pages). */
export function readForm(htmlText: string): { action: string; fields: Record<string, string> } {
  const form = /<form[^>]*method="post"[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/i.exec(htmlText)
    ?? /<form[^>]*action="([^"]*)"[^>]*method="post"[^>]*>([\s\S]*?)<\/form>/i.exec(htmlText);
  if (!form) throw new Error(`no form in page:\n${htmlText.slice(0, 2000)}`);
  const fields: Record<string, string> = {};
  for (const input of form[2]!.matchAll(/<input([^>]*)>/g)) {
    const name = /name="([^"]*)"/.exec(input[1]!)?.[1];
    const type = /type="([^"]*)"/.exec(input[1]!)?.[1];
    const value = /value="([^"]*)"/.exec(input[1]!)?.[1] ?? '';
    if (name && type === 'hidden') fields[decodeEntities(name)] = decodeEntities(value);
  }
  return { action: decodeEntities(form[1]!), fields };
}

export function decodeEntities(text: string): string {
  return text.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)))
    .replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>');
}

/** The first absolute link in a mail body that contains `path`. */
export function linkIn(text: string, path: string): string {
  const match = text.match(/https?:\/\/\S+/g)?.find((l) => l.includes(path));
  if (!match) throw new Error(`no ${path} link in mail:\n${text}`);
  return match;
}
