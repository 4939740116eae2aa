/**
 * What a backtest is given and what it reports. The report is plain JSON data (no NaN, no Map, no
 * undefined): `null` stands for "not defined on these videos", so JSON.parse(JSON.stringify(report))
 * equals the report.
 */
import type { Stage, UpsideAlert, VideoOutcome, VideoScore } from "../contracts/generated/events.js";
import type { HeldOut } from "../model/bundle.js";

export type { Stage };

/** Scoring stages in the order signals arrive. */
export const BACKTEST_STAGES = ["UPLOAD", "H1", "H6"] as const satisfies readonly Stage[];

/** The engagement window a Szabo–Huberman prediction starts from. */
export type EarlyWindow = "1h" | "6h";

/** The window whose views the Szabo–Huberman comparison of a stage uses. */
export const STAGE_WINDOW = { H1: "1h", H6: "6h" } as const satisfies Partial<Record<Stage, EarlyWindow>>;

/** Views of a video at the 1h / 6h snapshot the scorer used. */
export type EarlyViews = Readonly<Partial<Record<EarlyWindow, number>>>;

/** Szabo–Huberman log growth r per window: ŷ = log1p(views_t) + r. */
export type SzaboHubermanGrowth = Readonly<Partial<Record<EarlyWindow, number>>>;

export interface BacktestInput {
  /** Every score record published; a video is rescored as signals arrive (the last one per stage counts). */
  readonly scores: readonly VideoScore[];
  /** Realized outcomes; only `horizon` counts (default "7d"), the last one per video. */
  readonly outcomes: readonly VideoOutcome[];
  /** Every alert published. */
  readonly alerts: readonly UpsideAlert[];
  /** predicted_target is log1p(views). */
  readonly targetTransform: "log1p";
  /** The model version evaluated; scores and alerts of other versions are left out and counted. */
  readonly modelVersion: string;
  /** Outcome horizon evaluated; default "7d". */
  readonly horizon?: string;
  /** Per video, the early views the Szabo–Huberman comparison starts from. */
  readonly earlyViews?: ReadonlyMap<string, EarlyViews>;
  /** Szabo–Huberman r per window (from the bundle / training); a window without r is not compared. */
  readonly shGrowth?: SzaboHubermanGrowth;
  /**
   * The videos the model did not see in training or calibration (the bundle's heldOut): only their
   * records are evaluated. Absent: the bundle does not say, and every video is evaluated in-sample.
   */
  readonly heldOut?: HeldOut;
  /** Per video, its upload time (epoch ms), to place it against an "uploadedFrom" held-out set. */
  readonly uploadedAt?: ReadonlyMap<string, number>;
}

export const BACKTEST_REPORT_TYPE = "virality-backtest";
/** 2: the report says which videos it evaluates (`evaluation`), and evaluates only held-out ones when it can. */
export const BACKTEST_REPORT_VERSION = 2;

export interface BacktestReport {
  readonly type: typeof BACKTEST_REPORT_TYPE;
  readonly formatVersion: typeof BACKTEST_REPORT_VERSION;
  readonly modelVersion: string;
  readonly targetTransform: "log1p";
  readonly horizon: string;
  /** Which videos the rest of the report is about: held out, or (for an old bundle) all of them. */
  readonly evaluation: EvaluationReport;
  readonly coverage: CoverageReport;
  /** UPLOAD, H1, H6 in this order, always all three. */
  readonly stages: readonly StageReport[];
  readonly ranking: RankingReport;
  readonly alerts: AlertReport;
  readonly scatter: ScatterSample;
}

/** The bundle's held-out record without its ids; `rows`: the training table's test rows it covers. */
export type HeldOutRecord =
  | { readonly kind: "uploadedFrom"; readonly at: number; readonly rows: number }
  | { readonly kind: "videos"; readonly rows: number };

/**
 * The videos evaluated, out of every video named by a score (of any version), an outcome (of any
 * horizon) or an alert. "held-out": only those the bundle records as unseen in training and
 * calibration; videosHeldOut + videosInSampleSkipped + videosWithoutUploadTime = all videos.
 * "in-sample": every video, because the bundle does not record which it did not see, so the figures
 * include the training rows and flatter the model.
 */
export type EvaluationReport =
  | {
      readonly basis: "held-out";
      readonly heldOut: HeldOutRecord;
      readonly videosHeldOut: number;
      /**
       * Videos the model was trained or calibrated on: left out. With a "videos" record, any video not
       * listed, so also one that was not in the training table at all (the bundle cannot tell).
       */
      readonly videosInSampleSkipped: number;
      /** Videos an "uploadedFrom" record cannot place, having no upload record: left out. */
      readonly videosWithoutUploadTime: number;
      /** One sentence for people, shown by the summary and the HTML. */
      readonly note: string;
    }
  | {
      readonly basis: "in-sample";
      readonly heldOut: null;
      readonly videosHeldOut: null;
      readonly videosInSampleSkipped: 0;
      readonly videosWithoutUploadTime: 0;
      readonly note: string;
    };

