/**
 * What each column of a features table is: the key, the upload time, a snapshot time, the target, a
 * later-horizon column (never a feature), ignored, or a feature (with kind, stage and source).
 * The naming convention and the inference rules are documented in ./README.md.
 */
import { ViralityError } from "../errors.js";
import { KEY_COLUMN, missingCount, type Column, type Table } from "../io/tables/table.js";
import type { ColumnOverrides } from "./overrides.js";
import { stageRank, WINDOW_MS, type EngagementWindow, type Stage } from "./stages.js";
import { categoryKey, numberOf } from "./values.js";

export const UPLOADED_AT_COLUMN = "uploaded_at";
export const DEFAULT_TARGET = "views_7d";
export const OBSERVED_AT_PREFIX = "observed_at_";

/** Upload metadata with a field of its own in the upload record. */
export const UPLOAD_FIELDS = ["channel_id", "duration_seconds", "language", "captions", "cluster_id"] as const;
export type UploadField = (typeof UPLOAD_FIELDS)[number];

/** Engagement metrics with a field of their own in a snapshot; other `<metric>_1h` go to its extras. */
export const SNAPSHOT_METRICS = ["views", "likes", "comments", "shares", "retention", "watch_time_seconds"] as const;
export type SnapshotMetric = (typeof SNAPSHOT_METRICS)[number];

export const DERIVED_TIME_FEATURES = { upload_hour: "hour", upload_dow: "dow" } as const;
export type TimePart = "hour" | "dow";

export type FeatureKind = "numeric" | "categorical";

export type FeatureSource =
  | { readonly from: "upload"; readonly field: UploadField }
  | { readonly from: "upload-time"; readonly part: TimePart }
  | { readonly from: "extra"; readonly key: string }
  | { readonly from: "engagement"; readonly window: EngagementWindow; readonly metric: string };

export type ExcludedRole = "key" | "upload-time" | "observed-at" | "target" | "later-horizon" | "ignored";

export interface FeatureColumn {
  readonly role: "feature";
  readonly column: string;
  readonly kind: FeatureKind;
  readonly stage: Stage;
  readonly source: FeatureSource;
  readonly missing: number;
  readonly reason: string;
}

export interface ExcludedColumn {
  readonly role: ExcludedRole;
  readonly column: string;
  readonly missing: number;
  readonly reason: string;
}

export type ColumnPlan = FeatureColumn | ExcludedColumn;

export interface InferOptions {
  /** The target column (default views_7d); never a feature. */
  readonly target?: string;
  readonly overrides?: ColumnOverrides;
}

/** A text column is dropped as free text / unique ids when at least this share of its values differ. */
const UNIQUE_SHARE = 0.9;
const UNIQUE_MIN_VALUES = 20;
const ID_LIKE = /(^id$|_id$|^code$|_code$|_key$)/i;
const HORIZON = /^(.+)_(\d+)([hdw])$/;

interface Horizon {
  readonly metric: string;
  readonly hours: number;
  readonly window?: EngagementWindow;
}

export function horizonOf(name: string): Horizon | undefined {
  const match = HORIZON.exec(name);
  if (match === null) return undefined;
  const [, metric = "", amount = "0", unit = "h"] = match;
  const hours = Number(amount) * (unit === "h" ? 1 : unit === "d" ? 24 : 168);
  const window = hours * 3_600_000 === WINDOW_MS["1h"] ? "1h" : hours * 3_600_000 === WINDOW_MS["6h"] ? "6h" : undefined;
  return window === undefined ? { metric, hours } : { metric, hours, window };
}

function isUploadField(name: string): name is UploadField {
  return UPLOAD_FIELDS.some((field) => field === name);
}

export function inferColumns(table: Table, options: InferOptions = {}): ColumnPlan[] {
  const target = options.target ?? DEFAULT_TARGET;
  const overrides = options.overrides ?? {};
  checkOverrideNames(table, overrides, target);
  const ignore = new Set(overrides.ignore ?? []);
  const plans = table.columns.map((column) => planColumn(table, column, target, ignore, overrides));
  for (const name of Object.keys(DERIVED_TIME_FEATURES)) {
    const clash = plans.find((plan) => plan.role === "feature" && plan.column === name);
    if (clash !== undefined && table.byName.has(UPLOADED_AT_COLUMN)) {
      throw new ViralityError(
        "VIR_TABLE_INVALID",
        `${table.source}: the column "${name}" clashes with the feature derived from ${UPLOADED_AT_COLUMN}; rename or ignore it.`,
        { details: { file: table.source, column: name } },
      );
    }
  }
  return plans;
}

