/**
 * A person as the console names them: "Ann Smith (1003)", the name people know and the id support looks up. With
 * no name on record, the id alone ("1003"), never empty brackets or a blank before them.
 */
export function personLabel(id: string, name?: string | null): string {
  const n = (name ?? '').trim();
  return n ? `${n} (${id})` : id;
}

/** First and last name as one name, for rows that keep them apart (blank parts dropped). */
export function fullName(first?: string | null, last?: string | null): string {
  return [first, last].map((s) => (s ?? '').trim()).filter(Boolean).join(' ');
}

/** "Ann Smith (1003), Ken Lamarr (1004) and 3 more": the first `max` people by name and id, then how many more. */
export function listPeople(ids: readonly string[], names: Readonly<Record<string, string>> | undefined, max = 10): string {
  const shown = ids.slice(0, max).map((id) => personLabel(id, nameOf(names, id)));
  const more = ids.length - shown.length;
  return more > 0 ? `${shown.join(', ')} and ${more} more` : shown.join(', ');
}

/** The name recorded for `id`, own keys only: an id such as `constructor` must not find Object's. */
export function nameOf(names: Readonly<Record<string, string>> | undefined, id: string): string | undefined {
  return names && Object.hasOwn(names, id) ? names[id] : undefined;
}
