/**
 * buildSpec: the feature spec learned from the training rows of a joined table — which columns are
 * features (./columns.ts), category lists, medians for imputation and mean/std scaling. Values are
 * read through the same records and accessors as assembly, so what is learned is what is assembled.
 */
import { ViralityError } from "../errors.js";
import { joinedEmbedding, type JoinResult } from "../io/join.js";
import type { Table } from "../io/tables/table.js";
import { compileSpec, resolveRecords } from "./assemble.js";
import {
  DERIVED_TIME_FEATURES,
  inferColumns,
  UPLOADED_AT_COLUMN,
  type ColumnPlan,
  type FeatureColumn,
  type FeatureSource,
} from "./columns.js";
import type { ColumnOverrides } from "./overrides.js";
import { recordsFromTableRow } from "./records.js";
import {
  deepFreeze,
  embeddingNames,
  SPEC_TYPE,
  SPEC_VERSION,
  type EmbeddingScale,
  type FeatureDef,
  type FeatureSpec,
  type RidgeTransform,
} from "./spec.js";
import { cutoffsWithGrace, DEFAULT_GRACE_MS, stageRank, type Stage } from "./stages.js";
import { categoryKey, numberOf } from "./values.js";

export interface BuildSpecOptions {
  /** The target column (default views_7d); never a feature. */
  readonly target?: string;
  readonly overrides?: ColumnOverrides;
  /** Join rows (indices into join.tableRows) to learn from — the training split. Default: all. */
  readonly trainRows?: ArrayLike<number>;
  /** Categories kept per categorical feature, most frequent first (default 64); the rest are "unknown". */
  readonly maxCategories?: number;
  /** A category seen fewer times than this in training is "unknown" (default 2). */
  readonly minCategoryCount?: number;
  /** How late after its window a snapshot still counts (default 15 min). */
  readonly graceMs?: number;
  /** Learn mean/std scaling for the ridge variant (default true). */
  readonly scaling?: boolean;
}

export interface BuiltSpec {
  readonly spec: FeatureSpec;
  /** What each table column became, with missing counts and reasons (for the report). */
  readonly columns: readonly ColumnPlan[];
}

export const DEFAULT_MAX_CATEGORIES = 64;
export const DEFAULT_MIN_CATEGORY_COUNT = 2;

interface Draft {
  readonly name: string;
  readonly kind: "numeric" | "categorical";
  readonly stage: Stage;
  readonly source: FeatureSource;
}

function draftFeatures(columns: readonly ColumnPlan[]): Draft[] {
  const drafts: Draft[] = [];
  for (const plan of columns) {
    if (plan.column === UPLOADED_AT_COLUMN && plan.role === "upload-time") {
      for (const [name, part] of Object.entries(DERIVED_TIME_FEATURES)) {
        drafts.push({ name, kind: "numeric", stage: "upload", source: { from: "upload-time", part } });
      }
    }
    if (plan.role === "feature") drafts.push(draftOf(plan));
  }
  // stable: stage order, then table order
  return drafts
    .map((draft, order) => ({ draft, order }))
    .sort((a, b) => stageRank(a.draft.stage) - stageRank(b.draft.stage) || a.order - b.order)
    .map(({ draft }) => draft);
}

function draftOf(plan: FeatureColumn): Draft {
  return { name: plan.column, kind: plan.kind, stage: plan.stage, source: plan.source };
}

function transformOf(source: FeatureSource): RidgeTransform {
  if (source.from === "engagement") return source.metric === "retention" ? "identity" : "signed-log1p";
  if (source.from === "upload" && source.field === "duration_seconds") return "signed-log1p";
  return "identity";
}

function applyTransform(transform: RidgeTransform, x: number): number {
  return transform === "signed-log1p" ? Math.sign(x) * Math.log1p(Math.abs(x)) : x;
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new ViralityError("VIR_CONFIG_INVALID", `${name} is ${value}; it must be a whole number ≥ 1.`, {
      details: { key: name },
    });
  }
  return value;
}

