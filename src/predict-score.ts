/**
 * predictScore(videoId, extraFeatures): the library's inference call. The embedding comes from a
 * fused.pt (already read) or from the Redis feature store; extra features are merged through the
 * feature spec (upload fields by name, `<metric>_1h` / `<metric>_6h` as engagement, anything else as
 * an upload-stage extra). Returns the prediction at the highest stage the inputs allow.
 */
import { ViralityError } from "./errors.js";
import type { EngagementSnapshot, ExtraValue, UploadRecord, VideoRecords } from "./features/records.js";
import type { EngagementWindow, Stage } from "./features/stages.js";
import type { FusedEmbeddings } from "./io/fused.js";
import type { ModelBundle } from "./model/bundle.js";
import { Predictor } from "./model/predictor.js";
import type { VideoStore } from "./store/video-store.js";

export interface ScoreResult {
  readonly videoId: string;
  readonly stage: Stage;
  readonly modelVersion: string;
  readonly predictedTarget: number;
  readonly predictedViews: number;
  readonly interval: { readonly low: number; readonly high: number; readonly level: number };
}

export interface ScoreSources {
  readonly bundle: ModelBundle;
  readonly fused?: FusedEmbeddings;
  readonly store?: VideoStore;
}

const UPLOAD_FIELDS = new Set(["channel_id", "duration_seconds", "language", "captions", "cluster_id", "uploaded_at"]);
const WINDOW_MS: Record<EngagementWindow, number> = { "1h": 3_600_000, "6h": 21_600_000 };

function embeddingFromFused(fused: FusedEmbeddings, videoId: string): Float32Array | null {
  const row = fused.ids.indexOf(videoId);
  return row < 0 ? null : fused.data.slice(row * fused.dim, (row + 1) * fused.dim);
}

function timeOf(value: ExtraValue | undefined): number | null {
  if (typeof value === "number") return value < 1e11 ? value * 1000 : value;
  if (typeof value === "string") {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? null : ms;
  }
  return null;
}

function merge(videoId: string, base: VideoRecords, extra: Readonly<Record<string, ExtraValue>>): VideoRecords {
  const upload: Record<string, ExtraValue> = {};
  const extras: Record<string, ExtraValue> = { ...(base.upload?.extras ?? {}) };
  const windows: Record<EngagementWindow, Record<string, number | null>> = { "1h": {}, "6h": {} };
  for (const [key, value] of Object.entries(extra)) {
    const m = /^(.+)_(1h|6h)$/.exec(key);
    if (UPLOAD_FIELDS.has(key)) upload[key] = value;
    else if (m?.[1] !== undefined && (m[2] === "1h" || m[2] === "6h")) windows[m[2]][m[1]] = typeof value === "number" ? value : value === null ? null : Number(value);
    else extras[key] = value;
  }
  const uploadedAt = timeOf(upload["uploaded_at"]) ?? base.upload?.uploaded_at ?? null;
  if (uploadedAt === null) {
    throw new ViralityError("VIR_VIDEO_NOT_FOUND", `video ${videoId} has no upload record: pass uploaded_at (and its metadata) in extraFeatures`, {
      details: { videoId, field: "uploaded_at" },
    });
  }
  const channel = upload["channel_id"];
  const duration = upload["duration_seconds"];
  const record: UploadRecord = {
    video_id: videoId,
    channel_id: typeof channel === "string" || typeof channel === "number" ? channel : (base.upload?.channel_id ?? null),
    uploaded_at: uploadedAt,
    duration_seconds: typeof duration === "string" || typeof duration === "number" ? duration : (base.upload?.duration_seconds ?? null),
    language: upload["language"] ?? base.upload?.language ?? null,
    captions: upload["captions"] ?? base.upload?.captions ?? null,
    cluster_id: upload["cluster_id"] ?? base.upload?.cluster_id ?? null,
    extras,
  };
  const engagement: EngagementSnapshot[] = base.engagement.filter((s) => Object.keys(windows[s.window]).length === 0);
  for (const window of ["1h", "6h"] as const) {
    const w = windows[window];
    if (Object.keys(w).length === 0) continue;
    const { observed_at, views, likes, comments, shares, retention, watch_time_seconds } = w;
    engagement.push({
      window,
      observed_at: observed_at ?? uploadedAt + WINDOW_MS[window],
      views: views ?? null,
      likes: likes ?? null,
      comments: comments ?? null,
      shares: shares ?? null,
      retention: retention ?? null,
      watch_time_seconds: watch_time_seconds ?? null,
    });
  }
  return { upload: record, embedding: base.embedding ?? null, engagement };
}

export async function predictScore(videoId: string, extraFeatures: Readonly<Record<string, ExtraValue>>, sources: ScoreSources): Promise<ScoreResult> {
  let base: VideoRecords = { engagement: [] };
  if (sources.store !== undefined) {
    const stored = (await sources.store.read([videoId])).get(videoId);
    if (stored !== undefined) base = stored.records;
  }
  const embedding = base.embedding ?? (sources.fused === undefined ? null : embeddingFromFused(sources.fused, videoId));
  if (embedding === null) {
    throw new ViralityError(
      "VIR_VIDEO_NOT_FOUND",
      `no embedding for video ${videoId} in ${sources.fused !== undefined ? "the fused.pt given" : ""}${sources.fused !== undefined && sources.store !== undefined ? " or " : ""}${sources.store !== undefined ? "the Redis store" : ""}`,
      { details: { videoId } },
    );
  }
  const predictor = new Predictor(sources.bundle);
  const p = predictor.predict(merge(videoId, { ...base, embedding }, extraFeatures));
  if (p === null) {
    throw new ViralityError("VIR_FEATURE_INVALID", `video ${videoId} cannot be scored: the upload stage needs its upload record and embedding`, {
      details: { videoId },
    });
  }
  return {
    videoId,
    stage: p.stage,
    modelVersion: p.modelVersion,
    predictedTarget: p.predictedTarget,
    predictedViews: p.predictedViews,
    interval: { low: p.low, high: p.high, level: p.level },
  };
}
