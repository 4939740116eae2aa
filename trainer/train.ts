/**
 * Training: fused.pt + a features table → one model per stage (upload, 1h, 6h), each on the one
 * feature-assembly path and seeing only what is knowable at its stage, evaluated on held-out rows
 * against its baselines, with split-conformal intervals and permutation importance, sealed into one
 * model bundle that records which videos it held out (the test rows), for the backtest.
 *
 * Rows: the upload model learns from every row; the 1h and 6h models from the rows whose snapshot of
 * that window is valid (observed within the cutoff) — the rows the scorer would score at that stage.
 * Their trees learn the residual over the Szabo–Huberman prediction (DESIGN.md, "Learners").
 */
import { createHash } from "node:crypto";
import { ViralityError } from "../src/errors.js";
import { INPUT_FLAGS, type FeatureMatrix as AssembledMatrix } from "../src/features/assemble.js";
import { buildSpec } from "../src/features/build-spec.js";
import type { ColumnOverrides } from "../src/features/overrides.js";
import { featureNames, featuresOfStage, type FeatureSpec } from "../src/features/spec.js";
import { STAGES, type Stage } from "../src/features/stages.js";
import { assembleJoined, joinedNumbers, joinedUploadTimes } from "../src/features/table-features.js";
import { readFused } from "../src/io/fused.js";
import { joinWithEmbeddings, type JoinReport, type JoinResult } from "../src/io/join.js";
import { readTable } from "../src/io/tables/index.js";
import { cellAt, type Table } from "../src/io/tables/table.js";
import {
  BUNDLE_FORMAT_VERSION,
  BUNDLE_TYPE,
  baseMarginOf,
  sealBundle,
  toTarget,
  viewsIndex,
  type BaseMargin,
  type ModelBundle,
  type StageModel,
  type TargetTransform,
} from "../src/model/bundle.js";
import { CachedTreePredictions, predictTrees, type TreeEnsemble } from "../src/model/trees.js";
import { cartOffThread, type CartOffThread } from "./baselines/cart.js";
import { fitMean } from "./baselines/mean.js";
import { fitRidge } from "./baselines/ridge.js";
import { fitSzaboHuberman } from "./baselines/szabo-huberman.js";
import type { Baseline } from "./baselines/types.js";
import { absoluteResiduals, calibrationCurve, conformalQuantile, intervalCoverage, type CalibrationPoint } from "./eval/conformal.js";
import { heldOutOf } from "./eval/held-out.js";
import { importanceGroups } from "./eval/importance-groups.js";
import { permutationImportance, type PermutationImportance } from "./eval/importance.js";
import { takeRows, takeValues, type RowMatrix } from "./eval/matrix.js";
import { regressionMetrics, type RegressionMetrics } from "./eval/metrics.js";
import { randomSplit, timeSplit, type Split, type SplitKind } from "./eval/splits.js";
import { fitGbdt, resolveGbdtOptions, type GbdtOptions, type ResolvedGbdtOptions } from "./gbdt/index.js";

export interface TrainOptions {
  readonly fused: string;
  readonly features: string;
  /** Label column; default views_7d. */
  readonly target?: string;
  readonly transform?: TargetTransform;
  /** Default "time" when the table has uploaded_at, else "random". */
  readonly split?: SplitKind;
  readonly testFraction?: number;
  readonly calibrationFraction?: number;
  /** Nominal interval coverage; default 0.9. */
  readonly intervalLevel?: number;
  readonly seed?: number;
  /** GBDT hyperparameters (sklearn's defaults otherwise); the categorical columns come from `categorical`. */
  readonly gbdt?: Omit<GbdtOptions, "categoricalFeatures">;
  /**
   * How the trees see the spec's categorical columns: "codes" (default), their codes (most frequent
   * category first) split like numbers; "native", HGBR's category-set splits (sklearn's
   * categorical_features). The ridge baseline one-hot encodes them either way.
   */
  readonly categorical?: CategoricalHandling;
  /** Small time-ordered validation search over learning rate and leaf size for the 1h/6h models. */
  readonly tune?: boolean;
  readonly overrides?: ColumnOverrides;
  /** Stages to train; default all three. */
  readonly stages?: readonly Stage[];
  readonly importanceRepeats?: number;
  readonly onProgress?: (event: ProgressEvent) => void;
}

