/**
 * The evaluation of a backtest: the score records a replay published, judged against realized
 * outcomes, on the videos the model did not see when the bundle records them (evaluation-set.ts),
 * else on every video, saying so. Pure: no Kafka, no Redis, no clock. The same records in any order
 * give the same report (every row set is put in video-id order before a sum or a rank), so replaying
 * the same topics twice gives identical reports.
 */
import type { Stage, VideoScore } from "../contracts/generated/events.js";
import { ViralityError } from "../errors.js";
import { evaluationSet } from "./evaluation-set.js";
import { latestOutcomes, latestScores, type LatestOutcomes, type LatestScores } from "./latest.js";
import { sortedIds } from "./order.js";
import { alertReport, rankByPrediction, rankingReport, trueTop } from "./ranking.js";
import { SCATTER_LIMIT, sampleById } from "./sample.js";
import {
  logOfViews,
  stageImprovement,
  stageMetrics,
  szaboHubermanComparison,
  withOutcomes,
  type ScoredOutcome,
} from "./stage-metrics.js";
import {
  BACKTEST_REPORT_TYPE,
  BACKTEST_REPORT_VERSION,
  BACKTEST_STAGES,
  STAGE_WINDOW,
  type BacktestInput,
  type BacktestReport,
  type CoverageReport,
  type ScatterSample,
  type StageReport,
} from "./types.js";

export const DEFAULT_HORIZON = "7d";

/** How many example ids the coverage lists. */
export const SAMPLE_IDS = 10;

export function evaluateBacktest(given: BacktestInput): BacktestReport {
  checkInput(given);
  const { input, evaluation } = evaluationSet(given);
  const horizon = input.horizon ?? DEFAULT_HORIZON;
  const scores = latestScores(input.scores, input.modelVersion);
  const outcomes = latestOutcomes(input.outcomes, horizon);
  const views = new Map(Array.from(outcomes.byVideo, ([videoId, outcome]) => [videoId, outcome.views]));

  const rowsByStage = new Map<Stage, ScoredOutcome[]>();
  const finalScores = new Map<string, VideoScore>();
  for (const stage of BACKTEST_STAGES) {
    const stageScores = scoresAt(scores.byStage, stage);
    rowsByStage.set(stage, withOutcomes(stageScores, views));
    for (const [videoId, score] of stageScores) finalScores.set(videoId, score);
  }

  const stages = BACKTEST_STAGES.map((stage, index): StageReport => {
    const rows = rowsByStage.get(stage) ?? [];
    const previous = index > 0 ? BACKTEST_STAGES[index - 1] : undefined;
    return {
      stage,
      n: rows.length,
      metrics: stageMetrics(rows),
      improvement: previous === undefined ? null : stageImprovement(previous, scoresAt(scores.byStage, previous), rows),
      szaboHuberman: szaboHubermanFor(stage, rows, input),
    };
  });

  const top1 = trueTop(views, 1);
  const top10 = trueTop(views, 10);
  const alertVersions = input.alerts.map((alert) => alert.model_version).filter((version) => version !== input.modelVersion);
  return {
    type: BACKTEST_REPORT_TYPE,
    formatVersion: BACKTEST_REPORT_VERSION,
    modelVersion: input.modelVersion,
    targetTransform: input.targetTransform,
    horizon,
    evaluation,
    coverage: coverageReport(input, scores, outcomes, finalScores, views, alertVersions),
    stages,
    ranking: rankingReport(rankByPrediction(finalScores, views), views, top1, top10),
    alerts: alertReport(input.alerts, input.modelVersion, views, top1, top10),
    scatter: scatterOf(stages, rowsByStage),
  };
}

function checkInput(input: BacktestInput): void {
  if (input.targetTransform !== "log1p") {
    throw new ViralityError("VIR_CONFIG_INVALID", `backtest target transform must be "log1p", got ${String(input.targetTransform)}`, {
      details: { key: "targetTransform" },
    });
  }
  for (const [window, r] of Object.entries(input.shGrowth ?? {})) {
    if (r !== undefined && !Number.isFinite(r)) {
      throw new ViralityError("VIR_CONFIG_INVALID", `Szabo–Huberman r for ${window} is ${r}, not a finite number`, {
        details: { key: `shGrowth.${window}` },
      });
    }
  }
}

function scoresAt(byStage: ReadonlyMap<Stage, ReadonlyMap<string, VideoScore>>, stage: Stage): ReadonlyMap<string, VideoScore> {
  return byStage.get(stage) ?? new Map<string, VideoScore>();
}

function szaboHubermanFor(stage: Stage, rows: readonly ScoredOutcome[], input: BacktestInput): StageReport["szaboHuberman"] {
  if (stage === "UPLOAD") return null;
  const window = STAGE_WINDOW[stage];
  const r = input.shGrowth?.[window];
  if (r === undefined || input.earlyViews === undefined) return null;
  return szaboHubermanComparison(window, r, rows, input.earlyViews);
}

function coverageReport(
  input: BacktestInput,
  scores: LatestScores,
  outcomes: LatestOutcomes,
  finalScores: ReadonlyMap<string, VideoScore>,
  views: ReadonlyMap<string, number>,
  alertVersions: readonly string[],
): CoverageReport {
  const outcomesWithoutScore = sortedIds(Array.from(views.keys()).filter((videoId) => !finalScores.has(videoId)));
  const scoresWithoutOutcome = sortedIds(Array.from(finalScores.keys()).filter((videoId) => !views.has(videoId)));
  return {
    scoreRecords: input.scores.length,
    scoreRecordsOtherVersion: scores.otherVersion,
    scoreRecordsSuperseded: scores.superseded,
    otherModelVersions: sortedIds(new Set([...scores.otherVersions, ...alertVersions])),
    outcomeRecords: input.outcomes.length,
    outcomeRecordsOtherHorizon: outcomes.otherHorizon,
    outcomeRecordsSuperseded: outcomes.superseded,
    videosScored: finalScores.size,
    videosWithOutcome: views.size,
    videosEvaluated: finalScores.size - scoresWithoutOutcome.length,
    outcomesWithoutScore: outcomesWithoutScore.length,
    outcomesWithoutScoreIds: outcomesWithoutScore.slice(0, SAMPLE_IDS),
    scoresWithoutOutcome: scoresWithoutOutcome.length,
    scoresWithoutOutcomeIds: scoresWithoutOutcome.slice(0, SAMPLE_IDS),
  };
}

/** The last stage with videos: the one whose predictions matter most. */
function scatterOf(stages: readonly StageReport[], rowsByStage: ReadonlyMap<Stage, readonly ScoredOutcome[]>): ScatterSample {
  const last = stages.findLast((stage) => stage.n > 0);
  if (last === undefined) return { stage: null, total: 0, points: [] };
  const rows = rowsByStage.get(last.stage) ?? [];
  return {
    stage: last.stage,
    total: rows.length,
    points: sampleById(rows, (row) => row.videoId, SCATTER_LIMIT).map((row) => ({
      videoId: row.videoId,
      actual: logOfViews(row.views),
      predicted: row.score.predicted_target,
    })),
  };
}
