/**
 * The Redis feature store: one hash per video under a `{video_id}` hash tag (Redis Cluster safe).
 *
 *   u      the upload record (JSON, without the video_id the key already holds)
 *   emb    the embedding as float32 little-endian bytes
 *   e1, e6 the 1-hour and 6-hour engagement snapshots, each a JSON array (SNAPSHOT_FIELDS order)
 *   t      the event times of u, emb, e1, e6 (ms, comma-separated, 0 = absent): the input signature
 *   s      the last published score's signature (written after Kafka acknowledged it)
 *   a:<stage>:<model_version>   set once when an alert was published (at most one alert each)
 *
 * Every input write goes through one Lua script that compares event times atomically: a write lands
 * only when its event time is newer than what is stored, so an older or duplicate event is a no-op and
 * the final state does not depend on delivery order. A batch's writes go out as a few script calls
 * (256 videos each on a single Redis, one per video on a Cluster), back to back.
 *
 * The layout is compact on purpose: with Redis' `hash-max-listpack-value 4096` (deploy/local) a d = 512
 * video fits a 2.5 kB listpack (bench/scorer-load.ts measures bytes per video).
 */
import { createHash } from "node:crypto";
import { isRecord } from "../json-guards.js";
import { isViralityError, ViralityError } from "../errors.js";
import type { EngagementSnapshot, UploadRecord, VideoRecords } from "../features/records.js";
import type { EngagementWindow } from "../features/stages.js";
import { EmbeddingCache, type HeldEmbedding } from "./embedding-cache.js";
import { RecentlyUsed } from "./recently-used.js";
import { scanKeys, type RedisClient } from "./redis.js";

// One call guards the writes of many videos (KEYS). ARGV: "1" to return each video's fields after its
// writes (else "0"); the number of fields to return and their names (the inputs, the last signature and
// the alert marks the caller may check); then per key: the event time of the embedding the caller
// already holds ("0": none), whose bytes are left out of the reply when it is still the stored one; the
// number of writes; and per write (slot 1..4 in INPUT_FIELDS, event time, field, value). Times are
// 13-digit ms, which Lua prints exactly (%.14g). Per key it returns {changed, values[, embedding]} (or
// {changed} without "1"), or {-1, error} when the key holds something this store did not write
// (another type, or unreadable input times): that key is left alone and the others go on. Reading the
// named fields (HMGET) instead of the whole hash spares Redis copying the 2 kB embedding into Lua for
// every event, a third of the script's time.
const GUARDED_WRITES = `
local read = ARGV[1] == '1'
local fields = {}
for i = 1, tonumber(ARGV[2]) do fields[i] = ARGV[2 + i] end
local function guard(key, held, first, last)
  local stored = redis.pcall('HGET', key, 't')
  if type(stored) == 'table' and stored.err then return {-1, stored.err} end
  local times = {0, 0, 0, 0}
  if stored then
    local i = 1
    for v in string.gmatch(stored, '[^,]+') do
      local n = tonumber(v)
      if n == nil or i > 4 then return {-1, 'ERR the input times (field t) are not 4 numbers: ' .. stored} end
      times[i] = n
      i = i + 1
    end
  end
  local changed = 0
  for i = first, last, 4 do
    local slot = tonumber(ARGV[i])
    local t = tonumber(ARGV[i + 1])
    if times[slot] < t then
      redis.call('HSET', key, ARGV[i + 2], ARGV[i + 3])
      times[slot] = t
      changed = 1
    end
  end
  if changed == 1 then
    local parts = {}
    for i = 1, 4 do parts[i] = string.format('%.0f', times[i]) end
    redis.call('HSET', key, 't', table.concat(parts, ','))
  end
  if not read then return {changed} end
  local values = redis.call('HMGET', key, unpack(fields))
  if held > 0 and times[2] == held then return {changed, values} end
  return {changed, values, redis.call('HGET', key, 'emb')}
end
local out = {}
local a = 3 + #fields
for k = 1, #KEYS do
  local first = a + 2
  local last = first + 4 * tonumber(ARGV[a + 1]) - 1
  out[k] = guard(KEYS[k], tonumber(ARGV[a]), first, last)
  a = last + 1
end
return out
`;
const GUARDED_WRITES_SHA = createHash("sha1").update(GUARDED_WRITES).digest("hex");

