/** Numbers for people, shared by the surrogate rules and the report. */

/** formatNumber lives with the shared report charts (src/report/format.ts), which src/ cannot import from here. */
export { formatNumber } from "../../src/report/format.js";

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
