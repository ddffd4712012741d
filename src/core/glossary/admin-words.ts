/**
 * Admins first, as people read it (engine/admins-first.ts holds the rule): while an admin of the subscription is
 * neither migrated nor skipped, nobody else moves. `names` is a list of people ("Ada Hopper (1001) and Ken Lamarr
 * (1003)", people.ts listPeople) and `count` how many they are, for the verb.
 */
const be = (count: number) => (count === 1 ? 'is' : 'are');
const admins = (count: number) => (count === 1 ? 'an admin' : 'admins');

/** The User Migration tab while admins are outstanding, and Migrate Now of others refused (`admins_first`). */
export function adminsFirstSentence(names: string, count: number): string {
  return `Admins migrate first: ${names} ${be(count)} neither migrated nor skipped, so nobody else moves yet.`;
}

/** What the admin can do about it: the two ways out the page offers. */
export const ADMINS_FIRST_WAYS = 'Migrate the admins now, or skip the ones who cannot move (they need a second confirmation); then the others.';

/** A run (Migrate All, Migrate Now) that migrated whom it could and left the others waiting for the admins. */
export function adminsHeldSentence(names: string, count: number): string {
  return `The other users wait for the admins: ${names} ${be(count)} neither migrated nor skipped. ${ADMINS_FIRST_WAYS}`;
}

/** The second question before skipping admins: what it costs. */
export function adminSkipQuestion(names: string, count: number): string {
  return `${names} ${be(count)} ${admins(count)} of the subscription. Skipped, they lose access to the product when the migration is confirmed, and the subscription needs someone to manage it in the IMS: make sure another admin is migrated.`;
}

/** The Complete Migration page when admins are among the skipped users. */
export function skippedAdminsSentence(names: string, count: number): string {
  return `Among the skipped users ${count === 1 ? 'is an admin' : `are ${count} admins`} of the subscription: ${names}. They lose access like the others; someone else must manage the subscription in the IMS.`;
}

/** None of the outstanding admins can move now (waiting for verification, blocked). */
export function adminsCannotMoveSentence(names: string): string {
  return `${names} cannot migrate now (not verified or blocked): resolve that, or skip them with the second confirmation.`;
}
