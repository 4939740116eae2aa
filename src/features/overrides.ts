/**
 * The column override config: `{ numeric?, categorical?, ignore?, stages? }`. Validated once; unknown
 * keys and wrong types are refused with a message naming the key.
 */
import { ViralityError } from "../errors.js";
import { isStage, type Stage } from "./stages.js";

export interface ColumnOverrides {
  /** Columns to treat as numeric whatever inference says (every value must parse as a number). */
  readonly numeric?: readonly string[];
  /** Columns to treat as categorical whatever inference says. */
  readonly categorical?: readonly string[];
  /** Columns never used. */
  readonly ignore?: readonly string[];
  /** The stage of a column (see src/features/README.md for what moving a column does). */
  readonly stages?: Readonly<Record<string, Stage>>;
}

const KEYS = ["numeric", "categorical", "ignore", "stages"] as const;

export function parseColumnOverrides(value: unknown, where = "columns"): ColumnOverrides {
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) throw invalid(where, "must be an object");
  const entries = Object.entries(value);
  for (const [key] of entries) {
    if (!KEYS.some((known) => known === key)) {
      throw invalid(`${where}.${key}`, `is not a known key (known: ${KEYS.join(", ")})`);
    }
  }
  const result: {
    numeric?: readonly string[];
    categorical?: readonly string[];
    ignore?: readonly string[];
    stages?: Readonly<Record<string, Stage>>;
  } = {};
  for (const [key, item] of entries) {
    if (key === "stages") result.stages = parseStages(item, `${where}.stages`);
    else if (key === "numeric") result.numeric = parseNames(item, `${where}.numeric`);
    else if (key === "categorical") result.categorical = parseNames(item, `${where}.categorical`);
    else if (key === "ignore") result.ignore = parseNames(item, `${where}.ignore`);
  }
  const numeric = new Set(result.numeric ?? []);
  for (const name of result.categorical ?? []) {
    if (numeric.has(name)) throw invalid(where, `lists "${name}" as both numeric and categorical; keep one`);
  }
  for (const name of result.ignore ?? []) {
    if (numeric.has(name) || (result.categorical ?? []).includes(name) || result.stages?.[name] !== undefined) {
      throw invalid(where, `both ignores "${name}" and gives it a kind or stage; keep one`);
    }
  }
  return result;
}

function parseNames(value: unknown, where: string): readonly string[] {
  if (!Array.isArray(value)) throw invalid(where, "must be a list of column names");
  return value.map((item: unknown, i) => {
    if (typeof item !== "string" || item === "") throw invalid(`${where}[${i}]`, "must be a non-empty column name");
    return item;
  });
}

function parseStages(value: unknown, where: string): Readonly<Record<string, Stage>> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw invalid(where, 'must map column names to "upload", "1h" or "6h"');
  }
  const stages: Record<string, Stage> = {};
  for (const [name, stage] of Object.entries(value)) {
    if (!isStage(stage)) throw invalid(`${where}.${name}`, `is ${JSON.stringify(stage)}; use "upload", "1h" or "6h"`);
    stages[name] = stage;
  }
  return stages;
}

function invalid(where: string, problem: string): ViralityError {
  return new ViralityError("VIR_CONFIG_INVALID", `${where} ${problem}.`, { details: { key: where } });
}
