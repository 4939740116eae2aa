/** Hand-made score, outcome and alert records for the backtest tests. */
import type { Stage, UpsideAlert, VideoOutcome, VideoScore } from "../../src/contracts/generated/events.js";

export const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);
export const VERSION = "m-7";

export interface ScoreSpec {
  readonly stage?: Stage;
  /** predicted_target, log1p(views). */
  readonly target: number;
  readonly low?: number;
  readonly high?: number;
  readonly at?: number;
  readonly inputAt?: number;
  readonly version?: string;
}

export function score(videoId: string, spec: ScoreSpec): VideoScore {
  const views = Math.expm1(spec.target);
  return {
    video_id: videoId,
    stage: spec.stage ?? "UPLOAD",
    model_version: spec.version ?? VERSION,
    target: "log1p(views_7d)",
    predicted_target: spec.target,
    predicted_views: views,
    interval_low: spec.low ?? 0,
    interval_high: spec.high ?? views * 10,
    interval_level: 0.9,
    scored_at: spec.at ?? T0,
    input_event_time: spec.inputAt ?? spec.at ?? T0,
    inputs_present: ["upload", "embedding"],
  };
}

export function outcome(videoId: string, views: number, options: { at?: number; horizon?: string } = {}): VideoOutcome {
  return {
    video_id: videoId,
    horizon: options.horizon ?? "7d",
    observed_at: options.at ?? T0 + 7 * 86_400_000,
    views,
    likes: 0,
    comments: 0,
    shares: 0,
  };
}

export function alert(videoId: string, options: { stage?: Stage; rule?: string; at?: number; version?: string } = {}): UpsideAlert {
  return {
    video_id: videoId,
    channel_id: "c-1",
    stage: options.stage ?? "UPLOAD",
    model_version: options.version ?? VERSION,
    predicted_views: 100_000,
    interval_low: 10_000,
    rule: options.rule ?? "views_above:100000",
    threshold: 100_000,
    alerted_at: options.at ?? T0,
  };
}

/** A seeded permutation (mulberry32 + Fisher–Yates), so a shuffled test fails the same way every time. */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    const held = out[i];
    const other = out[j];
    if (held === undefined || other === undefined) continue;
    out[i] = other;
    out[j] = held;
  }
  return out;
}
