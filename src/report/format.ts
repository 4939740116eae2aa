/** Numbers for people, shared by the training and backtest reports, their charts and the terminal summaries. "—" stands for null. */

/** Thousands separators from 1,000 on (no decimals); three significant digits below ("0.123", "10.3"). */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const rounded = Number(value.toPrecision(3));
  if (Math.abs(rounded) >= 1000) return Math.round(value).toLocaleString("en-US");
  return String(rounded);
}

export const NONE = "—";

/** An integer count with thousands separators: 12345 → "12,345". */
export function formatCount(value: number): string {
  const rounded = Math.round(value);
  const digits = String(Math.abs(rounded)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return rounded < 0 ? `-${digits}` : digits;
}

/** A metric: four significant digits, no exponent for ordinary magnitudes ("0.4123", "12.35"). */
export function formatMetric(value: number | null): string {
  if (value === null) return NONE;
  if (!Number.isFinite(value)) return String(value);
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
