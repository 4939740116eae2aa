/**
 * Builds the report's plain data from a stage's arrays and fitted results: metrics of the model and
 * its baselines, the verdict against the best baseline, a point sample, the residual histogram, and
 * the conformal, importance and surrogate summaries.
 */
import type { Stage } from "../../src/features/stages.js";
import type { TargetSpec, TargetTransform } from "../../src/model/bundle.js";
import type { SurrogateTree } from "../baselines/surrogate.js";
import { calibrationCurve, conformalQuantile, intervalCoverage, DEFAULT_ALPHA } from "../eval/conformal.js";
import { formatMetric } from "../../src/report/format.js";
import type { ImportanceEntry, PermutationImportance } from "../eval/importance.js";
import { regressionMetrics, type RegressionMetrics } from "../eval/metrics.js";
import { Rng } from "../gbdt/rng.js";
import {
  REPORT_TYPE,
  REPORT_VERSION,
  type BaselineVerdict,
  type ConformalSummary,
  type GbdtSettings,
  type HistogramData,
  type ImportanceBar,
  type ImportanceSummary,
  type MetricSet,
  type PredictionSample,
  type ResidualSummary,
  type ScoredPredictor,
  type SplitSummary,
  type StageCounts,
  type StageReport,
  type SurrogateSummary,
  type TrainingReport,
} from "./types.js";

export const MAX_POINTS = 2000;

export interface BaselineScore {
  readonly name: string;
  readonly kind: string;
  readonly metrics: RegressionMetrics;
}

export interface StageReportInput {
  readonly stage: Stage;
  readonly counts: StageCounts;
  readonly transform: TargetTransform;
  /** Target of the test rows. */
  readonly actual: Float64Array;
  /** The model's prediction of the test rows. */
  readonly predicted: Float64Array;
  /** default "GBDT" */
  readonly modelName?: string;
  /** The GBDT's hyperparameters; default null (not recorded). */
  readonly hyperparameters?: GbdtSettings | null;
  /** Baselines scored on the same test rows. */
  readonly baselines: readonly BaselineScore[];
  readonly conformal: ConformalSummary | null;
  readonly importance: PermutationImportance | null;
  readonly surrogate: SurrogateTree | null;
  readonly notes?: readonly string[];
  /** Seeds the point sample; default 0. */
  readonly seed?: number;
}

export interface TrainingReportInput {
  readonly modelVersion: string;
  /** default now */
  readonly createdAt?: string;
  readonly target: TargetSpec;
  readonly split: SplitSummary;
  readonly dataFingerprint: { readonly rows: number; readonly sha256: string };
  readonly stages: readonly StageReport[];
  readonly notes?: readonly string[];
}

export function buildTrainingReport(input: TrainingReportInput): TrainingReport {
  return {
    type: REPORT_TYPE,
    version: REPORT_VERSION,
    modelVersion: input.modelVersion,
    createdAt: input.createdAt ?? new Date().toISOString(),
    target: { column: input.target.column, transform: input.target.transform },
    split: { ...input.split },
    dataFingerprint: { rows: input.dataFingerprint.rows, sha256: input.dataFingerprint.sha256 },
    stages: [...input.stages],
    notes: [...(input.notes ?? [])],
  };
}

export function buildStageReport(input: StageReportInput): StageReport {
  const model: ScoredPredictor = {
    name: input.modelName ?? "GBDT",
    kind: "model",
    metrics: metricSet(regressionMetrics(input.actual, input.predicted), input.transform),
  };
  const baselines = input.baselines.map((b) => ({
    name: b.name,
    kind: b.kind,
    metrics: metricSet(b.metrics, input.transform),
  }));
  return {
    stage: input.stage,
    counts: { ...input.counts },
    model,
    hyperparameters: input.hyperparameters ? { ...input.hyperparameters, categoricalColumns: [...input.hyperparameters.categoricalColumns] } : null,
    baselines,
    verdict: verdictOf(model, baselines),
    points: pointSample(input.actual, input.predicted, input.seed ?? 0),
    residuals: residualSummary(input.actual, input.predicted),
    conformal: input.conformal,
    importance: input.importance === null ? null : importanceSummary(input.importance),
    surrogate: input.surrogate === null ? null : surrogateSummary(input.surrogate),
    notes: [...(input.notes ?? [])],
  };
}

/** Conformal summary from calibration scores |y − ŷ| and the test rows (quantile, coverage, curve). */
export function summarizeConformal(
  calibrationScores: Float64Array,
  actual: Float64Array,
  predicted: Float64Array,
  alpha: number = DEFAULT_ALPHA,
): ConformalSummary {
  const quantile = conformalQuantile(calibrationScores, alpha);
  const coverage = intervalCoverage(actual, predicted, quantile);
  return {
    alpha,
    level: 1 - alpha,
    quantile,
    calibrationRows: calibrationScores.length,
    coverage: coverage.coverage,
    meanWidth: coverage.meanWidth,
    curve: calibrationCurve(calibrationScores, actual, predicted).map((p) => ({ ...p })),
  };
}

