import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decomposableLatin, foldForSearch } from './search-fold.ts';

test('folding drops case and accents and spells out the letters Unicode does not decompose', () => {
  assert.equal(foldForSearch('Łukasz García'), 'lukasz garcia');
  assert.equal(foldForSearch('Tim Nørgaard'), 'tim norgaard');
  assert.equal(foldForSearch('Ærø Straße Œuvre'), 'aero strasse oeuvre');
  assert.equal(foldForSearch('ＡＢＣ ﬁne'), 'abc fine', 'compatibility forms too');
  assert.equal(foldForSearch('1003 ann@acme.example'), '1003 ann@acme.example');
});

test('the decomposable Latin letters map one to one onto their base letter', () => {
  const { from, to } = decomposableLatin();
  assert.equal([...from].length, [...to].length);
  assert.ok(from.includes('é') && from.includes('Ś') && from.includes('ž'));
  assert.ok(!from.includes('Ł') && !from.includes('ø'), 'these are spelled out instead');
  assert.match(to, /^[A-Za-z]+$/);
});
