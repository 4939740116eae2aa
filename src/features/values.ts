/**
 * How raw values become feature values, identically for table cells and event fields:
 * - numbers: finite numbers as they are; numeric text parsed; true/false (or "true"/"false") as 1/0;
 *   missing (null, undefined, NaN, "") as NaN;
 * - category keys: text trimmed; numbers and numeric text in canonical form (7, "7", "007" → "7");
 *   true/false → "1"/"0"; missing → null;
 * - timestamps: ISO 8601 text (no zone → UTC) or epoch seconds (≥ 1e11 → milliseconds) → epoch ms.
 */
import { MISSING_TOKENS, parseDecimal } from "../io/tables/column-builder.js";

export type RawValue = string | number | boolean | null | undefined;

/** A number, NaN when missing, undefined when the value is present but not a number. */
export function numberOf(value: RawValue): number | undefined {
  if (value === null || value === undefined) return Number.NaN;
  if (typeof value === "number") return Number.isFinite(value) || Number.isNaN(value) ? value : undefined;
  if (typeof value === "boolean") return value ? 1 : 0;
  const text = value.trim();
  if (MISSING_TOKENS.has(text)) return Number.NaN;
  const lower = text.toLowerCase();
  if (lower === "true") return 1;
  if (lower === "false") return 0;
  return parseDecimal(text);
}

export function categoryKey(value: RawValue): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "boolean") return value ? "1" : "0";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : null;
  const text = value.trim();
  if (MISSING_TOKENS.has(text)) return null;
  const lower = text.toLowerCase();
  if (lower === "true") return "1";
  if (lower === "false") return "0";
  const numeric = parseDecimal(text);
  return numeric === undefined ? text : String(numeric);
}

const ISO_PATTERN = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;
const MILLISECONDS_FROM = 1e11;

/** Epoch milliseconds, NaN when missing, undefined when present but not a timestamp. */
export function timestampMs(value: RawValue): number | undefined {
  if (value === null || value === undefined) return Number.NaN;
  if (typeof value === "boolean") return undefined;
  if (typeof value === "number") return epochToMs(value);
  const text = value.trim();
  if (MISSING_TOKENS.has(text)) return Number.NaN;
  const numeric = parseDecimal(text);
  if (numeric !== undefined) return epochToMs(numeric);
  const match = ISO_PATTERN.exec(text);
  if (match === null) return undefined;
  const withZone = match[1] === undefined ? `${text.replace(" ", "T")}${text.length > 10 ? "Z" : "T00:00:00Z"}` : text.replace(" ", "T");
  const ms = Date.parse(withZone);
  return Number.isNaN(ms) ? undefined : ms;
}

function epochToMs(value: number): number | undefined {
  if (Number.isNaN(value)) return Number.NaN;
  if (!Number.isFinite(value)) return undefined;
  return Math.abs(value) >= MILLISECONDS_FROM ? value : value * 1000;
}