// Marks many videos' scores published (KEYS) in one call. ARGV: per key, the signature and the alert
// key ("" for none). Returns each key's input times (field t; nil when the video has none), read in the
// same step: a time that moved on since the score was computed means another batch overtook this one.
// A key of another type fails the call with Redis' own error (WRONGTYPE, the same on every version).
const MARK_PUBLISHED = `
local out = {}
for k = 1, #KEYS do
  local key = KEYS[k]
  local r = redis.pcall('HSET', key, 's', ARGV[2 * k - 1])
  if type(r) == 'table' and r.err then return redis.error_reply(r.err) end
  local alert = ARGV[2 * k]
  if alert ~= '' then redis.call('HSETNX', key, 'a:' .. alert, '1') end
  out[k] = redis.call('HGET', key, 't')
end
return out
`;
const MARK_PUBLISHED_SHA = createHash("sha1").update(MARK_PUBLISHED).digest("hex");
/** Videos per script call on a single Redis: the script blocks Redis while it runs (~2 ms for 256). */
const VIDEOS_PER_CALL = 256;
/** Parsed uploads kept (see ParsedUploads), about half a kilobyte each. */
const PARSED_UPLOADS = 65_536;

/** The input fields, in the order of their times in `t`. */
const INPUT_FIELDS = ["u", "emb", "e1", "e6"] as const;
/** The fields writeAndRead returns besides the embedding and the alert marks asked for. */
const READ_FIELDS = ["u", "t", "e1", "e6", "s"] as const;
type InputField = (typeof INPUT_FIELDS)[number];
const SNAPSHOT_FIELD: Record<EngagementWindow, InputField> = { "1h": "e1", "6h": "e6" };
/** The order of a stored snapshot's values. */
const SNAPSHOT_FIELDS = ["observed_at", "views", "likes", "comments", "shares", "retention", "watch_time_seconds"] as const;

/** One guarded field write: the field, its event time (ms) and its value. */
export interface FieldWrite {
  readonly field: InputField;
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
    case "upload": {
      const { video_id: _key, ...rest } = write.record;
      const compact = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== null && v !== undefined));
      return [{ field: "u", eventTime: write.record.uploaded_at, value: JSON.stringify(compact) }];
    }
    case "embedding":
      return [
        {
          field: "emb",
          eventTime: write.eventTime,
          value: Buffer.from(write.values.buffer, write.values.byteOffset, write.values.byteLength),
        },
      ];
    case "engagement":
      return [
        {
          field: SNAPSHOT_FIELD[write.snapshot.window],
          eventTime: write.snapshot.observed_at,
          value: JSON.stringify(SNAPSHOT_FIELDS.map((f) => write.snapshot[f] ?? null)),
        },
      ];
  }
}

