import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adminSkipQuestion, adminsFirstSentence, adminsHeldSentence, skippedAdminsSentence } from './admin-words.ts';

test('admins first: one admin and several read as sentences, with the verb that fits', () => {
  assert.equal(adminsFirstSentence('Ken Lamarr (1003)', 1), 'Admins migrate first: Ken Lamarr (1003) is neither migrated nor skipped, so nobody else moves yet.');
  assert.match(adminsFirstSentence('Ada Hopper (1001) and Ken Lamarr (1003)', 2), / and Ken Lamarr \(1003\) are neither/);
  assert.match(adminsHeldSentence('Ken Lamarr (1003)', 1), /^The other users wait for the admins: Ken Lamarr \(1003\) is neither/);
  assert.match(adminSkipQuestion('Ken Lamarr (1003)', 1), /^Ken Lamarr \(1003\) is an admin of the subscription\. Skipped, they lose access/);
  assert.match(adminSkipQuestion('A (1) and B (2)', 2), /^A \(1\) and B \(2\) are admins of the subscription\./);
  assert.match(skippedAdminsSentence('A (1) and B (2)', 2), /^Among the skipped users are 2 admins of the subscription: A \(1\) and B \(2\)\./);
});
