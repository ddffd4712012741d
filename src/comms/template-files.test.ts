import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEMPLATE_NAMES } from '../core/comms/templates.ts';
import { loadTemplates } from './template-files.ts';

test('the default templates load, each with a subject, a text and an HTML part', () => {
  const set = loadTemplates();
  for (const name of TEMPLATE_NAMES) {
    assert.equal(set[name].source, 'default');
    assert.ok(set[name].subject && set[name].text && set[name].html, name);
  }
  assert.match(set.verification.text, /\{\{verify_link\}\}/);
  assert.match(set.after_migration.text, /\{\{brand_text\}\}.*[\s\S]*\{\{product_url\}\}[\s\S]*\{\{admins\}\}/);
});

test('an override directory replaces a template as a whole; typos are refused before anything is sent', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rehome-templates-'));
  try {
    writeFileSync(join(dir, 'announcement.txt'), 'Subject: Big news for {{first_name}}\n\nWe move on {{migration_date}}.\n');
    const set = loadTemplates(dir);
    assert.equal(set.announcement.subject, 'Big news for {{first_name}}');
    assert.equal(set.announcement.html, null, 'no HTML override: no stale default HTML either');
    assert.equal(set.verification.source, 'default');
    writeFileSync(join(dir, 'verification.txt'), 'Subject: Verify\n\nOpen {{verfy_link}}\n');
    assert.throws(() => loadTemplates(dir), (e: Error & { code?: string }) => e.code === 'template_invalid' && /verfy_link/.test(e.message));
    assert.throws(() => loadTemplates(join(dir, 'missing')), { code: 'template_invalid' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