export function buildSpec(table: Table, join: JoinResult, options: BuildSpecOptions = {}): BuiltSpec {
  const maxCategories = positiveInteger(options.maxCategories ?? DEFAULT_MAX_CATEGORIES, "maxCategories");
  const minCount = positiveInteger(options.minCategoryCount ?? DEFAULT_MIN_CATEGORY_COUNT, "minCategoryCount");
  const graceMs = options.graceMs ?? DEFAULT_GRACE_MS;
  if (!Number.isFinite(graceMs) || graceMs < 0 || graceMs >= 5 * 3_600_000) {
    throw new ViralityError("VIR_CONFIG_INVALID", `graceMs is ${graceMs}; it must be ≥ 0 and under 5 hours.`, {
      details: { key: "graceMs" },
    });
  }
  const inferOptions = {
    ...(options.target === undefined ? {} : { target: options.target }),
    ...(options.overrides === undefined ? {} : { overrides: options.overrides }),
  };
  const columns = inferColumns(table, inferOptions);
  const drafts = draftFeatures(columns);
  const dim = join.embeddings.dim;
  const embeddingNameSet = new Set(embeddingNames(dim));
  for (const draft of drafts) {
    if (embeddingNameSet.has(draft.name)) {
      throw new ViralityError(
        "VIR_TABLE_INVALID",
        `${table.source}: the column "${draft.name}" has the name of an embedding dimension; rename or ignore it.`,
        { details: { file: table.source, column: draft.name } },
      );
    }
  }

  const trainRows = options.trainRows ?? Int32Array.from({ length: join.tableRows.length }, (_, i) => i);
  for (let i = 0; i < trainRows.length; i++) {
    const row = trainRows[i];
    if (row === undefined || !Number.isInteger(row) || row < 0 || row >= join.tableRows.length) {
      throw new ViralityError("VIR_TRAIN_INVALID", `trainRows[${i}] is ${row}, outside the ${join.tableRows.length} joined rows.`, {
        details: { index: i },
      });
    }
  }
  const cutoffsMs = cutoffsWithGrace(graceMs);

  // A draft spec (no categories, no stats) gives the records and raw accessors used to learn them.
  const draftSpec: FeatureSpec = {
    type: SPEC_TYPE,
    version: SPEC_VERSION,
    embeddingDim: dim,
    cutoffsMs,
    features: drafts.map((draft): FeatureDef =>
      draft.kind === "categorical"
        ? { ...draft, kind: "categorical", categories: [] }
        : { ...draft, kind: "numeric", impute: 0, transform: transformOf(draft.source), scale: null },
    ),
    embeddingScale: null,
    excluded: [],
  };
  const { features: accessors } = compileSpec(draftSpec);
  const n = trainRows.length;
  const numericValues = drafts.map((draft) => (draft.kind === "numeric" ? new Float64Array(n) : undefined));
  const categoryCounts = drafts.map((draft) => (draft.kind === "categorical" ? new Map<string, number>() : undefined));
  const embeddingSum = new Float64Array(dim);
  const embeddingSquares = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    const joinRow = trainRows[i] ?? 0;
    const embedding = joinedEmbedding(join, joinRow);
    const records = recordsFromTableRow(draftSpec, table, join.tableRows[joinRow] ?? 0, embedding);
    const resolved = resolveRecords(draftSpec, records);
    accessors.forEach((accessor, f) => {
      const value = accessor.rawOf(resolved);
      const counts = categoryCounts[f];
      if (counts !== undefined) {
        const key = categoryKey(value);
        if (key !== null) counts.set(key, (counts.get(key) ?? 0) + 1);
        return;
      }
      const values = numericValues[f];
      if (values === undefined) return;
      const number = numberOf(value);
      if (number === undefined) {
        throw new ViralityError(
          "VIR_TABLE_INVALID",
          `${table.source}: video ${records.upload?.video_id ?? ""}, feature "${accessor.feature.name}" is ${JSON.stringify(value)}, not a number.`,
          { details: { file: table.source, feature: accessor.feature.name } },
        );
      }
      values[i] = number;
    });
    for (let j = 0; j < dim; j++) {
      const x = embedding[j] ?? 0;
      embeddingSum[j] = (embeddingSum[j] ?? 0) + x;
      embeddingSquares[j] = (embeddingSquares[j] ?? 0) + x * x;
    }
  }

  const scaling = options.scaling ?? true;
  const features = draftSpec.features.map((feature, f): FeatureDef => {
    if (feature.kind === "categorical") {
      const counts = categoryCounts[f] ?? new Map<string, number>();
      const categories = [...counts.entries()]
        .filter(([, count]) => count >= minCount)
        .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
        .slice(0, maxCategories)
        .map(([category]) => category);
      return { ...feature, categories };
    }
    const values = numericValues[f] ?? new Float64Array(0);
    const impute = median(values);
    return { ...feature, impute, scale: scaling ? scaleOf(values, impute, feature.transform) : null };
  });

  let embeddingScale: EmbeddingScale | null = null;
  if (scaling && n > 0) {
    const mean: number[] = [];
    const std: number[] = [];
    for (let j = 0; j < dim; j++) {
      const m = (embeddingSum[j] ?? 0) / n;
      mean.push(m);
      std.push(safeStd((embeddingSquares[j] ?? 0) / n - m * m));
    }
    embeddingScale = { mean, std };
  }

  const excluded = columns
    .filter((plan) => plan.role !== "feature")
    .map((plan) => ({ column: plan.column, reason: `${plan.role}: ${plan.reason}` }));
  const spec: FeatureSpec = deepFreeze({ ...draftSpec, features, embeddingScale, excluded });
  return { spec, columns };
}

/** The median of the non-missing values; 0 when there are none. */
function median(values: Float64Array): number {
  const present = values.filter((value) => !Number.isNaN(value)).sort();
  if (present.length === 0) return 0;
  const middle = present.length >> 1;
  const upper = present[middle] ?? 0;
  return present.length % 2 === 1 ? upper : ((present[middle - 1] ?? 0) + upper) / 2;
}

function scaleOf(values: Float64Array, impute: number, transform: RidgeTransform): { mean: number; std: number } {
  if (values.length === 0) return { mean: 0, std: 1 };
  const shaped = values.map((value) => applyTransform(transform, Number.isNaN(value) ? impute : value));
  let sum = 0;
  for (const x of shaped) sum += x;
  const mean = sum / shaped.length;
  let squares = 0;
  for (const x of shaped) squares += (x - mean) * (x - mean);
  return { mean, std: safeStd(squares / shaped.length) };
}

function safeStd(variance: number): number {
  const std = Math.sqrt(Math.max(variance, 0));
  return Number.isFinite(std) && std > 1e-12 ? std : 1;
}
