/**
 * The event stream of the fault suite and what a correct scorer ends with: every video of a run gets an
 * upload (half with the embedding inside, half with it on its own topic), a 1h and a 6h snapshot; some
 * events are sent twice (at-least-once upstream); and the stream is shuffled within windows, so
 * engagement often precedes its upload and 6h its 1h. The expected final score of a video is the
 * bundle's score for all of its inputs, the same that a no-fault run ends with.
 */
import type { VideoScore, VideoUploaded } from "../../src/contracts/generated/events.js";
import type { OutgoingEvent } from "../../src/ingest/event-producer.js";
import type { ModelBundle } from "../../src/model/bundle.js";
import { Predictor } from "../../src/model/predictor.js";
import type { World } from "../../src/sim/types.js";
import { finalTarget, snapshotOf, uploadOf, type PublishedScore } from "../support/scoring.js";

export interface FaultStream {
  readonly events: OutgoingEvent[];
  readonly videoIds: string[];
  /** Per video, the bundle's predicted target for its final inputs (stage 6h). */
  readonly expected: Map<string, number>;
  readonly duplicates: number;
}

const WINDOW = 2_000;

export function faultStream(world: World, bundle: ModelBundle, run: string, videos: number, rand: () => number): FaultStream {
  const predictor = new Predictor(bundle);
  const events: OutgoingEvent[] = [];
  const videoIds: string[] = [];
  const expected = new Map<string, number>();
  let duplicates = 0;
  for (let i = 0; i < videos; i++) {
    const id = `${run}-v${i}`;
    videoIds.push(id);
    const full: VideoUploaded = uploadOf(world, i % world.videos.length, id);
    const separate = i % 2 === 1;
    const upload: VideoUploaded = separate ? { ...full, embedding: null } : full;
    const h1 = snapshotOf(full, "H1", 100 + ((i * 37) % 900), `${id}-1h`, (i * 13) % 600_000);
    const h6 = snapshotOf(full, "H6", 1_000 + ((i * 91) % 9_000), `${id}-6h`, (i * 7) % 900_000);
    events.push({ topic: "uploads", key: id, value: upload }, { topic: "engagement", key: id, value: h1 }, { topic: "engagement", key: id, value: h6 });
    if (separate) {
      events.push({
        topic: "embeddings",
        key: id,
        value: { video_id: id, model: "fused", model_version: "1", produced_at: full.uploaded_at + 1_000, values: full.embedding?.values ?? [] },
      });
    }
    if (i % 10 === 0) {
      events.push({ topic: "uploads", key: id, value: upload }, { topic: "engagement", key: id, value: h6 });
      duplicates += 2;
    }
    expected.set(id, finalTarget(predictor, full, h1, h6));
  }
  // reorder within windows: a video's events stay close in the stream but in any order
  for (let start = 0; start < events.length; start += WINDOW) {
    const end = Math.min(events.length, start + WINDOW);
    for (let i = end - 1; i > start; i--) {
      const j = start + Math.floor(rand() * (i - start + 1));
      const a = events[i];
      const b = events[j];
      if (a !== undefined && b !== undefined) {
        events[i] = b;
        events[j] = a;
      }
    }
  }
  return { events, videoIds, expected, duplicates };
}

/**
 * Each video's last published score (highest offset of its partition: a watcher that re-reads after a
 * broker restart sees some records twice, so arrival order is not enough), kept up to date
 * incrementally from the harness's growing list.
 */
export class LatestScores {
  readonly #latest = new Map<string, PublishedScore>();
  #seen = 0;

  update(scores: readonly PublishedScore[]): Map<string, PublishedScore> {
    for (; this.#seen < scores.length; this.#seen++) {
      const s = scores[this.#seen];
      if (s === undefined) continue;
      const previous = this.#latest.get(s.score.video_id);
      if (previous === undefined || BigInt(previous.offset) < BigInt(s.offset)) this.#latest.set(s.score.video_id, s);
    }
    return this.#latest;
  }
}

/** A score without what legitimately differs between two runs: when it was made and the run's video id. */
export function comparable(score: VideoScore): Omit<VideoScore, "scored_at" | "video_id"> {
  const { scored_at: _at, video_id: _id, ...rest } = score;
  return rest;
}
