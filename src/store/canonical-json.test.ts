import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ImsDirectory, Subscription } from '../core/model.ts';
import { canonicalJson } from './canonical-json.ts';
import { SnapshotDigest, digestSnapshot } from './snapshot-digest.ts';

test('canonicalJson sorts keys at every depth and keeps array order', () => {
  assert.equal(canonicalJson({ b: 1, a: [{ d: null, c: 'x' }, 2] }), '{"a":[{"c":"x","d":null},2],"b":1}');
  assert.equal(canonicalJson({ é: 1, z: 2, Z: 3, '10': 4, '9': 5 }), '{"10":4,"9":5,"Z":3,"z":2,"é":1}');
});

test('canonicalJson follows JSON.stringify for values JSON cannot hold', () => {
  assert.equal(canonicalJson({ a: undefined, b: [undefined, () => 1], c: new Date(0) }), '{"b":[null,null],"c":"1970-01-01T00:00:00.000Z"}');
  assert.equal(canonicalJson(undefined), 'null');
  assert.equal(canonicalJson('"\u0000\n'), JSON.stringify('"\u0000\n'));
});

test('the streamed digest equals the digest of the whole canonical JSON', () => {
  const subscription = { id: 's', name: 'S', timeZone: 'UTC', admins: [], imsOrg: { id: 'o', name: 'O', claimedDomains: [], ssoConfigured: true } } satisfies Subscription;
  const cases: ImsDirectory[] = [
    { accounts: [] },
    { accounts: [{ id: 'a' } as never, { id: 'b' } as never], domainsClaimedElsewhere: { 'x.example': 'org-x' } },
    // Keys sorting before `accounts` must be written before it.
    { accounts: [{ id: 'a' } as never], AAA: 1, aa: 2, domainsClaimedElsewhere: {} } as ImsDirectory,
  ];
  for (const ims of cases) {
    const users = [{ id: 'u1', b: 1, a: 2 }, { id: 'u2' }];
    const { accounts, ...rest } = ims;
    const digest = new SnapshotDigest();
    digest.beginAccounts(rest);
    for (const account of accounts) digest.addItem(canonicalJson(account));
    digest.beginUsers(subscription);
    for (const user of users) digest.addItem(canonicalJson(user));
    assert.equal(digest.finish(), digestSnapshot({ subscription, users, ims }));
  }
});
