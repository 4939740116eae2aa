/** Numbers for people, shared by the HTML report and the terminal summary. "—" stands for null. */

export const NONE = "—";

/** An integer count with thousands separators: 12345 → "12,345". */
export function formatCount(value: number): string {
  const rounded = Math.round(value);
  const digits = String(Math.abs(rounded)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return rounded < 0 ? `-${digits}` : digits;
}

/** A metric with four significant digits ("0.4123", "12.35"). */
export function formatMetric(value: number | null): string {
  if (value === null) return NONE;
  if (value !== 0 && (Math.abs(value) >= 1e6 || Math.abs(value) < 1e-4)) return value.toExponential(3);
  return String(Number(value.toPrecision(4)));
}

/** A metric with fixed decimals, for columns that line up: 0.93 → "0.9300". */
export function formatFixed(value: number | null, digits = 4): string {
  if (value === null) return NONE;
  const fixed = value.toFixed(digits);
  return /^-0\.?0*$/.test(fixed) ? fixed.slice(1) : fixed;
}

/** A share as a percentage with one decimal: 0.9034 → "90.3%". */
export function formatShare(value: number | null): string {
  return value === null ? NONE : `${(value * 100).toFixed(1)}%`;
}

/** A signed percentage already in percent: 12.34 → "+12.3%". */
export function formatGainPct(value: number | null): string {
  if (value === null) return NONE;
  const fixed = value.toFixed(1);
  return `${value > 0 && fixed !== "0.0" ? "+" : ""}${fixed === "-0.0" ? "0.0" : fixed}%`;
}

/** Views: a count below a million, then "1.23M", "4.56B". */
export function formatViews(value: number): string {
  if (Math.abs(value) >= 1e9) return `${Number((value / 1e9).toPrecision(3))}B`;
  if (Math.abs(value) >= 1e6) return `${Number((value / 1e6).toPrecision(3))}M`;
  return formatCount(value);
}
