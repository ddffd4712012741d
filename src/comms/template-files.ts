import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkTemplate, parseTextTemplate } from '../core/comms/render-template.ts';
import { TEMPLATE_NAMES, type MailTemplate, type TemplateName } from '../core/comms/templates.ts';
import { CommsError } from './comms-error.ts';

export type TemplateSet = Readonly<Record<TemplateName, MailTemplate>>;

export const DEFAULT_TEMPLATES_DIR = fileURLToPath(new URL('./templates/', import.meta.url));

/**
 * The five templates: each from `overrideDir` when it holds `<name>.txt` (and then `<name>.html` from there too, or
 * none, so the two parts never disagree), otherwise the defaults beside this file. Every template is checked on
 * load; any problem stops here with `template_invalid`, before a single mail is rendered.
 */
export function loadTemplates(overrideDir?: string | null): TemplateSet {
  if (overrideDir && !existsSync(overrideDir)) throw new CommsError('template_invalid', `comms.templatesDir ${overrideDir} does not exist`);
  const problems: string[] = [];
  const set = {} as Record<TemplateName, MailTemplate>;
  for (const name of TEMPLATE_NAMES) {
    const dir = overrideDir && existsSync(join(overrideDir, `${name}.txt`)) ? overrideDir : DEFAULT_TEMPLATES_DIR;
    const source = dir === DEFAULT_TEMPLATES_DIR ? 'default' : join(dir, `${name}.txt`);
    const parsed = parseTextTemplate(readFileSync(join(dir, `${name}.txt`), 'utf8'));
    if (!parsed) { problems.push(`${source}: the first line must be "Subject: ...", then a blank line, then the text`); continue; }
    const htmlPath = join(dir, `${name}.html`);
    const template: MailTemplate = { name, subject: parsed.subject, text: parsed.text, html: existsSync(htmlPath) ? readFileSync(htmlPath, 'utf8') : null, source };
    problems.push(...checkTemplate(template).map((p) => p.message));
    set[name] = template;
  }
  if (problems.length > 0) throw new CommsError('template_invalid', problems.join('\n'));
  return Object.freeze(set);
}