export type CategoricalHandling = "codes" | "native";

export interface ProgressEvent {
  readonly stage: Stage | null;
  readonly step: string;
  /** 0..1 within the stage. */
  readonly fraction: number;
}

export interface BaselineResult {
  readonly name: string;
  readonly kind: string;
  readonly metrics: RegressionMetrics;
}

export interface StageResult {
  readonly stage: Stage;
  readonly nTrain: number;
  readonly nCalibration: number;
  readonly nTest: number;
  readonly metrics: RegressionMetrics;
  readonly baselines: readonly BaselineResult[];
  readonly bestBaseline: BaselineResult;
  readonly beatsBaseline: boolean;
  readonly coverage: { readonly level: number; readonly quantile: number; readonly coverage: number; readonly meanWidth: number };
  readonly calibration: readonly CalibrationPoint[];
  readonly importance: PermutationImportance;
  readonly featureNames: readonly string[];
  /** Test rows: actual and predicted target (for plots). */
  readonly actual: Float64Array;
  readonly predicted: Float64Array;
  readonly trees: number;
  /** The GBDT's hyperparameters as fitted (after --tune); categoricalFeatures are column indices. */
  readonly hyperparameters: ResolvedGbdtOptions;
  readonly residualOver: BaseMargin["kind"];
  readonly testX: RowMatrix;
  readonly model: TreeEnsemble;
  readonly margin: BaseMargin;
}

export interface TrainResult {
  readonly bundle: ModelBundle;
  readonly stages: readonly StageResult[];
  readonly join: JoinReport;
  readonly split: SplitKind;
  readonly droppedRows: number;
  readonly target: { readonly column: string; readonly transform: TargetTransform };
  readonly spec: FeatureSpec;
}

const DEFAULT_TARGET = "views_7d";
const WINDOW_OF: Record<Stage, "1h" | "6h" | null> = { upload: null, "1h": "1h", "6h": "6h" };
const FLAG_OF: Record<Stage, number> = { upload: 0, "1h": INPUT_FLAGS.engagement_1h, "6h": INPUT_FLAGS.engagement_6h };

