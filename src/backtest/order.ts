/** Orderings and numbers that keep a report identical across runs and through JSON. */

/** Code-unit order of ids: the same on every machine and locale (unlike localeCompare). */
export function compareIds(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

export function sortedIds(ids: Iterable<string>): string[] {
  return Array.from(ids).sort(compareIds);
}

/** A number JSON keeps as is: NaN and ±Infinity become null, −0 becomes 0. */
export function jsonNumber(value: number): number | null {
  if (!Number.isFinite(value)) return null;
  return value === 0 ? 0 : value;
}

/** numerator / denominator, null when the denominator is 0. */
export function ratio(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : jsonNumber(numerator / denominator);
}
