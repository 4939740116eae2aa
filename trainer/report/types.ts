/**
 * The training report: every number of report.json, and what report.html renders. Plain data (no
 * typed arrays, no NaN: an undefined value is null), so JSON.parse(JSON.stringify(report)) equals it.
 */
import type { Stage } from "../../src/features/stages.js";
import type { TargetSpec } from "../../src/model/bundle.js";
import type { SplitKind } from "../eval/splits.js";
import type { ResolvedGbdtOptions } from "../gbdt/options.js";

export const REPORT_TYPE = "virality.training-report";
export const REPORT_VERSION = 1;

export interface MetricSet {
  readonly n: number;
  readonly mae: number;
  readonly rmse: number;
  readonly r2: number;
  /** null when the target or the prediction is constant. */
  readonly spearman: number | null;
  /** exp(MAE), the typical error as a factor of views; null unless the target is log1p. */
  readonly maeFactor: number | null;
}

/** The stage model or one of its baselines, scored on the test rows. */
export interface ScoredPredictor {
  readonly name: string;
  /** "model", or a baseline kind ("mean", "ridge", "cart", "szabo-huberman"). */
  readonly kind: string;
  readonly metrics: MetricSet;
}

/** Whether the model beats its best baseline, by test MAE. */
export interface BaselineVerdict {
  readonly bestBaseline: string | null;
  readonly bestBaselineMae: number | null;
  /** null when no baseline was evaluated. */
  readonly beatsBestBaseline: boolean | null;
  /** (model MAE − best baseline MAE) / best baseline MAE; negative is better. */
  readonly relativeMaeChange: number | null;
  /** One plain sentence, e.g. "The model does NOT beat its best baseline …". */
  readonly text: string;
}

/** Test rows (a seeded sample of at most 2,000) for the predicted-vs-actual plot. */
export interface PredictionSample {
  readonly actual: readonly number[];
  readonly predicted: readonly number[];
  /** Test rows the sample was drawn from. */
  readonly total: number;
}

export interface HistogramData {
  /** bins + 1 increasing edges. */
  readonly edges: readonly number[];
  readonly counts: readonly number[];
}

/** Residuals actual − predicted over all test rows. */
export interface ResidualSummary {
  readonly mean: number;
  readonly std: number;
  readonly histogram: HistogramData;
}

export interface CalibrationPointData {
  readonly nominal: number;
  readonly empirical: number;
  readonly quantile: number;
}

export interface ConformalSummary {
  readonly alpha: number;
  /** Nominal coverage 1 − α. */
  readonly level: number;
  readonly quantile: number;
  readonly calibrationRows: number;
  /** Empirical coverage on the test rows. */
  readonly coverage: number;
  readonly meanWidth: number;
  /** Test coverage at several nominal levels, each with the quantile of the calibration scores. */
  readonly curve: readonly CalibrationPointData[];
}

export interface ImportanceBar {
  readonly name: string;
  readonly mean: number;
  readonly std: number;
  readonly drops: readonly number[];
}

export interface ImportanceSummary {
  readonly scoring: "r2" | "neg_mae";
  readonly baselineScore: number;
  readonly rows: number;
  readonly nRepeats: number;
  readonly seed: number;
  readonly groups: readonly ImportanceBar[];
  /** Every evaluated column, largest mean drop first. */
  readonly columns: readonly ImportanceBar[];
}

export interface SurrogateSummary {
  readonly maxDepth: number;
  readonly rows: number;
  readonly fidelityR2: number;
  readonly rules: readonly string[];
}

/** The GBDT's hyperparameters as fitted (GbdtOptions documents each), with the categorical columns by name. */
export interface GbdtSettings extends Omit<ResolvedGbdtOptions, "categoricalFeatures"> {
  /** Columns split as category sets; empty when the categorical columns reach the trees as codes. */
  readonly categoricalColumns: readonly string[];
}

export interface StageCounts {
  readonly train: number;
  readonly calibration: number;
  readonly test: number;
}

export interface StageReport {
  readonly stage: Stage;
  readonly counts: StageCounts;
  readonly model: ScoredPredictor;
  /** null for a model that is not the histogram GBDT. */
  readonly hyperparameters: GbdtSettings | null;
  readonly baselines: readonly ScoredPredictor[];
  readonly verdict: BaselineVerdict;
  readonly points: PredictionSample;
  readonly residuals: ResidualSummary;
  readonly conformal: ConformalSummary | null;
  readonly importance: ImportanceSummary | null;
  readonly surrogate: SurrogateSummary | null;
  readonly notes: readonly string[];
}

export interface SplitSummary {
  readonly kind: SplitKind;
  /** The random split's seed; null for a time split. */
  readonly seed: number | null;
  readonly testFraction: number;
  readonly calibrationFraction: number;
}

export interface TrainingReport {
  readonly type: typeof REPORT_TYPE;
  readonly version: typeof REPORT_VERSION;
  readonly modelVersion: string;
  /** ISO 8601. */
  readonly createdAt: string;
  readonly target: TargetSpec;
  readonly split: SplitSummary;
  readonly dataFingerprint: { readonly rows: number; readonly sha256: string };
  readonly stages: readonly StageReport[];
  readonly notes: readonly string[];
}
