/** Numbers for people, shared by the surrogate rules and the report. */

/** Thousands separators from 1,000 on (no decimals); three significant digits below ("0.123", "10.3"). */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const rounded = Number(value.toPrecision(3));
  if (Math.abs(rounded) >= 1000) return Math.round(value).toLocaleString("en-US");
  return String(rounded);
}

/** A metric: four significant digits, no exponent for ordinary magnitudes ("0.4123", "12.35"); "—" for null. */
export function formatMetric(value: number | null): string {
  if (value === null) return "—";
  if (!Number.isFinite(value)) return String(value);
  if (value !== 0 && (Math.abs(value) >= 1e6 || Math.abs(value) < 1e-4)) return value.toExponential(3);
  return String(Number(value.toPrecision(4)));
}

/** A share as a percentage with one decimal: 0.9034 → "90.3%". */
export function formatPercent(value: number): string {
  return `${(value * 100).toFixed(1)}%`;
}
