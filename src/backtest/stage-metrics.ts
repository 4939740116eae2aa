/**
 * Per-stage accuracy in log1p space: the sklearn/scipy metrics of src/model/metrics.ts, interval
 * coverage and width, the gain over the previous stage on the videos scored at both, and the gain
 * over Szabo–Huberman on the videos with early views. Rows are always in video-id order, so sums and
 * ranks do not depend on the order records arrived in.
 */
import type { Stage, VideoScore } from "../contracts/generated/events.js";
import { meanAbsoluteError, meanOf, regressionMetrics } from "../model/metrics.js";
import { compareIds, jsonNumber, ratio } from "./order.js";
import type { EarlyViews, EarlyWindow, StageImprovement, StageMetrics, SzaboHubermanComparison } from "./types.js";

/** One scored video with its realized views. */
export interface ScoredOutcome {
  readonly videoId: string;
  readonly score: VideoScore;
  readonly views: number;
}

/** The videos of `scores` that have an outcome, in id order. */
export function withOutcomes(
  scores: ReadonlyMap<string, VideoScore>,
  views: ReadonlyMap<string, number>,
): ScoredOutcome[] {
  const rows: ScoredOutcome[] = [];
  for (const [videoId, score] of scores) {
    const realized = views.get(videoId);
    if (realized !== undefined) rows.push({ videoId, score, views: realized });
  }
  return rows.sort((a, b) => compareIds(a.videoId, b.videoId));
}

export function stageMetrics(rows: readonly ScoredOutcome[]): StageMetrics | null {
  if (rows.length === 0) return null;
  const y = actuals(rows);
  const yHat = Float64Array.from(rows, (row) => row.score.predicted_target);
  const metrics = regressionMetrics(y, yHat);
  const covered = rows.filter((row) => row.score.interval_low <= row.views && row.views <= row.score.interval_high);
  const widths = rows.map((row) => logOfViews(row.score.interval_high) - logOfViews(row.score.interval_low));
  const levels = new Set(rows.map((row) => row.score.interval_level));
  const [level] = levels;
  return {
    mae: metrics.mae,
    rmse: metrics.rmse,
    r2: metrics.r2,
    spearman: jsonNumber(metrics.spearman),
    maeFactor: metrics.maeFactor,
    intervalCoverage: covered.length / rows.length,
    meanIntervalWidthLog: meanOf(widths),
    nominalLevel: levels.size === 1 && level !== undefined ? level : null,
  };
}

/** MAE of this stage against the previous one on the videos scored at both (and with an outcome). */
export function stageImprovement(
  previous: Stage,
  previousScores: ReadonlyMap<string, VideoScore>,
  rows: readonly ScoredOutcome[],
): StageImprovement | null {
  const both = rows.flatMap((row) => {
    const before = previousScores.get(row.videoId);
    return before === undefined ? [] : [{ row, before }];
  });
  if (both.length === 0) return null;
  const y = Float64Array.from(both, ({ row }) => logOfViews(row.views));
  const maePrevious = meanAbsoluteError(y, Float64Array.from(both, ({ before }) => before.predicted_target));
  const mae = meanAbsoluteError(y, Float64Array.from(both, ({ row }) => row.score.predicted_target));
  const reduction = maePrevious - mae;
  return {
    previous,
    n: both.length,
    maePrevious,
    mae,
    maeReduction: jsonNumber(reduction) ?? 0,
    maeReductionPct: ratio(100 * reduction, maePrevious),
  };
}

/**
 * The model against Szabo–Huberman (ŷ = log1p(views_t) + r) on the stage's videos with usable early
 * views (finite, ≥ 0); null without such videos.
 */
export function szaboHubermanComparison(
  window: EarlyWindow,
  r: number,
  rows: readonly ScoredOutcome[],
  earlyViews: ReadonlyMap<string, EarlyViews>,
): SzaboHubermanComparison | null {
  const usable = rows.flatMap((row) => {
    const early = earlyViews.get(row.videoId)?.[window];
    return early !== undefined && Number.isFinite(early) && early >= 0 ? [{ row, early }] : [];
  });
  if (usable.length === 0) return null;
  const y = Float64Array.from(usable, ({ row }) => logOfViews(row.views));
  const maeModel = meanAbsoluteError(y, Float64Array.from(usable, ({ row }) => row.score.predicted_target));
  const maeSzaboHuberman = meanAbsoluteError(y, Float64Array.from(usable, ({ early }) => Math.log1p(early) + r));
  return {
    window,
    r,
    n: usable.length,
    nWithoutViews: rows.length - usable.length,
    maeModel,
    maeSzaboHuberman,
    modelGainPct: ratio(100 * (maeSzaboHuberman - maeModel), maeSzaboHuberman),
  };
}

/** The target transform: log1p of views (a negative bound counts as 0 views). */
export function logOfViews(views: number): number {
  return Math.log1p(Math.max(0, views));
}

function actuals(rows: readonly ScoredOutcome[]): Float64Array {
  return Float64Array.from(rows, (row) => logOfViews(row.views));
}