/** Counts of the evaluated videos' records (with a held-out set, those of the skipped videos are not counted). */
export interface CoverageReport {
  /** Score records given, of any model version. */
  readonly scoreRecords: number;
  readonly scoreRecordsOtherVersion: number;
  /** Records replaced by a later score of the same video and stage. */
  readonly scoreRecordsSuperseded: number;
  /** Other model versions seen in scores or alerts, sorted. */
  readonly otherModelVersions: readonly string[];
  readonly outcomeRecords: number;
  readonly outcomeRecordsOtherHorizon: number;
  /** Outcome records replaced by a later one of the same video. */
  readonly outcomeRecordsSuperseded: number;
  /** Videos with at least one score of the model version. */
  readonly videosScored: number;
  /** Videos with an outcome at the horizon. */
  readonly videosWithOutcome: number;
  /** Videos scored and with an outcome: those the metrics are about. */
  readonly videosEvaluated: number;
  readonly outcomesWithoutScore: number;
  /** Up to SAMPLE_IDS ids, smallest first. */
  readonly outcomesWithoutScoreIds: readonly string[];
  readonly scoresWithoutOutcome: number;
  readonly scoresWithoutOutcomeIds: readonly string[];
}

export interface StageReport {
  readonly stage: Stage;
  /** Videos whose last score at this stage has an outcome. */
  readonly n: number;
  /** null when n = 0. */
  readonly metrics: StageMetrics | null;
  /** On the stage before (H1 on UPLOAD, H6 on H1); null for UPLOAD or without common videos. */
  readonly improvement: StageImprovement | null;
  /** null for UPLOAD, without r for the window, or without videos that have early views. */
  readonly szaboHuberman: SzaboHubermanComparison | null;
}

/** Metrics in log1p space (y = log1p(views), ŷ = predicted_target). */
export interface StageMetrics {
  readonly mae: number;
  readonly rmse: number;
  readonly r2: number;
  /** null when the outcome or the prediction is constant. */
  readonly spearman: number | null;
  /** exp(MAE): a typical prediction is within this factor of the realized views. */
  readonly maeFactor: number;
  /** Share of outcomes with interval_low ≤ views ≤ interval_high. */
  readonly intervalCoverage: number;
  /** Mean of log1p(interval_high) − log1p(interval_low). */
  readonly meanIntervalWidthLog: number;
  /** The scores' nominal interval level; null when they differ. */
  readonly nominalLevel: number | null;
}

export interface StageImprovement {
  readonly previous: Stage;
  /** Videos with an outcome scored at both stages. */
  readonly n: number;
  readonly maePrevious: number;
  readonly mae: number;
  /** maePrevious − mae: positive when this stage is better. */
  readonly maeReduction: number;
  /** 100 · reduction / maePrevious; null when maePrevious = 0. */
  readonly maeReductionPct: number | null;
}

export interface SzaboHubermanComparison {
  readonly window: EarlyWindow;
  readonly r: number;
  /** Videos of the stage with early views at the window. */
  readonly n: number;
  /** Videos of the stage left out because their early views are missing. */
  readonly nWithoutViews: number;
  readonly maeModel: number;
  readonly maeSzaboHuberman: number;
  /** 100 · (maeSzaboHuberman − maeModel) / maeSzaboHuberman: positive when the model beats it; null when SH is exact. */
  readonly modelGainPct: number | null;
}

/**
 * Ranking by the predicted views of each video's final score (its highest stage). The true top p%
 * are the videos with an outcome whose views reach the ⌈p·N⌉-th largest views (ties all included),
 * N = videos with an outcome, scored or not.
 */
export interface RankingReport {
  readonly videosWithOutcome: number;
  /** Scored videos with an outcome: those that can be ranked. */
  readonly ranked: number;
  readonly top1: TopShare | null;
  readonly top10: TopShare | null;
  /** k = 10, 50, 100 and ⌈1% of N⌉, those ≤ ranked, ascending, without repeats. */
  readonly precisionAtK: readonly PrecisionAtK[];
}

export interface TopShare {
  /** Views a video must reach to be in the top share. */
  readonly threshold: number;
  readonly size: number;
}

export interface PrecisionAtK {
  /** "10", "50", "100" or "1%". */
  readonly label: string;
  readonly k: number;
  /** |top-k predicted ∩ true top 1%| / k. */
  readonly precisionTop1: number;
  /** |top-k predicted ∩ true top 10%| / k. */
  readonly precisionTop10: number;
}

export interface AlertReport {
  /** Alert records of the model version. */
  readonly records: number;
  readonly recordsOtherVersion: number;
  /** Distinct videos with at least one alert. */
  readonly videosAlerted: number;
  readonly videosAlertedWithoutOutcome: number;
  /** Share of alerted videos (with an outcome) in the true top 10%; null without such videos. */
  readonly precisionTop10: number | null;
  /** Share of alerted videos (with an outcome) in the true top 1%. */
  readonly precisionTop1: number | null;
  /** Share of the true top 1% that got at least one alert; null when there is no outcome. */
  readonly recallTop1: number | null;
  readonly recallTop10: number | null;
  /** Per stage of each video's first alert (UPLOAD, H1, H6). */
  readonly byFirstStage: readonly AlertGroup[];
  /** Per rule: a video counts under every rule that fired for it. Sorted by rule. */
  readonly byRule: readonly AlertGroup[];
}

export interface AlertGroup {
  readonly key: string;
  readonly videos: number;
  readonly withOutcome: number;
  readonly inTop1: number;
  readonly inTop10: number;
  /** inTop10 / withOutcome; null when withOutcome = 0. */
  readonly precisionTop10: number | null;
}

/** Predicted vs realized log1p(views) at the last stage with videos; a deterministic sample. */
export interface ScatterSample {
  readonly stage: Stage | null;
  /** Videos of the stage before sampling. */
  readonly total: number;
  /** Sorted by video id. */
  readonly points: readonly ScatterPoint[];
}

export interface ScatterPoint {
  readonly videoId: string;
  readonly actual: number;
  readonly predicted: number;
}
