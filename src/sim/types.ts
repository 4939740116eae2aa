/**
 * A world: videos as the real inputs describe them (upload metadata, embedding, engagement snapshots,
 * the 7-day outcome) plus the event streams that carry them, each event with its delivery time.
 * Made by simulateWorld (./world.ts) or importSeismic (./seismic.ts); written by writeWorld.
 */
import type { EngagementSnapshot, VideoEmbedding, VideoOutcome, VideoUploaded } from "../contracts/generated/events.js";

export const TOPICS = ["uploads", "embeddings", "engagement", "outcomes"] as const;
export type Topic = (typeof TOPICS)[number];

interface Delivery<T extends Topic, V> {
  readonly topic: T;
  /** The Kafka key: the video_id. */
  readonly key: string;
  readonly value: V;
  /** Delivery time (event time at which the message reaches its topic), epoch ms. */
  readonly at: number;
}

export type TopicEvent =
  | Delivery<"uploads", VideoUploaded>
  | Delivery<"embeddings", VideoEmbedding>
  | Delivery<"engagement", EngagementSnapshot>
  | Delivery<"outcomes", VideoOutcome>;

/** Cumulative counts; null where the source does not know them (the table leaves them empty). */
export interface Counts {
  readonly views: number;
  readonly likes: number | null;
  readonly comments: number | null;
  readonly shares: number | null;
}

export interface Snapshot extends Counts {
  /** Epoch ms; may lie past the window's cutoff (a late snapshot). */
  readonly observedAt: number;
  /** Mean fraction watched, 0..1; null when unknown or nothing was watched yet. */
  readonly retention: number | null;
}

export interface WorldVideo {
  readonly videoId: string;
  readonly channelId: string;
  /** Epoch ms. */
  readonly uploadedAt: number;
  readonly durationSeconds: number | null;
  readonly language: string | null;
  readonly captions: boolean | null;
  readonly clusterId: string | null;
  readonly numericExtras: Readonly<Record<string, number>>;
  readonly categoricalExtras: Readonly<Record<string, string>>;
  /** The fused embedding (float32, world.dim values). */
  readonly embedding: Float32Array;
  readonly h1: Snapshot;
  readonly h6: Snapshot;
  /** Realized counts 7 days (168 h) after upload: the label. */
  readonly outcome: Counts;
  /** Hidden truth of the simulation (null for imported data): the content quality latent. */
  readonly quality: number | null;
}

export interface WorldChannel {
  readonly channelId: string;
  readonly followers: number;
  readonly language: string | null;
}

export interface World {
  /** What the world is, for reports: "simulated (seed 42)" or "SEISMIC sample, 101 cascades". */
  readonly description: string;
  readonly dim: number;
  readonly embeddingModel: { readonly model: string; readonly version: string };
  readonly channels: readonly WorldChannel[];
  readonly videos: readonly WorldVideo[];
  /** Every delivery, disorder included, in generation order (see eventsInOrder for delivery order). */
  readonly events: readonly TopicEvent[];
}
