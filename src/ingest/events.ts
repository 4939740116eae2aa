/**
 * From decoded Avro events to feature-store writes, with the validation that decides what is a dead
 * letter: ids, times and counts out of range, embeddings of the wrong size or with non-finite values.
 */
import type { EngagementSnapshot as EngagementEvent, VideoEmbedding, VideoUploaded } from "../contracts/generated/events.js";
import { ViralityError } from "../errors.js";
import type { StoreWrite } from "../store/video-store.js";

export type InputEvent =
  | { readonly kind: "upload"; readonly event: VideoUploaded }
  | { readonly kind: "embedding"; readonly event: VideoEmbedding }
  | { readonly kind: "engagement"; readonly event: EngagementEvent };

const MAX_ID_LENGTH = 256;
const EARLIEST = Date.UTC(2005, 0, 1);
const FUTURE_SLACK_MS = 24 * 3_600_000;

function invalid(videoId: string, field: string, problem: string): ViralityError {
  return new ViralityError("VIR_EVENT_INVALID", `${field} ${problem} (video ${videoId.slice(0, 64)})`, { details: { field } });
}

function checkId(id: string, field: string): void {
  if (id.length === 0 || id.length > MAX_ID_LENGTH) throw invalid(id, field, `must be 1..${MAX_ID_LENGTH} characters, got ${id.length}`);
}

function checkTime(videoId: string, ms: number, field: string, now: number): void {
  if (!Number.isFinite(ms) || ms < EARLIEST || ms > now + FUTURE_SLACK_MS) {
    throw invalid(videoId, field, `is ${ms}, outside ${new Date(EARLIEST).toISOString()} .. now + 1 day`);
  }
}

function checkCount(videoId: string, value: number | null, field: string): void {
  if (value !== null && (!Number.isFinite(value) || value < 0)) throw invalid(videoId, field, `must be a finite count ≥ 0, got ${value}`);
}

function embeddingOf(videoId: string, values: readonly number[], field: string, dim: number | null): Float32Array {
  if (values.length === 0) throw invalid(videoId, field, "is empty");
  if (dim !== null && values.length !== dim) {
    throw new ViralityError("VIR_FEATURE_INVALID", `${field} has ${values.length} values but the model expects ${dim} (video ${videoId.slice(0, 64)})`, {
      details: { field, expected: dim, actual: values.length },
    });
  }
  const out = Float32Array.from(values);
  for (let i = 0; i < out.length; i++) {
    if (!Number.isFinite(out[i])) throw invalid(videoId, `${field}[${i}]`, "is not finite");
  }
  return out;
}

/**
 * The store writes of one event. `dim` is the current model's embedding dimension (null before a
 * model is loaded). Throws VIR_EVENT_INVALID / VIR_FEATURE_INVALID for a dead letter.
 */
export function writesOf(input: InputEvent, dim: number | null, now: number = Date.now()): StoreWrite[] {
  switch (input.kind) {
    case "upload": {
      const e = input.event;
      checkId(e.video_id, "video_id");
      checkId(e.channel_id, "channel_id");
      checkTime(e.video_id, e.uploaded_at, "uploaded_at", now);
      if (!Number.isFinite(e.duration_seconds) || e.duration_seconds < 0) {
        throw invalid(e.video_id, "duration_seconds", `must be ≥ 0, got ${e.duration_seconds}`);
      }
      const extras: Record<string, number | string> = {};
      for (const [k, v] of Object.entries(e.numeric_extras)) {
        if (!Number.isFinite(v)) throw invalid(e.video_id, `numeric_extras.${k}`, "is not finite");
        extras[k] = v;
      }
      for (const [k, v] of Object.entries(e.categorical_extras)) extras[k] = v;
      const writes: StoreWrite[] = [
        {
          kind: "upload",
          record: {
            video_id: e.video_id,
            channel_id: e.channel_id,
            uploaded_at: e.uploaded_at,
            duration_seconds: e.duration_seconds,
            language: e.language,
            captions: e.captions,
            cluster_id: e.cluster_id,
            extras,
          },
        },
      ];
      if (e.embedding !== null) {
        writes.push({ kind: "embedding", eventTime: e.uploaded_at, values: embeddingOf(e.video_id, e.embedding.values, "embedding.values", dim) });
      }
      return writes;
    }
    case "embedding": {
      const e = input.event;
      checkId(e.video_id, "video_id");
      checkTime(e.video_id, e.produced_at, "produced_at", now);
      return [{ kind: "embedding", eventTime: e.produced_at, values: embeddingOf(e.video_id, e.values, "values", dim) }];
    }
    case "engagement": {
      const e = input.event;
      checkId(e.video_id, "video_id");
      checkTime(e.video_id, e.observed_at, "observed_at", now);
      for (const field of ["views", "likes", "comments", "shares"] as const) checkCount(e.video_id, e[field], field);
      if (e.retention !== null && !(e.retention >= 0 && e.retention <= 1)) throw invalid(e.video_id, "retention", `must be in 0..1, got ${e.retention}`);
      checkCount(e.video_id, e.watch_time_seconds, "watch_time_seconds");
      return [
        {
          kind: "engagement",
          snapshot: {
            window: e.window === "H1" ? "1h" : "6h",
            observed_at: e.observed_at,
            views: e.views,
            likes: e.likes,
            comments: e.comments,
            shares: e.shares,
            retention: e.retention,
            watch_time_seconds: e.watch_time_seconds,
          },
        },
      ];
    }
  }
}
