/**
 * Alert rules: an UpsideAlert when predicted views exceed a threshold, or when the interval's lower
 * bound exceeds N × the channel's median views (from the training data, in the bundle).
 */
import type { UpsideAlert, VideoScore } from "../contracts/generated/events.js";

export interface AlertRules {
  readonly viewsAbove: number;
  readonly channelMultiple: number;
}

export function evaluateAlert(
  score: VideoScore,
  channelId: string | null,
  channelMedians: Readonly<Record<string, number>>,
  rules: AlertRules,
): UpsideAlert | null {
  const base = {
    video_id: score.video_id,
    channel_id: channelId ?? "",
    stage: score.stage,
    model_version: score.model_version,
    predicted_views: score.predicted_views,
    interval_low: score.interval_low,
    alerted_at: score.scored_at,
  };
  if (score.predicted_views > rules.viewsAbove) {
    return { ...base, rule: `views_above:${rules.viewsAbove}`, threshold: rules.viewsAbove };
  }
  const median = channelId === null ? undefined : channelMedians[channelId];
  if (median !== undefined && median > 0 && score.interval_low > rules.channelMultiple * median) {
    return { ...base, rule: `channel_multiple:${rules.channelMultiple}`, threshold: rules.channelMultiple * median };
  }
  return null;
}
