/**
 * The Redis feature store: one hash per video under a `{video_id}` hash tag (Redis Cluster safe).
 *
 *   u, u:t        the upload record (JSON) and its event time (uploaded_at, ms)
 *   emb, emb:t    the embedding as float32 little-endian bytes and its event time
 *   e:1h, e:1h:t  the 1-hour engagement snapshot (JSON) and its observed_at (ms); likewise e:6h
 *   s             the last published score's signature (written after Kafka acknowledged it)
 *   a:<stage>:<model_version>   set once when an alert was published (at most one alert each)
 *
 * Every input write goes through one Lua script that compares event times atomically: a write lands
 * only when its event time is newer than what is stored, so an older or duplicate event is a no-op and
 * the final state does not depend on delivery order. Writes are pipelined per batch.
 */
import { isRecord } from "../json-guards.js";
import { ViralityError } from "../errors.js";
import type { EngagementSnapshot, UploadRecord, VideoRecords } from "../features/records.js";
import type { EngagementWindow } from "../features/stages.js";
import { scanKeys, type RedisClient } from "./redis.js";

const GUARDED_WRITE = `
local changed = 0
for i = 1, #ARGV, 3 do
  local field = ARGV[i]
  local t = tonumber(ARGV[i + 1])
  local current = redis.call('HGET', KEYS[1], field .. ':t')
  if (not current) or tonumber(current) < t then
    redis.call('HSET', KEYS[1], field, ARGV[i + 2], field .. ':t', ARGV[i + 1])
    changed = 1
  end
end
return changed
`;

/** One guarded field write: the field, its event time (ms) and its value. */
export interface FieldWrite {
  readonly field: string;
  readonly eventTime: number;
  readonly value: string | Buffer;
}

export type StoreWrite =
  | { readonly kind: "upload"; readonly record: UploadRecord }
  | { readonly kind: "embedding"; readonly eventTime: number; readonly values: Float32Array }
  | { readonly kind: "engagement"; readonly snapshot: EngagementSnapshot };

/** What the store holds for one video, as assembly wants it, plus bookkeeping. */
export interface StoredVideo {
  readonly videoId: string;
  readonly records: VideoRecords;
  /** Newest event time among the stored inputs. */
  readonly newestEventTime: number;
  /** Event times of the stored inputs, in a fixed order: the score's input signature. */
  readonly inputTimes: string;
  readonly lastScore: string | null;
  readonly alerts: ReadonlySet<string>;
}


function fieldsOf(write: StoreWrite): FieldWrite[] {
  switch (write.kind) {
    case "upload":
      return [{ field: "u", eventTime: write.record.uploaded_at, value: JSON.stringify(write.record) }];
    case "embedding":
      return [
        {
          field: "emb",
          eventTime: write.eventTime,
          value: Buffer.from(write.values.buffer, write.values.byteOffset, write.values.byteLength),
        },
      ];
    case "engagement":
      return [{ field: `e:${write.snapshot.window}`, eventTime: write.snapshot.observed_at, value: JSON.stringify(write.snapshot) }];
  }
}

function parseUpload(text: string, videoId: string): UploadRecord {
  const value: unknown = JSON.parse(text);
  if (!isRecord(value) || typeof value["video_id"] !== "string" || typeof value["uploaded_at"] !== "number") {
    throw new ViralityError("VIR_FEATURE_INVALID", `stored upload of video ${videoId} is malformed`, { details: { videoId } });
  }
  const channel = value["channel_id"];
  const duration = value["duration_seconds"];
  const extras = value["extras"];
  return {
    video_id: value["video_id"],
    channel_id: typeof channel === "string" || typeof channel === "number" ? channel : null,
    uploaded_at: value["uploaded_at"],
    duration_seconds: typeof duration === "number" || typeof duration === "string" ? duration : null,
    language: scalar(value["language"]),
    captions: scalar(value["captions"]),
    cluster_id: scalar(value["cluster_id"]),
    extras: isRecord(extras) ? Object.fromEntries(Object.entries(extras).map(([k, v]) => [k, scalar(v)])) : null,
  };
}

function scalar(value: unknown): string | number | boolean | null {
  return typeof value === "string" || typeof value === "number" || typeof value === "boolean" ? value : null;
}

function numOrNull(value: unknown): number | null {
  return typeof value === "number" ? value : null;
}

function parseSnapshot(text: string, window: EngagementWindow, videoId: string): EngagementSnapshot {
  const value: unknown = JSON.parse(text);
  if (!isRecord(value) || typeof value["observed_at"] !== "number") {
    throw new ViralityError("VIR_FEATURE_INVALID", `stored ${window} snapshot of video ${videoId} is malformed`, { details: { videoId } });
  }
  return {
    window,
    observed_at: value["observed_at"],
    views: numOrNull(value["views"]),
    likes: numOrNull(value["likes"]),
    comments: numOrNull(value["comments"]),
    shares: numOrNull(value["shares"]),
    retention: numOrNull(value["retention"]),
    watch_time_seconds: numOrNull(value["watch_time_seconds"]),
  };
}

const INPUT_FIELDS = ["u", "emb", "e:1h", "e:6h"] as const;
const INPUT_TIME_FIELDS = INPUT_FIELDS.map((f) => `${f}:t`);

export class VideoStore {
  readonly #redis: RedisClient;
  readonly #prefix: string;

  constructor(redis: RedisClient, keyPrefix: string) {
    this.#redis = redis;
    this.#prefix = keyPrefix;
  }

  keyOf(videoId: string): string {
    return `${this.#prefix}:v:{${videoId}}`;
  }

