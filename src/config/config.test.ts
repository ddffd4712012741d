import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { buildConfig } from './config.ts';
import { ConfigError } from './config-error.ts';
import { renderConfigDocs } from './config-docs.ts';

test('config: defaults are valid and frozen', () => {
  const c = buildConfig();
  assert.equal(c.store.kind, 'sqlite');
  assert.equal(c.server.port, 4000);
  assert.ok(Object.isFrozen(c.store));
});

test('config: layers apply in order defaults < file < env < flags', () => {
  const c = buildConfig({
    file: { name: 'rehome.config.json', data: { server: { port: 5000, host: '0.0.0.0' } } },
    env: { REHOME_PORT: '6000' },
    flags: { 'server.port': 7000 },
  });
  assert.equal(c.server.port, 7000);
  assert.equal(c.server.host, '0.0.0.0');
  assert.equal(buildConfig({ file: { name: 'f', data: { server: { port: 5000 } } }, env: { REHOME_PORT: '6000' } }).server.port, 6000);
});

test('config: errors are path-qualified, name their origin, and all are reported at once', () => {
  assert.throws(() => buildConfig({ file: { name: 'rehome.config.json', data: { store: { kind: 'mysql' }, sever: { port: 1 }, server: { port: 'x' } } } }), (e) => {
    assert.ok(e instanceof ConfigError);
    assert.equal(e.code, 'config_invalid');
    assert.deepEqual(e.problems, [
      'rehome.config.json: sever.port is not a known option (see docs/configuration.md)',
      'rehome.config.json: store.kind must be one of sqlite, postgres (got "mysql")',
      'rehome.config.json: server.port must be an integer (got "x")',
    ]);
    return true;
  });
});

test('config: secrets are refused in the file; postgres needs a URL', () => {
  assert.throws(() => buildConfig({ file: { name: 'c.json', data: { store: { url: 'postgres://u:p@h/db' } } } }), /store\.url is a secret/);
  assert.throws(() => buildConfig({ env: { REHOME_STORE: 'postgres' } }), /store\.url is required/);
  assert.equal(buildConfig({ env: { REHOME_STORE: 'postgres', REHOME_DATABASE_URL: 'postgres://h/db' } }).store.url, 'postgres://h/db');
});

test('config: a non-loopback http public URL needs the loud flag', () => {
  assert.throws(() => buildConfig({ env: { REHOME_PUBLIC_URL: 'http://ims.example' } }), /https URL/);
  assert.equal(buildConfig({ env: { REHOME_PUBLIC_URL: 'http://127.0.0.1:4000' } }).server.publicUrl, 'http://127.0.0.1:4000');
});

test('docs/configuration.md is generated from the option list and up to date', () => {
  const onDisk = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
  assert.equal(onDisk, renderConfigDocs(), 'docs/configuration.md is stale: run npm run docs:config');
});
