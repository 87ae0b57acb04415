/** A nullable timestamp as API answers show it: ISO 8601, or null. */
export function isoOrNull(date: Date | null | undefined): string | null {
  return date ? date.toISOString() : null;
}
