import type { ImsConfig } from '../ims-config.ts';
import { html, page, type SafeHtml } from '../../http/html.ts';

/** Server-rendered forms of the IMS. Every form posts back to its own path and carries the CSRF token. */
export interface FormPage {
  title: string;
  action: string;
  csrf: string;
  fields: SafeHtml;
  submit: string;
  hidden?: Record<string, string>;
  after?: SafeHtml;
  error?: string;
  notice?: string;
}

export function renderForm(config: ImsConfig, p: FormPage): string {
  const hidden = Object.entries({ csrf: p.csrf, ...p.hidden }).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`);
  return page({
    title: p.title,
    productName: config.productName,
    ...(p.error ? { error: p.error } : {}),
    ...(p.notice ? { notice: p.notice } : {}),
    body: html`<form method="post" action="${p.action}" novalidate>
${hidden}
${p.fields}
<button type="submit">${p.submit}</button>
</form>
${p.after ?? ''}`,
  });
}

export function textField(name: string, label: string, options: { type?: string; value?: string; autocomplete?: string; required?: boolean } = {}): SafeHtml {
  return html`<label for="${name}">${label}</label>
<input id="${name}" name="${name}" type="${options.type ?? 'text'}" value="${options.value ?? ''}" autocomplete="${options.autocomplete ?? 'off'}"${options.required === false ? '' : html` required`}>`;
}

export interface PageLink {
  href: string;
  text: string;
}

/** A message, then the links that say where to go next (the first is the way back to the application). */
export function messagePage(config: ImsConfig, title: string, message: string | SafeHtml, links: PageLink | (PageLink | undefined)[] = []): string {
  const list = (Array.isArray(links) ? links : [links]).filter((l): l is PageLink => l !== undefined);
  return page({
    title,
    productName: config.productName,
    body: html`<p>${message}</p>${list.map((l) => html`<p><a href="${l.href}">${l.text}</a></p>`)}`,
  });
}