function planColumn(
  table: Table,
  column: Column,
  target: string,
  ignore: ReadonlySet<string>,
  overrides: ColumnOverrides,
): ColumnPlan {
  const name = column.name;
  const missing = missingCount(column);
  const excluded = (role: ExcludedRole, reason: string): ExcludedColumn => ({ role, column: name, missing, reason });
  if (name === KEY_COLUMN) return excluded("key", "the join key");
  if (name === target) return excluded("target", "the target is never a feature");
  if (ignore.has(name)) return excluded("ignored", "ignored by configuration");
  if (name === UPLOADED_AT_COLUMN) return excluded("upload-time", "drives time splits; upload_hour and upload_dow derive from it");
  if (name === `${OBSERVED_AT_PREFIX}1h` || name === `${OBSERVED_AT_PREFIX}6h`) {
    return excluded("observed-at", "when the snapshot was taken; decides whether it is used");
  }

  const override = overrides.stages?.[name];
  const horizon = horizonOf(name);
  let stage: Stage;
  let source: FeatureSource;
  let why: string;
  if (horizon?.window !== undefined) {
    const window = horizon.window;
    stage = override ?? window;
    if (stageRank(stage) >= stageRank(window)) {
      source = { from: "engagement", window, metric: horizon.metric };
      why = override === undefined ? `engagement at ${window}` : `engagement at ${window}, used from stage ${stage} (override)`;
    } else {
      source = { from: "extra", key: name };
      why = `known at upload by override (not read from the ${window} snapshot)`;
    }
  } else if (horizon !== undefined && override === undefined) {
    return horizon.hours > WINDOW_MS["6h"] / 3_600_000
      ? excluded("later-horizon", `observed after the last stage (${horizon.hours}h > 6h); never a feature`)
      : excluded("ignored", `a ${horizon.hours}h horizon has no snapshot window; give it a stage override to use it`);
  } else if (isUploadField(name)) {
    stage = override ?? "upload";
    source = { from: "upload", field: name };
    why = "upload metadata";
  } else {
    stage = override ?? "upload";
    source = { from: "extra", key: name };
    why = override === undefined ? "upload-stage extra" : `extra, stage ${stage} by override`;
  }

  const kind = inferKind(table, column, overrides, missing);
  if (typeof kind === "string") return excluded("ignored", kind);
  return { role: "feature", column: name, kind: kind.kind, stage, source, missing, reason: `${why}; ${kind.why}` };
}

function inferKind(
  table: Table,
  column: Column,
  overrides: ColumnOverrides,
  missing: number,
): { readonly kind: FeatureKind; readonly why: string } | string {
  const name = column.name;
  if ((overrides.categorical ?? []).includes(name)) return { kind: "categorical", why: "categorical by override" };
  const forcedNumeric = (overrides.numeric ?? []).includes(name);
  const present = table.rowCount - missing;
  if (present === 0 && !forcedNumeric) return "no values";
  const badRow = firstNonNumericRow(column);
  if (forcedNumeric) {
    if (badRow !== undefined) {
      throw new ViralityError(
        "VIR_CONFIG_INVALID",
        `${table.source}: column "${name}" is declared numeric but row ${badRow + 1} holds ${JSON.stringify(
          column.type === "text" ? column.values[badRow] : "",
        )}; fix the value or drop the numeric override.`,
        { details: { file: table.source, column: name, row: badRow + 1 } },
      );
    }
    return { kind: "numeric", why: "numeric by override" };
  }
  if (badRow === undefined) {
    return ID_LIKE.test(name)
      ? { kind: "categorical", why: "numbers, but the name says id/code" }
      : { kind: "numeric", why: "every value is a number" };
  }
  if (column.type === "text" && present >= UNIQUE_MIN_VALUES) {
    const distinct = new Set(column.values.map(categoryKey)).size - (missing > 0 ? 1 : 0);
    if (distinct >= UNIQUE_SHARE * present) {
      return `looks like free text or unique ids (${distinct} distinct of ${present}); list it under categorical to keep it`;
    }
  }
  return { kind: "categorical", why: "text values" };
}

function firstNonNumericRow(column: Column): number | undefined {
  if (column.type === "number") return undefined;
  const index = column.values.findIndex((value) => numberOf(value) === undefined);
  return index < 0 ? undefined : index;
}

function checkOverrideNames(table: Table, overrides: ColumnOverrides, target: string): void {
  const lists: Array<[string, readonly string[]]> = [
    ["numeric", overrides.numeric ?? []],
    ["categorical", overrides.categorical ?? []],
    ["ignore", overrides.ignore ?? []],
    ["stages", Object.keys(overrides.stages ?? {})],
  ];
  const fixed = new Set([KEY_COLUMN, target, UPLOADED_AT_COLUMN, `${OBSERVED_AT_PREFIX}1h`, `${OBSERVED_AT_PREFIX}6h`]);
  for (const [key, names] of lists) {
    for (const name of names) {
      if (!table.byName.has(name)) {
        throw new ViralityError(
          "VIR_CONFIG_INVALID",
          `columns.${key} names "${name}", which is not a column of ${table.source}; check the spelling.`,
          { details: { key: `columns.${key}`, column: name } },
        );
      }
      if (fixed.has(name) && key !== "ignore") {
        throw new ViralityError(
          "VIR_CONFIG_INVALID",
          `columns.${key} names "${name}", which is ${name === target ? "the target" : "a reserved column"} and never a feature.`,
          { details: { key: `columns.${key}`, column: name } },
        );
      }
    }
  }
}
