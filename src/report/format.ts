/** Numbers for people in the reports' charts (and the trainer's surrogate rules and report tables). */

/** Thousands separators from 1,000 on (no decimals); three significant digits below ("0.123", "10.3"). */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const rounded = Number(value.toPrecision(3));
  if (Math.abs(rounded) >= 1000) return Math.round(value).toLocaleString("en-US");
  return String(rounded);
}