function parseUpload(text: string, videoId: string): UploadRecord {
  const value: unknown = JSON.parse(text);
  if (!isRecord(value) || typeof value["uploaded_at"] !== "number") {
    throw new ViralityError("VIR_FEATURE_INVALID", `stored upload of video ${videoId} is malformed`, { details: { videoId } });
  }
  const channel = value["channel_id"];
  const duration = value["duration_seconds"];
  const extras = value["extras"];
  return {
    video_id: videoId,
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
  if (!Array.isArray(value) || value.length !== SNAPSHOT_FIELDS.length || typeof value[0] !== "number") {
    throw new ViralityError("VIR_FEATURE_INVALID", `stored ${window} snapshot of video ${videoId} is malformed`, { details: { videoId } });
  }
  const [observedAt, views, likes, comments, shares, retention, watch] = value.map(numOrNull);
  return {
    window,
    observed_at: observedAt ?? 0,
    views: views ?? null,
    likes: likes ?? null,
    comments: comments ?? null,
    shares: shares ?? null,
    retention: retention ?? null,
    watch_time_seconds: watch ?? null,
  };
}

const NO_TIMES = "0,0,0,0";

/**
 * The upload record parsed from a video's stored bytes, kept per video (least recently read out first)
 * with a copy of those bytes: an upload rarely changes, but every engagement event reads it back, and
 * parsing its JSON again was ~4 % of the scorer's CPU. A hit needs the same bytes, so a changed upload
 * is parsed afresh; the records are shared read-only.
 */
class ParsedUploads {
  readonly #entries: RecentlyUsed<{ readonly bytes: Buffer; readonly record: UploadRecord }>;

  constructor(max: number) {
    this.#entries = new RecentlyUsed(max, () => 1);
  }

  parse(videoId: string, bytes: Buffer): UploadRecord {
    const entry = this.#entries.get(videoId);
    if (entry !== undefined && entry.bytes.equals(bytes)) return entry.record;
    const record = parseUpload(bytes.toString("utf8"), videoId);
    // a copy: the reply's buffer may be a slice of a much larger socket read
    this.#entries.set(videoId, { bytes: Buffer.from(bytes), record });
    return record;
  }
}

/** The value of one call of a batch sent together, or the store's error naming what failed. */
function settledValue<T>(result: PromiseSettledResult<T> | undefined, what: string): T {
  if (result === undefined) throw new ViralityError("VIR_REDIS_UNAVAILABLE", `${what}: no reply`);
  if (result.status === "fulfilled") return result.value;
  const message = result.reason instanceof Error ? result.reason.message : String(result.reason);
  throw new ViralityError("VIR_REDIS_UNAVAILABLE", `${what} failed: ${message}`, { cause: result.reason });
}

/**
 * A Redis error reply about one key's contents, which no retry can fix: the key holds another type
 * (another client wrote it: WRONGTYPE, which Redis 6 wraps in "ERR Error running script …") or data
 * that makes the script fail ("ERR user_script:N: …", Redis 7). The guarded-write script reports the
 * cases it knows per key itself ({-1, error}); these are a read's, and a script call's that failed
 * as a whole (then retried one video per call to find the key). Every other reply stays transient,
 * also when raised inside the script (Redis 7 appends "script: …, on @user_script:N." to an OOM,
 * READONLY or MISCONF from redis.call), and so do lost connections.
 */
function keyRejection(reason: unknown, key: string, access: "write to" | "read of" = "write to"): ViralityError | null {
  return refusesKey(reason) ? keyRejectionOf(reason.message, key, access, reason) : null;
}

function refusesKey(reason: unknown): reason is Error {
  if (!(reason instanceof Error) || reason.name !== "ReplyError") return false;
  return reason.message.includes("WRONGTYPE") || reason.message.startsWith("ERR user_script:");
}

function keyRejectionOf(message: string, key: string, access: "write to" | "read of", cause?: Error): ViralityError {
  return new ViralityError(
    "VIR_STORE_REJECTED",
    `Redis refused the ${access} ${key}: ${message}. The key holds something this store did not write: delete it (DEL ${key}) and replay the video's events from the dead-letter topic`,
    { cause, details: { key } },
  );
}

/** Each written video as it is after a batch of guarded writes, and the videos whose key Redis refused. */
export interface WrittenVideos {
  readonly videos: Map<string, StoredVideo>;
  /** Per video, why Redis refused its key (VIR_STORE_REJECTED); nothing of it was written. */
  readonly rejected: Map<string, ViralityError>;
}

/** A script call's reply: one entry per video of the call, in order. */
function entriesOf(reply: unknown, videos: number, what = "the guarded writes"): unknown[] {
  if (!Array.isArray(reply) || reply.length !== videos) {
    throw new ViralityError("VIR_REDIS_UNAVAILABLE", `${what} for ${videos} videos answered ${Array.isArray(reply) ? `${reply.length} results` : String(reply)}`);
  }
  return reply;
}

type GuardedResult =
  | { readonly changed: boolean; readonly hash: Map<string, Buffer> | null; readonly held: HeldEmbedding | undefined }
  | { readonly rejected: ViralityError };

export interface VideoStoreOptions {
  /**
   * Bytes of embeddings writeAndRead keeps in memory so that Redis need not send them back with every
   * event (see EmbeddingCache); 0 = none.
   */
  readonly embeddingCacheBytes?: number;
}

export class VideoStore {
  readonly #redis: RedisClient;
  readonly #prefix: string;
  readonly #embeddings: EmbeddingCache | null;
  readonly #uploads = new ParsedUploads(PARSED_UPLOADS);

  constructor(redis: RedisClient, keyPrefix: string, options: VideoStoreOptions = {}) {
    this.#redis = redis;
    this.#prefix = keyPrefix;
    const bytes = options.embeddingCacheBytes ?? 0;
    this.#embeddings = bytes > 0 ? new EmbeddingCache(bytes) : null;
  }

  /** The embeddings held in memory (none without embeddingCacheBytes). */
  get heldEmbeddings(): { readonly videos: number; readonly bytes: number } {
    return { videos: this.#embeddings?.size ?? 0, bytes: this.#embeddings?.bytes ?? 0 };
  }

  /** Drops the embeddings held in memory (Redis lost its data: nothing held may match it any more). */
  forgetHeldEmbeddings(): void {
    this.#embeddings?.clear();
  }

  keyOf(videoId: string): string {
    return `${this.#prefix}:v:{${videoId}}`;
  }

  /**
   * Applies the writes (guarded by event time) in one pipeline; returns, per video, whether any of
   * its inputs changed.
   */
  async write(writes: ReadonlyArray<{ readonly videoId: string; readonly write: StoreWrite }>): Promise<Map<string, boolean>> {
    const out = new Map<string, boolean>();
    for (const [videoId, result] of await this.#guardedWrites(writes, null)) {
      if ("rejected" in result) throw result.rejected;
      out.set(videoId, result.changed);
    }
    return out;
  }

  /**
   * Applies the writes like `write` and returns each written video as it is afterwards, read by the
   * same script call (one round trip for a batch instead of two). Of the video's alert marks only those
   * of `alertKeys` are read (the ones the caller's model can raise): `alerts` holds those set. A video
   * whose key Redis refuses (see keyRejection) is returned under `rejected` and does not fail the others.
   */
  async writeAndRead(
    writes: ReadonlyArray<{ readonly videoId: string; readonly write: StoreWrite }>,
    alertKeys: readonly string[] = [],
  ): Promise<WrittenVideos> {
    const videos = new Map<string, StoredVideo>();
    const rejected = new Map<string, ViralityError>();
    for (const [videoId, result] of await this.#guardedWrites(writes, [...READ_FIELDS, ...alertKeys.map((k) => `a:${k}`)])) {
      if ("rejected" in result) rejected.set(videoId, result.rejected);
      else if (result.hash !== null) videos.set(videoId, this.#decode(videoId, result.hash, result.held));
    }
    return { videos, rejected };
  }

  /** The guarded writes; with `readFields`, each video's fields (and embedding, unless held) read after them. */
  async #guardedWrites(
    writes: ReadonlyArray<{ readonly videoId: string; readonly write: StoreWrite }>,
    readFields: readonly string[] | null,
  ): Promise<Map<string, GuardedResult>> {
    const byVideo = new Map<string, FieldWrite[]>();
    for (const { videoId, write } of writes) {
      const list = byVideo.get(videoId) ?? [];
      list.push(...fieldsOf(write));
      byVideo.set(videoId, list);
    }
    const out = new Map<string, GuardedResult>();
    if (byVideo.size === 0) return out;
    const held = new Map<string, HeldEmbedding>();
    if (readFields !== null && this.#embeddings !== null) {
      for (const videoId of byVideo.keys()) {
        const entry = this.#embeddings.get(videoId);
        if (entry !== undefined) held.set(videoId, entry);
      }
    }
    const calls: Array<{ readonly videoId: string; readonly key: string; readonly args: Array<string | Buffer> }> = [];
    for (const [videoId, fields] of byVideo) {
      const args: Array<string | Buffer> = [String(held.get(videoId)?.eventTime ?? 0), String(fields.length)];
      for (const f of fields) args.push(String(INPUT_FIELDS.indexOf(f.field) + 1), String(f.eventTime), f.field, f.value);
      calls.push({ videoId, key: this.keyOf(videoId), args });
    }
    const chunks = this.#perCall(calls);
    const replies = await Promise.allSettled(chunks.map((c) => this.#guardedCall(c, readFields)));
    for (const [n, part] of chunks.entries()) {
      const reply = replies[n];
      if (reply?.status === "fulfilled") {
        const entries = entriesOf(reply.value, part.length);
        for (const [j, call] of part.entries()) out.set(call.videoId, this.#resultOf(call, entries[j], held, readFields));
      } else if (part.length > 1 && refusesKey(reply?.reason)) {
        // an error the script did not expect from one key's data fails the whole call: one call per
        // video then tells which key it was
        const single = await Promise.allSettled(part.map((call) => this.#guardedCall([call], readFields)));
        for (const [j, call] of part.entries()) {
          const result = single[j];
          out.set(call.videoId, result?.status === "fulfilled" ? this.#resultOf(call, entriesOf(result.value, 1)[0], held, readFields) : this.#failed(call, result?.reason));
        }
      } else {
        for (const call of part) out.set(call.videoId, this.#failed(call, reply?.reason));
      }
    }
    return out;
  }

  /** A video's result from its entry in its call's reply: {changed, values of `fields`[, embedding]}. */
  #resultOf(
    call: { readonly videoId: string; readonly key: string },
    value: unknown,
    held: ReadonlyMap<string, HeldEmbedding>,
    fields: readonly string[] | null,
  ): GuardedResult {
    if (!Array.isArray(value)) throw new ViralityError("VIR_REDIS_UNAVAILABLE", `guarded write for ${call.videoId} answered ${String(value)}`);
    if (value[0] === -1) {
      const message: unknown = value[1];
      return { rejected: keyRejectionOf(Buffer.isBuffer(message) ? message.toString("utf8") : String(message), call.key, "write to") };
    }
    const values: unknown = value[1];
    let hash: Map<string, Buffer> | null = null;
    if (fields !== null && Array.isArray(values)) {
      hash = new Map();
      for (const [i, field] of fields.entries()) {
        const v: unknown = values[i];
        if (Buffer.isBuffer(v)) hash.set(field, v);
      }
      const embedding: unknown = value[2];
      if (Buffer.isBuffer(embedding)) hash.set("emb", embedding);
    }
    return { changed: value[0] === 1, hash, held: held.get(call.videoId) };
  }

  /** A failed call's result for one of its videos: refused for good (its key), or a transient error. */
  #failed(call: { readonly videoId: string; readonly key: string }, reason: unknown): GuardedResult {
    const rejected = keyRejection(reason, call.key);
    if (rejected !== null) return { rejected };
    const message = reason instanceof Error ? reason.message : String(reason);
    throw new ViralityError("VIR_REDIS_UNAVAILABLE", `guarded write for ${call.videoId} failed: ${message}`, { cause: reason });
  }

  /**
   * The script calls a batch of videos takes: on a single Redis, VIDEOS_PER_CALL videos a call; on a
   * Cluster, one video a call, each to its key's master. They go out back to back (one round trip).
   */
  #perCall<T>(items: readonly T[]): T[][] {
    const size = "nodes" in this.#redis ? 1 : VIDEOS_PER_CALL;
    const chunks: T[][] = [];
    for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
    return chunks;
  }

  #guardedCall(calls: ReadonlyArray<{ readonly key: string; readonly args: ReadonlyArray<string | Buffer> }>, readFields: readonly string[] | null): Promise<unknown> {
    const args: Array<string | Buffer> = [String(calls.length)];
    for (const call of calls) args.push(call.key);
    args.push(readFields === null ? "0" : "1", String(readFields?.length ?? 0), ...(readFields ?? []));
    for (const call of calls) args.push(...call.args);
    return this.#script(GUARDED_WRITES, GUARDED_WRITES_SHA, args, "buffers");
  }

  /** EVALSHA, falling back to EVAL (which caches the script) where the script cache is empty: after a restart, or on another master. */
  async #script(source: string, sha: string, args: ReadonlyArray<string | Buffer>, replies: "buffers" | "strings"): Promise<unknown> {
    const send = (command: "evalsha" | "eval", script: string): Promise<unknown> =>
      replies === "buffers" ? this.#redis.callBuffer(command, script, ...args) : this.#redis.call(command, script, ...args);
    try {
      return await send("evalsha", sha);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith("NOSCRIPT")) throw error;
      return send("eval", source);
    }
  }

  /** Reads the videos' hashes in one pipeline. */
  async read(videoIds: readonly string[]): Promise<Map<string, StoredVideo>> {
    return (await this.#readVideos(videoIds, false)).videos;
  }

  /**
   * Reads like `read`, but a key Redis refuses (it holds another type: another client wrote it) is
   * returned under `rejected` instead of failing the others: for a pass over every key (--rescore-all).
   */
  readEach(videoIds: readonly string[]): Promise<WrittenVideos> {
    return this.#readVideos(videoIds, true);
  }

  async #readVideos(videoIds: readonly string[], setRefusedAside: boolean): Promise<WrittenVideos> {
    const videos = new Map<string, StoredVideo>();
    const rejected = new Map<string, ViralityError>();
    const results = await this.#readHashes(videoIds);
    videoIds.forEach((videoId, i) => {
      const result = results[i];
      const refused = setRefusedAside && result?.status === "rejected" ? keyRejection(result.reason, this.keyOf(videoId), "read of") : null;
      if (refused !== null) {
        rejected.set(videoId, refused);
        return;
      }
      const value = settledValue(result, `reading ${videoId}`);
      if (value !== null) videos.set(videoId, this.#decode(videoId, value, undefined));
    });
    return { videos, rejected };
  }

  /** Each video's hash (null when the key holds none), settled one by one. */
  async #readHashes(videoIds: readonly string[]): Promise<Array<PromiseSettledResult<Map<string, Buffer> | null>>> {
    if (videoIds.length === 0) return [];
    return Promise.allSettled(
      videoIds.map(async (id) => {
        const value: unknown = await this.#redis.hgetallBuffer(this.keyOf(id));
        if (!isRecord(value)) return null;
        const hash = new Map<string, Buffer>();
        for (const [k, v] of Object.entries(value)) if (Buffer.isBuffer(v)) hash.set(k, v);
        return hash;
      }),
    );
  }

  /**
   * A stored video from its hash. The hash lacks the embedding's bytes when the script saw that the
   * caller held the stored one (`held`, same event time); an embedding read from Redis is held next.
   */
  #decode(videoId: string, hash: ReadonlyMap<string, Buffer>, held: HeldEmbedding | undefined): StoredVideo {
    const text = (field: string): string | undefined => hash.get(field)?.toString("utf8");
    const uploadBytes = hash.get("u");
    const upload = uploadBytes === undefined ? null : this.#uploads.parse(videoId, uploadBytes);
    const inputTimes = text("t") ?? NO_TIMES;
    const times = inputTimes.split(",").map(Number);
    const embeddingTime = times[INPUT_FIELDS.indexOf("emb")] ?? 0;
    const embBytes = hash.get("emb");
    let embedding: Float32Array | null = null;
    if (embBytes !== undefined) {
      const copy = new Uint8Array(embBytes.length);
      copy.set(embBytes);
      embedding = new Float32Array(copy.buffer, 0, Math.floor(copy.length / 4));
      if (embeddingTime > 0) this.#embeddings?.set(videoId, { eventTime: embeddingTime, values: embedding });
    } else if (held !== undefined && embeddingTime === held.eventTime) {
      embedding = held.values;
    }
    const engagement: EngagementSnapshot[] = [];
    for (const window of ["1h", "6h"] as const) {
      const snapshot = text(SNAPSHOT_FIELD[window]);
      if (snapshot !== undefined) engagement.push(parseSnapshot(snapshot, window, videoId));
    }
    const alerts = new Set<string>();
    for (const key of hash.keys()) if (key.startsWith("a:")) alerts.add(key.slice(2));
    return {
      videoId,
      records: { upload, embedding, engagement },
      newestEventTime: Math.max(...times),
      inputTimes,
      lastScore: text("s") ?? null,
      alerts,
    };
  }

  /**
   * Records what was published (after Kafka acknowledged it), in script calls like the writes', and
   * returns the videos' input times as they are right after (read in the same step): a time that moved
   * on since the score was computed means another batch overtook this one (see Scorer).
   */
  async markPublished(
    entries: ReadonlyArray<{ readonly videoId: string; readonly signature: string; readonly alertKey?: string | undefined }>,
  ): Promise<Map<string, string>> {
    if (entries.length === 0) return new Map();
    const calls = this.#perCall(entries);
    try {
      const replies = await Promise.all(
        calls.map((part) => {
          const args = [String(part.length), ...part.map((e) => this.keyOf(e.videoId))];
          for (const e of part) args.push(e.signature, e.alertKey ?? "");
          return this.#script(MARK_PUBLISHED, MARK_PUBLISHED_SHA, args, "strings");
        }),
      );
      const times = new Map<string, string>();
      for (const [n, part] of calls.entries()) {
        const reply = entriesOf(replies[n], part.length, "marking published");
        for (const [j, entry] of part.entries()) {
          const t: unknown = reply[j];
          times.set(entry.videoId, typeof t === "string" ? t : NO_TIMES);
        }
      }
      return times;
    } catch (error) {
      if (isViralityError(error)) throw error;
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
