import { escapeHtml } from './render-template.ts';
import { textToHtml } from './text-to-html.ts';

/**
 * The HTML part of every mail Rehome and its IMS send: a minimal, accessible document (language, title, a readable
 * column; inline styles only, as mail clients drop `<style>` and never load anything).
 */
export function mailDocument(subject: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(subject)}</title></head>
<body style="font-family:system-ui,sans-serif;line-height:1.5;color:#1a1a1a;max-width:40rem;margin:0 auto;padding:1rem">
${body.trim()}
</body>
</html>
`;
}

/** Both parts of a mail written as plain text: the text as is, and its HTML form in the mail document. */
export function textAndHtml(subject: string, text: string): { text: string; html: string } {
  return { text, html: mailDocument(subject, textToHtml(text)) };
}