export function metricSet(metrics: RegressionMetrics, transform: TargetTransform): MetricSet {
  return {
    n: metrics.n,
    mae: metrics.mae,
    rmse: metrics.rmse,
    r2: metrics.r2,
    spearman: Number.isFinite(metrics.spearman) ? metrics.spearman : null,
    maeFactor: transform === "log1p" && Number.isFinite(metrics.maeFactor) ? metrics.maeFactor : null,
  };
}

export function verdictOf(model: ScoredPredictor, baselines: readonly ScoredPredictor[]): BaselineVerdict {
  if (baselines.length === 0) {
    return {
      bestBaseline: null,
      bestBaselineMae: null,
      beatsBestBaseline: null,
      relativeMaeChange: null,
      text: "No baseline was evaluated, so nothing says this model is better than a trivial one.",
    };
  }
  const best = baselines.reduce((a, b) => (b.metrics.mae < a.metrics.mae ? b : a));
  const modelMae = model.metrics.mae;
  const bestMae = best.metrics.mae;
  const change = bestMae > 0 ? (modelMae - bestMae) / bestMae : modelMae > 0 ? Number.POSITIVE_INFINITY : 0;
  const beats = modelMae < bestMae;
  const pct = Number.isFinite(change) ? `${Math.abs(change * 100).toFixed(1)}%` : "infinitely";
  const text = beats
    ? `The model beats its best baseline (${best.name}): test MAE ${formatMetric(modelMae)} vs ${formatMetric(bestMae)}, ${pct} lower.`
    : `The model does NOT beat its best baseline (${best.name}): test MAE ${formatMetric(modelMae)} vs ${formatMetric(bestMae)}` +
      (modelMae === bestMae ? ", no better." : `, ${pct} higher.`) +
      " Prefer the baseline for this stage, or find out why before relying on the model.";
  return {
    bestBaseline: best.name,
    bestBaselineMae: bestMae,
    beatsBestBaseline: beats,
    relativeMaeChange: Number.isFinite(change) ? change : null,
    text,
  };
}

export function pointSample(actual: Float64Array, predicted: Float64Array, seed: number, max = MAX_POINTS): PredictionSample {
  const rows = actual.length > max ? new Rng(seed).sampleWithoutReplacement(actual.length, max) : null;
  const pick = (values: Float64Array): number[] => (rows === null ? Array.from(values) : Array.from(rows, (r) => values[r]));
  return { actual: pick(actual), predicted: pick(predicted), total: actual.length };
}

export function residualSummary(actual: Float64Array, predicted: Float64Array): ResidualSummary {
  const residuals = Float64Array.from(actual, (y, i) => y - predicted[i]);
  const n = residuals.length;
  const mean = residuals.reduce((a, b) => a + b, 0) / n;
  const std = Math.sqrt(residuals.reduce((a, r) => a + (r - mean) ** 2, 0) / n);
  return { mean, std, histogram: histogramOf(residuals) };
}

/** Equal-width bins over [min, max]; about √n bins, between 5 and 40. */
export function histogramOf(values: Float64Array): HistogramData {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (values.length === 0) return { edges: [0, 1], counts: [0] };
  if (min === max) return { edges: [min - 0.5, max + 0.5], counts: [values.length] };
  const bins = Math.min(40, Math.max(5, Math.ceil(Math.sqrt(values.length))));
  const width = (max - min) / bins;
  const counts = new Array<number>(bins).fill(0);
  for (const v of values) counts[Math.min(bins - 1, Math.floor((v - min) / width))]++;
  const edges = Array.from({ length: bins + 1 }, (_, i) => (i === bins ? max : min + i * width));
  return { edges, counts };
}

function importanceSummary(importance: PermutationImportance): ImportanceSummary {
  const bar = (entry: ImportanceEntry): ImportanceBar => ({
    name: entry.name,
    mean: entry.mean,
    std: entry.std,
    drops: [...entry.drops],
  });
  return {
    scoring: importance.scoring,
    baselineScore: importance.baselineScore,
    rows: importance.rows,
    nRepeats: importance.nRepeats,
    seed: importance.seed,
    groups: importance.groups.map(bar),
    columns: importance.columns.map(bar).sort((a, b) => b.mean - a.mean),
  };
}

function surrogateSummary(surrogate: SurrogateTree): SurrogateSummary {
  return {
    maxDepth: surrogate.maxDepth,
    rows: surrogate.rows,
    fidelityR2: surrogate.fidelityR2,
    rules: surrogate.rules.map((rule) => rule.text),
  };
}
