/**
 * The event streams of a world, as the scorer would receive them, with realistic disorder:
 *  - uploads carry the embedding for a share of videos; the others get a separate VideoEmbedding,
 *    produced either before publication (delivered before the upload) or minutes after it;
 *  - snapshots are delivered seconds after they are observed; a share is delivered twice (same
 *    event_id and values, up to 10 min apart); for a share of videos the 1h snapshot arrives after the
 *    6h one, or the upload event arrives after the 1h snapshot (late snapshots are made in ./world.ts);
 *  - the 7-day outcome is delivered seconds after day 7.
 * eventsInOrder sorts the deliveries by delivery time (ties keep generation order).
 */
import type { EngagementSnapshot, EngagementWindow, VideoUploaded } from "../contracts/generated/events.js";
import type { DisorderOptions } from "./options.js";
import type { Random } from "./random.js";
import type { Snapshot, TopicEvent, World, WorldVideo } from "./types.js";

const SECOND_MS = 1000;
const MINUTE_MS = 60 * SECOND_MS;
export const OUTCOME_HORIZON = "7d";
/** The outcome is observed this long after upload (168 h). */
export const OUTCOME_AGE_MS = 7 * 24 * 60 * MINUTE_MS;

export interface EmbeddingModel {
  readonly model: string;
  readonly version: string;
}

/** What arrives on which topic, and when, for every video of a world. */
export function deliveries(
  videos: readonly WorldVideo[],
  embeddingModel: EmbeddingModel,
  disorder: DisorderOptions,
  random: Random,
): TopicEvent[] {
  const events: TopicEvent[] = [];
  for (const video of videos) {
    const key = video.videoId;
    const embeddingInUpload = random.bernoulli(disorder.embeddingInUpload);
    const embeddingFirst = random.bernoulli(disorder.embeddingBeforeUpload);
    const oneHourLast = random.bernoulli(disorder.sixHourBeforeOneHour);
    const uploadLate = random.bernoulli(disorder.engagementBeforeUpload);

    let uploadAt = video.uploadedAt + Math.round(random.exponential(3 * SECOND_MS));
    const at6h = video.h6.observedAt + Math.round(random.exponential(2 * SECOND_MS));
    let at1h = video.h1.observedAt + Math.round(random.exponential(2 * SECOND_MS));
    if (oneHourLast) at1h = Math.max(at1h, at6h) + Math.round(random.uniform(SECOND_MS, 30 * MINUTE_MS));
    if (uploadLate) uploadAt = at1h + Math.round(random.uniform(SECOND_MS, 20 * MINUTE_MS));

    events.push({ topic: "uploads", key, value: uploadEvent(video, embeddingInUpload ? embeddingModel : null), at: uploadAt });
    if (!embeddingInUpload) {
      const producedAt = embeddingFirst
        ? video.uploadedAt - Math.round(random.uniform(5 * SECOND_MS, 5 * MINUTE_MS))
        : video.uploadedAt + Math.round(random.logNormal(90 * SECOND_MS, 0.8));
      const delivered = producedAt + Math.round(random.exponential(SECOND_MS));
      const at = embeddingFirst ? Math.min(delivered, uploadAt - 1) : Math.max(delivered, uploadAt + 1);
      const value = {
        video_id: key,
        model: embeddingModel.model,
        model_version: embeddingModel.version,
        produced_at: producedAt,
        values: Array.from(video.embedding),
      };
      events.push({ topic: "embeddings", key, value, at });
    }
    for (const [window, snapshot, at] of [
      ["H1", video.h1, at1h],
      ["H6", video.h6, at6h],
    ] as const) {
      const value = snapshotEvent(video.videoId, window, snapshot);
      events.push({ topic: "engagement", key, value, at });
      if (random.bernoulli(disorder.duplicateSnapshot)) {
        events.push({ topic: "engagement", key, value, at: at + Math.round(random.uniform(SECOND_MS, 10 * MINUTE_MS)) });
      }
    }
    const observedAt = video.uploadedAt + OUTCOME_AGE_MS;
    const outcome = video.outcome;
    events.push({
      topic: "outcomes",
      key,
      value: {
        video_id: key,
        horizon: OUTCOME_HORIZON,
        observed_at: observedAt,
        views: outcome.views,
        likes: outcome.likes ?? 0,
        comments: outcome.comments ?? 0,
        shares: outcome.shares ?? 0,
      },
      at: observedAt + Math.round(random.exponential(5 * SECOND_MS)),
    });
  }
  return events;
}

/** The upload event of a video; the embedding inside it when `embeddingModel` is given. */
export function uploadEvent(video: WorldVideo, embeddingModel: EmbeddingModel | null): VideoUploaded {
  return {
    video_id: video.videoId,
    channel_id: video.channelId,
    uploaded_at: video.uploadedAt,
    duration_seconds: video.durationSeconds ?? 0,
    language: video.language,
    captions: video.captions,
    cluster_id: video.clusterId,
    numeric_extras: { ...video.numericExtras },
    categorical_extras: { ...video.categoricalExtras },
    embedding:
      embeddingModel === null
        ? null
        : { model: embeddingModel.model, model_version: embeddingModel.version, values: Array.from(video.embedding) },
  };
}

/** A snapshot event; counts the source does not know are sent as 0 (the contract requires them). */
export function snapshotEvent(videoId: string, window: EngagementWindow, snapshot: Snapshot): EngagementSnapshot {
  return {
    event_id: `${videoId}:${window}`,
    video_id: videoId,
    window,
    observed_at: snapshot.observedAt,
    views: snapshot.views,
    likes: snapshot.likes ?? 0,
    comments: snapshot.comments ?? 0,
    shares: snapshot.shares ?? 0,
    retention: snapshot.retention,
    watch_time_seconds: null,
  };
}

/** Every delivery of a world, sorted by delivery time; ties keep generation order. */
export function eventsInOrder(world: World): TopicEvent[] {
  return world.events
    .map((event, index) => ({ event, index }))
    .sort((a, b) => a.event.at - b.event.at || a.index - b.index)
    .map(({ event }) => event);
}