  /**
   * Applies the writes (guarded by event time) in one pipeline; returns, per video, whether any of
   * its inputs changed.
   */
  async write(writes: ReadonlyArray<{ readonly videoId: string; readonly write: StoreWrite }>): Promise<Map<string, boolean>> {
    const byVideo = new Map<string, FieldWrite[]>();
    for (const { videoId, write } of writes) {
      const list = byVideo.get(videoId) ?? [];
      list.push(...fieldsOf(write));
      byVideo.set(videoId, list);
    }
    const changed = new Map<string, boolean>();
    if (byVideo.size === 0) return changed;
    // Concurrent commands are pipelined by ioredis' auto-pipelining (per node on a Redis Cluster, where
    // one explicit pipeline may not span masters). EVAL, not EVALSHA: after a restart or on another
    // master the script cache may be empty; Redis caches the compiled script either way.
    const results = await Promise.all(
      [...byVideo].map(async ([videoId, fields]): Promise<[Error | null, unknown]> => {
        const args: Array<string | Buffer> = [];
        for (const f of fields) args.push(f.field, String(f.eventTime), f.value);
        try {
          return [null, await this.#redis.eval(GUARDED_WRITE, 1, this.keyOf(videoId), ...args)];
        } catch (error) {
          return [error instanceof Error ? error : new Error(String(error)), null];
        }
      }),
    );
    let i = 0;
    for (const videoId of byVideo.keys()) {
      const [error, value] = results[i++] ?? [new Error("missing pipeline result"), null];
      if (error !== null) throw new ViralityError("VIR_REDIS_UNAVAILABLE", `guarded write for ${videoId} failed: ${error.message}`, { cause: error });
      changed.set(videoId, value === 1);
    }
    return changed;
  }

  /** Reads the videos' hashes in one pipeline. */
  async read(videoIds: readonly string[]): Promise<Map<string, StoredVideo>> {
    const out = new Map<string, StoredVideo>();
    if (videoIds.length === 0) return out;
    const results = await Promise.all(
      videoIds.map(async (id): Promise<[Error | null, unknown]> => {
        try {
          return [null, await this.#redis.hgetallBuffer(this.keyOf(id))];
        } catch (error) {
          return [error instanceof Error ? error : new Error(String(error)), null];
        }
      }),
    );
    videoIds.forEach((videoId, i) => {
      const [error, value] = results[i] ?? [new Error("missing pipeline result"), null];
      if (error !== null) throw new ViralityError("VIR_REDIS_UNAVAILABLE", `reading ${videoId} failed: ${error.message}`, { cause: error });
      if (!isRecord(value)) return;
      const hash = new Map<string, Buffer>();
      for (const [k, v] of Object.entries(value)) if (Buffer.isBuffer(v)) hash.set(k, v);
      out.set(videoId, this.#decode(videoId, hash));
    });
    return out;
  }

  /** The input times of the videos (the part of a score's signature that inputs change), cheaply. */
  async inputTimes(videoIds: readonly string[]): Promise<Map<string, string>> {
    const rows = await Promise.all(videoIds.map((id) => this.#redis.hmget(this.keyOf(id), ...INPUT_TIME_FIELDS)));
    return new Map(videoIds.map((id, i) => [id, (rows[i] ?? []).map((t) => String(Number(t ?? "0"))).join(",")]));
  }

  #decode(videoId: string, hash: ReadonlyMap<string, Buffer>): StoredVideo {
    const text = (field: string): string | undefined => hash.get(field)?.toString("utf8");
    const time = (field: string): number => Number(text(`${field}:t`) ?? "0");
    const uploadText = text("u");
    const upload = uploadText === undefined ? null : parseUpload(uploadText, videoId);
    const embBytes = hash.get("emb");
    let embedding: Float32Array | null = null;
    if (embBytes !== undefined) {
      const copy = new Uint8Array(embBytes.length);
      copy.set(embBytes);
      embedding = new Float32Array(copy.buffer, 0, Math.floor(copy.length / 4));
    }
    const engagement: EngagementSnapshot[] = [];
    for (const window of ["1h", "6h"] as const) {
      const snapshot = text(`e:${window}`);
      if (snapshot !== undefined) engagement.push(parseSnapshot(snapshot, window, videoId));
    }
    const times = INPUT_FIELDS.map(time);
    const alerts = new Set<string>();
    for (const key of hash.keys()) if (key.startsWith("a:")) alerts.add(key.slice(2));
    return {
      videoId,
      records: { upload, embedding, engagement },
      newestEventTime: Math.max(...times),
      inputTimes: times.join(","),
      lastScore: text("s") ?? null,
      alerts,
    };
  }

  /** Records what was published (after Kafka acknowledged it), in one pipeline. */
  async markPublished(
    entries: ReadonlyArray<{ readonly videoId: string; readonly signature: string; readonly alertKey?: string | undefined }>,
  ): Promise<void> {
    if (entries.length === 0) return;
    try {
      await Promise.all(
        entries.flatMap((entry) => [
          this.#redis.hset(this.keyOf(entry.videoId), "s", entry.signature),
          ...(entry.alertKey === undefined ? [] : [this.#redis.hsetnx(this.keyOf(entry.videoId), `a:${entry.alertKey}`, "1")]),
        ]),
      );
    } catch (error) {
      throw new ViralityError("VIR_REDIS_UNAVAILABLE", `marking scores published failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }

  /** Every stored video id (SCAN; for --rescore-all). */
  async *videoIds(): AsyncGenerator<string[]> {
    for await (const keys of scanKeys(this.#redis, `${this.#prefix}:v:{*}`)) {
      yield keys.map((k) => k.slice(k.indexOf("{") + 1, k.lastIndexOf("}")));
    }
  }

}