function fingerprint(table: Table, join: JoinResult, y: Float64Array): { rows: number; sha256: string } {
  const hash = createHash("sha256");
  hash.update(table.source.split("/").pop() ?? "");
  for (const id of join.ids) hash.update(id);
  hash.update(Buffer.from(y.buffer, y.byteOffset, y.byteLength));
  hash.update(Buffer.from(join.embeddings.data.buffer, join.embeddings.data.byteOffset, join.embeddings.data.byteLength));
  return { rows: join.ids.length, sha256: hash.digest("hex") };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

function channelMedians(table: Table, join: JoinResult, views: Float64Array, rows: ArrayLike<number>): Record<string, number> {
  const column = table.byName.get("channel_id");
  if (column === undefined) return {};
  const byChannel = new Map<string, number[]>();
  for (let k = 0; k < rows.length; k++) {
    const i = rows[k] ?? 0;
    const tableRow = join.tableRows[i] ?? 0;
    const raw = cellAt(column, tableRow);
    if (raw === null) continue;
    const v = views[i] ?? Number.NaN;
    if (!Number.isFinite(v)) continue;
    const key = String(raw);
    const list = byChannel.get(key) ?? [];
    list.push(v);
    byChannel.set(key, list);
  }
  const out: Record<string, number> = {};
  for (const [channel, list] of [...byChannel.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) out[channel] = median(list);
  return out;
}

/** Rows of `rows` whose assembled inputs include the stage's window. */
function eligible(rows: Uint32Array, flags: Uint8Array, flag: number): Uint32Array {
  if (flag === 0) return rows;
  return rows.filter((i) => ((flags[i] ?? 0) & flag) !== 0);
}

function asGbdtMatrix(x: RowMatrix): { data: Float32Array; nRows: number; nCols: number; layout: "row-major" } {
  return { data: x.data, nRows: x.rows, nCols: x.width, layout: "row-major" };
}

function marginsOf(margin: BaseMargin, viewsAt: number, x: RowMatrix): Float64Array {
  const out = new Float64Array(x.rows);
  for (let r = 0; r < x.rows; r++) out[r] = baseMarginOf(margin, viewsAt, x.data, r * x.width);
  return out;
}

async function fitStageTrees(
  x: RowMatrix,
  y: Float64Array,
  margin: BaseMargin,
  viewsAt: number,
  options: GbdtOptions,
): Promise<TreeEnsemble> {
  const fit = await fitGbdt(asGbdtMatrix(x), y, options, { baseMargin: marginsOf(margin, viewsAt, x) });
  return fit.model;
}

function predictWith(model: TreeEnsemble, margin: BaseMargin, viewsAt: number, x: RowMatrix): Float64Array {
  return predictTrees(model, asGbdtMatrix(x), marginsOf(margin, viewsAt, x));
}

/** A small time-ordered search: fit on the older 80% of train rows, pick by MAE on the newer 20%. */
async function tune(
  x: RowMatrix,
  y: Float64Array,
  margin: BaseMargin,
  viewsAt: number,
  base: GbdtOptions,
): Promise<GbdtOptions> {
  const cut = Math.floor(x.rows * 0.8);
  if (cut < 100 || x.rows - cut < 50) return base;
  const older = Uint32Array.from({ length: cut }, (_, i) => i);
  const newer = Uint32Array.from({ length: x.rows - cut }, (_, i) => cut + i);
  const xa = takeRows(x, older);
  const xb = takeRows(x, newer);
  const ya = takeValues(y, older);
  const yb = takeValues(y, newer);
  let best = { options: base, mae: Number.POSITIVE_INFINITY };
  for (const learningRate of [0.05, 0.1]) {
    for (const minSamplesLeaf of [20, 40]) {
      const options = { ...base, learningRate, minSamplesLeaf };
      const model = await fitStageTrees(xa, ya, margin, viewsAt, options);
      const mae = regressionMetrics(yb, predictWith(model, margin, viewsAt, xb)).mae;
      if (mae < best.mae) best = { options, mae };
    }
  }
  return best.options;
}

async function fitBaselines(
  szaboHuberman: Baseline | null,
  rawTest: RowMatrix,
  ridge: { train: RowMatrix; test: RowMatrix },
  yTrain: Float64Array,
  yTest: Float64Array,
  cart: CartOffThread,
): Promise<BaselineResult[]> {
  const out: BaselineResult[] = [];
  const add = (baseline: Baseline, x: RowMatrix): void => {
    out.push({ name: baseline.name, kind: baseline.kind, metrics: regressionMetrics(yTest, baseline.predict(x)) });
  };
  add(fitMean(yTrain), rawTest);
  add(fitRidge(ridge.train, yTrain), ridge.test);
  out.push({ name: cart.name, kind: cart.kind, metrics: regressionMetrics(yTest, await cart.predictions) });
  if (szaboHuberman !== null) add(szaboHuberman, rawTest);
  return out;
}

/** The columns of a stage's GBDT matrix that hold category codes (the embedding's columns come first). */
function categoricalColumns(spec: FeatureSpec, stage: Stage): number[] {
  const columns: number[] = [];
  for (const [i, feature] of featuresOfStage(spec, stage).entries()) if (feature.kind === "categorical") columns.push(spec.embeddingDim + i);
  return columns;
}

function gbdtOptionsOf(options: TrainOptions): GbdtOptions {
  return { randomState: options.seed ?? 0, ...options.gbdt };
}

/** Refuses bad hyperparameters before any file is read (each error names its option). */
function checkOptions(options: TrainOptions): void {
  const categorical: unknown = options.categorical ?? "codes";
  if (categorical !== "codes" && categorical !== "native") {
    throw new ViralityError("VIR_CONFIG_INVALID", `categorical must be "codes" or "native", got ${String(categorical)}`, { details: { key: "categorical" } });
  }
  const gbdt: unknown = options.gbdt ?? {};
  if (typeof gbdt === "object" && gbdt !== null && "categoricalFeatures" in gbdt) {
    throw new ViralityError(
      "VIR_CONFIG_INVALID",
      'gbdt option categoricalFeatures is set by the trainer from the feature spec: use categorical: "native" (--categorical native), and column overrides to choose which columns are categorical',
      { details: { key: "categoricalFeatures" } },
    );
  }
  resolveGbdtOptions(gbdtOptionsOf(options));
}

/** Category-set splits need a bin per code: each category and the unknown code. */
function checkCategoryCounts(spec: FeatureSpec, stages: readonly Stage[], options: TrainOptions): void {
  const maxBins = resolveGbdtOptions(gbdtOptionsOf(options)).maxBins;
  const trained = new Set(stages.flatMap((stage) => featuresOfStage(spec, stage)));
  for (const feature of spec.features) {
    if (feature.kind !== "categorical" || !trained.has(feature)) continue;
    const codes = feature.categories.length + 1;
    if (codes > maxBins) {
      throw new ViralityError(
        "VIR_CONFIG_INVALID",
        `categorical column ${feature.name} has ${codes} codes (${feature.categories.length} categories and "unknown"), more than maxBins (--max-bins ${maxBins}) allows with category-set splits: raise --max-bins to ${codes}, keep fewer of its categories, or use --categorical codes`,
        { details: { field: feature.name, key: "maxBins" } },
      );
    }
  }
}

async function trainStage(
  stage: Stage,
  spec: FeatureSpec,
  table: Table,
  join: JoinResult,
  y: Float64Array,
  split: Split,
  options: TrainOptions,
): Promise<{ result: StageResult; model: StageModel }> {
  const progress = (step: string, fraction: number): void => options.onProgress?.({ stage, step, fraction });
  progress("assembling features", 0);
  const all: AssembledMatrix = assembleJoined(spec, stage, table, join);
  const allRidge: AssembledMatrix = assembleJoined(spec, stage, table, join, { variant: "ridge" });
  const flag = FLAG_OF[stage];
  const trainRows = eligible(split.train, all.inputs, flag);
  const calRows = eligible(split.calibration, all.inputs, flag);
  const testRows = eligible(split.test, all.inputs, flag);
  const level = options.intervalLevel ?? 0.9;
  if (trainRows.length < 40 || testRows.length < 10 || calRows.length < Math.ceil(1 / (1 - level))) {
    throw new ViralityError(
      "VIR_TRAIN_INVALID",
      `stage ${stage}: too few rows with its inputs (train ${trainRows.length}, calibration ${calRows.length}, test ${testRows.length}); ` +
        `need ≥ 40 train, ≥ 10 test and ≥ ${Math.ceil(1 / (1 - level))} calibration rows — add data or skip the stage with --stages`,
      { details: { stage } },
    );
  }
  const matrix: RowMatrix = { data: all.data, rows: all.rows, width: all.width };
  const ridgeMatrix: RowMatrix = { data: allRidge.data, rows: allRidge.rows, width: allRidge.width };
  const xTrain = takeRows(matrix, trainRows);
  const xCal = takeRows(matrix, calRows);
  const xTest = takeRows(matrix, testRows);
  const yTrain = takeValues(y, trainRows);
  const yCal = takeValues(y, calRows);
  const yTest = takeValues(y, testRows);

  // Szabo–Huberman: a baseline of the 1h/6h stages and, on a log1p target, the trees' base margin
  const window = WINDOW_OF[stage];
  const viewsAt = window === null ? -1 : viewsIndex(spec, stage, window);
  const sh = window !== null && viewsAt >= 0 ? fitSzaboHuberman(xTrain, yTrain, { viewsColumn: viewsAt }) : null;
  const margin: BaseMargin =
    sh !== null && window !== null && (options.transform ?? "log1p") === "log1p"
      ? { kind: "szabo-huberman", window, r: sh.r, fallback: sh.fallback }
      : { kind: "none" };

  let gbdtOptions: GbdtOptions = { ...gbdtOptionsOf(options), categoricalFeatures: options.categorical === "native" ? categoricalColumns(spec, stage) : [] };
  if (options.tune === true && window !== null) {
    progress("tuning", 0.1);
    gbdtOptions = await tune(xTrain, yTrain, margin, viewsAt, gbdtOptions);
  }
  progress("fitting trees", 0.2);
  const model = await fitStageTrees(xTrain, yTrain, margin, viewsAt, gbdtOptions);
  // The CART baseline fits on a worker thread while this one calibrates and measures importance:
  // ml-cart takes seconds a stage on one core, and beside the GBDT fit's two threads it would slow them.
  const cart = cartOffThread(xTrain, yTrain, xTest, { seed: options.seed ?? 0 });

  progress("calibrating intervals", 0.6);
  const alpha = 1 - level;
  const calScores = absoluteResiduals(yCal, predictWith(model, margin, viewsAt, xCal));
  const quantile = conformalQuantile(calScores, alpha);
  const predicted = predictWith(model, margin, viewsAt, xTest);
  const metrics = regressionMetrics(yTest, predicted);
  const coverage = intervalCoverage(yTest, predicted, quantile);
  const calibration = calibrationCurve(calScores, yTest, predicted);

  progress("permutation importance", 0.7);
  const names = featureNames(spec, stage);
  const importance = permutationImportance(xTest, yTest, (x) => predictWith(model, margin, viewsAt, x), {
    // the same predictions, walking again only the trees that split on the permuted columns
    repredict: (x) => {
      const cached = new CachedTreePredictions(model, asGbdtMatrix(x));
      return (columns) => cached.predict(columns, marginsOf(margin, viewsAt, x));
    },
    nRepeats: options.importanceRepeats ?? 5,
    seed: options.seed ?? 0,
    names,
    groups: importanceGroups(spec, stage),
  });
  progress("baselines", 0.9);
  const baselines = await fitBaselines(
    sh,
    xTest,
    { train: takeRows(ridgeMatrix, trainRows), test: takeRows(ridgeMatrix, testRows) },
    yTrain,
    yTest,
    cart,
  );
  const bestBaseline = baselines.reduce((a, b) => (b.metrics.mae < a.metrics.mae ? b : a));

  progress("done", 1);

  const stageModel: StageModel = {
    stage,
    trees: model,
    baseMargin: margin,
    conformal: { level, quantile, nCalibration: calRows.length },
    metrics: {
      nTrain: trainRows.length,
      nTest: testRows.length,
      mae: metrics.mae,
      r2: metrics.r2,
      spearman: metrics.spearman,
      baselineMae: bestBaseline.metrics.mae,
      baselineName: bestBaseline.name,
      coverage: coverage.coverage,
    },
  };
  const result: StageResult = {
    stage,
    nTrain: trainRows.length,
    nCalibration: calRows.length,
    nTest: testRows.length,
    metrics,
    baselines,
    bestBaseline,
    beatsBaseline: metrics.mae < bestBaseline.metrics.mae,
    coverage: { level, quantile, coverage: coverage.coverage, meanWidth: coverage.meanWidth },
    calibration,
    importance,
    featureNames: names,
    actual: yTest,
    predicted,
    trees: model.treeRoots.length,
    hyperparameters: resolveGbdtOptions(gbdtOptions),
    residualOver: margin.kind,
    testX: xTest,
    model,
    margin,
  };
  return { result, model: stageModel };
}

export async function train(options: TrainOptions): Promise<TrainResult> {
  checkOptions(options);
  const progress = (step: string): void => options.onProgress?.({ stage: null, step, fraction: 0 });
  progress(`reading ${options.fused}`);
  const fused = await readFused(options.fused);
  progress(`reading ${options.features}`);
  const table = await readTable(options.features);
  const fullJoin = joinWithEmbeddings(table, fused);
  const targetColumn = options.target ?? DEFAULT_TARGET;
  const transform = options.transform ?? "log1p";
  if (!table.byName.has(targetColumn)) {
    throw new ViralityError(
      "VIR_TRAIN_INVALID",
      `${options.features} has no target column "${targetColumn}"; name it with --target (columns: ${[...table.byName.keys()].slice(0, 20).join(", ")})`,
      { details: { file: options.features, field: targetColumn } },
    );
  }
  // rows without a label cannot be learned from or scored against
  const rawViews = joinedNumbers(table, fullJoin, targetColumn);
  const keep: number[] = [];
  for (let i = 0; i < rawViews.length; i++) if (Number.isFinite(rawViews[i])) keep.push(i);
  const join = keep.length === rawViews.length ? fullJoin : restrictJoin(fullJoin, keep);
  const views = joinedNumbers(table, join, targetColumn);
  const y = Float64Array.from(views, (v) => toTarget(transform, v));

  const hasTime = table.byName.has("uploaded_at");
  const splitKind: SplitKind = options.split ?? (hasTime ? "time" : "random");
  const splitOptions = { testFraction: options.testFraction ?? 0.2, calibrationFraction: options.calibrationFraction ?? 0.2 };
  const uploadTimes = splitKind === "time" ? joinedUploadTimes(table, join) : null;
  const split = uploadTimes !== null ? timeSplit(uploadTimes, splitOptions) : randomSplit(join.ids.length, { ...splitOptions, seed: options.seed ?? 0 });

  progress("building the feature spec");
  const { spec } = buildSpec(table, join, { target: targetColumn, trainRows: split.train, ...(options.overrides ? { overrides: options.overrides } : {}) });

  const stages = options.stages ?? STAGES;
  if (options.categorical === "native") checkCategoryCounts(spec, stages, options);
  const results: StageResult[] = [];
  const models: Partial<Record<Stage, StageModel>> = {};
  for (const stage of stages) {
    const { result, model } = await trainStage(stage, spec, table, join, y, split, options);
    results.push(result);
    models[stage] = model;
  }
  const bundle = sealBundle({
    type: BUNDLE_TYPE,
    formatVersion: BUNDLE_FORMAT_VERSION,
    createdAt: new Date().toISOString(),
    target: { column: targetColumn, transform },
    spec,
    stages: models,
    channelMedians: channelMedians(table, join, views, split.train),
    fingerprint: fingerprint(table, join, y),
    heldOut: heldOutOf(split, join.ids, uploadTimes),
  });
  return {
    bundle,
    stages: results,
    join: fullJoin.report,
    split: splitKind,
    droppedRows: rawViews.length - keep.length,
    target: { column: targetColumn, transform },
    spec,
  };
}

/** The join restricted to some of its rows (those with a label); the embedding matrix is shared. */
function restrictJoin(join: JoinResult, keep: readonly number[]): JoinResult {
  return {
    ...join,
    tableRows: Int32Array.from(keep, (i) => join.tableRows[i] ?? 0),
    embeddingRows: Int32Array.from(keep, (i) => join.embeddingRows[i] ?? 0),
    ids: keep.map((i) => join.ids[i] ?? ""),
  };
}
