/** One valid record of every contract, for round-trip tests. */
import type { ContractTypes } from "../../src/contracts/generated/events.js";

const t0 = Date.UTC(2026, 10, 1, 12, 0, 0);
const vector = [0.25, -1.5, 3.125, 0, 0.0625];

export const SAMPLES: ContractTypes = {
  "video-uploaded": {
    video_id: "v-001",
    channel_id: "c-42",
    uploaded_at: t0,
    duration_seconds: 31.5,
    language: "en",
    captions: true,
    cluster_id: "17",
    numeric_extras: { hashtags: 3 },
    categorical_extras: { format: "vertical" },
    embedding: { model: "fused", model_version: "2", values: vector },
  },
  "video-embedding": { video_id: "v-001", model: "fused", model_version: "2", produced_at: t0 + 1_000, values: vector },
  "engagement-snapshot": {
    event_id: "e-1",
    video_id: "v-001",
    window: "H1",
    observed_at: t0 + 3_600_000,
    views: 1_234,
    likes: 56,
    comments: 7,
    shares: 8,
    retention: 0.61,
    watch_time_seconds: null,
  },
  "video-outcome": { video_id: "v-001", horizon: "7d", observed_at: t0 + 7 * 86_400_000, views: 98_765, likes: 4_321, comments: 210, shares: 99 },
  "video-score": {
    video_id: "v-001",
    stage: "H1",
    model_version: "m-1",
    target: "log1p(views_7d)",
    predicted_target: 11.2,
    predicted_views: 73_000,
    interval_low: 20_000,
    interval_high: 200_000,
    interval_level: 0.9,
    scored_at: t0 + 3_600_500,
    input_event_time: t0 + 3_600_000,
    inputs_present: ["upload", "embedding", "engagement_1h"],
  },
  "upside-alert": {
    video_id: "v-001",
    channel_id: "c-42",
    stage: "H1",
    model_version: "m-1",
    predicted_views: 730_000,
    interval_low: 200_000,
    rule: "views_above:100000",
    threshold: 100_000,
    alerted_at: t0 + 3_600_500,
  },
};
