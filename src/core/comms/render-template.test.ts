import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkTemplate, missingValues, parseTextTemplate, renderTemplate } from './render-template.ts';

const t = { name: 'verification' as const, source: 'test', subject: 'Verify {{ first_name }}', text: 'Hi {{first_name}}, open {{verify_link}}\n', html: '<a href="{{verify_link}}">{{first_name}}</a>' };

test('values are escaped in HTML, verbatim in text, one line in the subject', () => {
  const r = renderTemplate(t, { first_name: 'Zoë <b>"&\'\r\nBcc: x', verify_link: 'https://x.test/verify-email?token=a.b&c=1' });
  assert.equal(r.subject, 'Verify Zoë <b>"&\' Bcc: x');
  assert.equal(r.text, 'Hi Zoë <b>"&\'\r\nBcc: x, open https://x.test/verify-email?token=a.b&c=1\n');
  assert.equal(r.html, '<a href="https://x.test/verify-email?token=a.b&#38;c=1">Zoë &#60;b&#62;&#34;&#38;&#39;\r\nBcc: x</a>');
});

test('missing values are listed and shown, never silently blank', () => {
  assert.deepEqual(missingValues(t, { first_name: 'A' }), ['verify_link']);
  assert.deepEqual(missingValues(t, { first_name: '', verify_link: 'u' }), [], 'an empty name is a value');
  assert.match(renderTemplate(t, { first_name: 'A' }).text, /\[not set: verify_link\]/);
});

test('templates with unknown placeholders or a bad subject are refused at load', () => {
  assert.deepEqual(checkTemplate(t), []);
  const bad = checkTemplate({ ...t, text: 'Hi {{frist_name}}', subject: '' });
  assert.deepEqual(bad.map((p) => p.code).sort(), ['placeholder_unknown', 'subject_invalid']);
  assert.match(bad.find((p) => p.code === 'placeholder_unknown')!.message, /\{\{frist_name\}\}/);
});

test('template files: "Subject:" line, blank line, body (BOM and CRLF tolerated)', () => {
  assert.deepEqual(parseTextTemplate('\uFEFFSubject: Hello {{first_name}}\r\n\r\nBody\r\n\r\n'), { subject: 'Hello {{first_name}}', text: 'Body\n' });
  assert.equal(parseTextTemplate('Hello\n\nBody'), null);
});
