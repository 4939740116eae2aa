/**
 * The records a backtest evaluates: per video and stage the last score, per video the last outcome.
 *  - a score is later by scored_at, then input_event_time (newer inputs), then more inputs present,
 *    and only on a tie of all three by its position in the input (its order on the topic);
 *  - an outcome is later by observed_at, then by more views (counts only grow), so equal-looking
 *    duplicates resolve the same way in any order.
 */
import type { Stage, VideoOutcome, VideoScore } from "../contracts/generated/events.js";
import { ViralityError } from "../errors.js";
import { BACKTEST_STAGES } from "./types.js";

export interface LatestScores {
  /** Per stage, the last score of each video. */
  readonly byStage: ReadonlyMap<Stage, ReadonlyMap<string, VideoScore>>;
  readonly superseded: number;
  readonly otherVersion: number;
  readonly otherVersions: ReadonlySet<string>;
}

export interface LatestOutcomes {
  readonly byVideo: ReadonlyMap<string, VideoOutcome>;
  readonly superseded: number;
  readonly otherHorizon: number;
}

/** Scores of `modelVersion`; per video and stage the last one. */
export function latestScores(scores: readonly VideoScore[], modelVersion: string): LatestScores {
  const byStage = new Map<Stage, Map<string, VideoScore>>(BACKTEST_STAGES.map((stage) => [stage, new Map()]));
  const otherVersions = new Set<string>();
  let otherVersion = 0;
  let superseded = 0;
  scores.forEach((score, position) => {
    if (score.model_version !== modelVersion) {
      otherVersion++;
      otherVersions.add(score.model_version);
      return;
    }
    checkScore(score, position);
    const videos = byStage.get(score.stage);
    if (videos === undefined) {
      throw new ViralityError("VIR_EVENT_INVALID", `score ${position} of ${score.video_id} has unknown stage ${score.stage}`, {
        details: { video_id: score.video_id, position },
      });
    }
    const held = videos.get(score.video_id);
    if (held !== undefined) superseded++;
    if (held === undefined || scoreIsLater(score, held)) videos.set(score.video_id, score);
  });
  return { byStage, superseded, otherVersion, otherVersions };
}

/** Outcomes at `horizon`; per video the last one. */
export function latestOutcomes(outcomes: readonly VideoOutcome[], horizon: string): LatestOutcomes {
  const byVideo = new Map<string, VideoOutcome>();
  let otherHorizon = 0;
  let superseded = 0;
  outcomes.forEach((outcome, position) => {
    if (outcome.horizon !== horizon) {
      otherHorizon++;
      return;
    }
    checkOutcome(outcome, position);
    const held = byVideo.get(outcome.video_id);
    if (held !== undefined) superseded++;
    if (held === undefined || outcomeIsLater(outcome, held)) byVideo.set(outcome.video_id, outcome);
  });
  return { byVideo, superseded, otherHorizon };
}

/** Whether `candidate` (seen later in the input) replaces `held`. */
function scoreIsLater(candidate: VideoScore, held: VideoScore): boolean {
  if (candidate.scored_at !== held.scored_at) return candidate.scored_at > held.scored_at;
  if (candidate.input_event_time !== held.input_event_time) return candidate.input_event_time > held.input_event_time;
  return candidate.inputs_present.length >= held.inputs_present.length;
}

function outcomeIsLater(candidate: VideoOutcome, held: VideoOutcome): boolean {
  if (candidate.observed_at !== held.observed_at) return candidate.observed_at > held.observed_at;
  return candidate.views >= held.views;
}

function checkScore(score: VideoScore, position: number): void {
  const fields = ["predicted_target", "predicted_views", "interval_low", "interval_high"] as const;
  for (const field of fields) {
    if (!Number.isFinite(score[field])) {
      throw new ViralityError("VIR_EVENT_INVALID", `score ${position} of ${score.video_id}: ${field} is ${score[field]}`, {
        details: { video_id: score.video_id, position, field },
      });
    }
  }
  if (score.interval_low > score.interval_high) {
    throw new ViralityError(
      "VIR_EVENT_INVALID",
      `score ${position} of ${score.video_id}: interval_low ${score.interval_low} > interval_high ${score.interval_high}`,
      { details: { video_id: score.video_id, position, field: "interval_low" } },
    );
  }
}

function checkOutcome(outcome: VideoOutcome, position: number): void {
  if (!Number.isFinite(outcome.views) || outcome.views < 0) {
    throw new ViralityError("VIR_EVENT_INVALID", `outcome ${position} of ${outcome.video_id}: views is ${outcome.views}`, {
      details: { video_id: outcome.video_id, position, field: "views" },
    });
  }
}
