import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { textToHtml } from './text-to-html.ts';

test('textToHtml: paragraphs, line breaks, lists, links', () => {
  const text = 'Hello Ada,\n\nOpen this link:\nhttps://ims.example/invite?token=a.b&x=1\n\nWhat changes\n- You sign in with "Continue with Acme ID".\n- Bookmarks keep working (https://old.example/).';
  assert.equal(textToHtml(text), [
    '<p>Hello Ada,</p>',
    '<p>Open this link:<br>\n<a href="https://ims.example/invite?token=a.b&#38;x=1">https://ims.example/invite?token=a.b&#38;x=1</a></p>',
    '<p>What changes</p>\n<ul>\n<li>You sign in with &#34;Continue with Acme ID&#34;.</li>\n<li>Bookmarks keep working (<a href="https://old.example/">https://old.example/</a>).</li>\n</ul>',
  ].join('\n'));
});

test('textToHtml escapes everything that is not a tag it made', () => {
  fc.assert(fc.property(fc.string(), (text) => {
    const out = textToHtml(text).replace(/<\/?(p|br|ul|li)>|<a href="[^"<>]*">|<\/a>/g, '');
    assert.doesNotMatch(out, /[<>]/);
  }));
});
