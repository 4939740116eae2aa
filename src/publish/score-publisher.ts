/**
 * Turns stored videos into VideoScore and UpsideAlert records and publishes them, acknowledged by all
 * in-sync replicas, before recording in Redis what was published. A video whose inputs and model are
 * unchanged since its last published score is not published again; when it is (after a crash between
 * publish and record), the record is the same but for scored_at, keyed by video_id.
 */
import type { Message } from "kafkajs";
import type { Config } from "../config.js";
import { isViralityError } from "../errors.js";
import type { Stage as ScoreStage, UpsideAlert, VideoScore } from "../contracts/generated/events.js";
import type { EventSerde } from "../contracts/serde.js";
import type { BatchSender } from "../ingest/idempotent-producer.js";
import type { Stage } from "../features/stages.js";
import type { Predictor } from "../model/predictor.js";
import type { ScorerMetrics } from "../ops/metrics.js";
import type { StoredVideo, VideoStore } from "../store/video-store.js";
import { evaluateAlert } from "./alerts.js";

const STAGE_SYMBOL: Record<Stage, ScoreStage> = { upload: "UPLOAD", "1h": "H1", "6h": "H6" };

/** What marks a video's alert for a stage and model version as sent (at most one each). */
function alertKeyOf(stage: ScoreStage, modelVersion: string): string {
  return `${stage}:${modelVersion}`;
}

/** The alert marks a model can check: one per stage (what the store reads with a video's inputs). */
export function alertKeysOf(modelVersion: string): string[] {
  return Object.values(STAGE_SYMBOL).map((stage) => alertKeyOf(stage, modelVersion));
}

export interface ScoredOutput {
  readonly score: VideoScore;
  readonly alert: UpsideAlert | null;
}

export interface PublishResult {
  readonly scores: readonly VideoScore[];
  readonly alerts: readonly UpsideAlert[];
  /** The stored input times each published score was computed from, by video. */
  readonly scoredInputs: ReadonlyMap<string, string>;
  /** The same videos' stored input times right after publishing: where they differ, the score is already stale. */
  readonly inputsAfter: ReadonlyMap<string, string>;
  /** Videos the model cannot score as stored (e.g. an embedding of another dimension), skipped, with why. */
  readonly unscorable: ReadonlyArray<{ readonly videoId: string; readonly reason: string }>;
}

function targetLabel(predictor: Predictor): string {
  const t = predictor.bundle.target;
  return t.transform === "log1p" ? `log1p(${t.column})` : t.column;
}

/** The score (and alert) of one stored video, or null when it cannot be scored or is unchanged. */
export function scoreOf(video: StoredVideo, predictor: Predictor, config: Config, now: number, force = false): ScoredOutput | null {
  const prediction = predictor.predict(video.records);
  if (prediction === null) return null;
  const stage = STAGE_SYMBOL[prediction.stage];
  const signature = `${predictor.version}|${stage}|${video.inputTimes}`;
  if (video.lastScore === signature && !force) return null;
  const inputs = Object.entries(prediction.inputs)
    .filter(([, present]) => present)
    .map(([name]) => name);
  const score: VideoScore = {
    video_id: video.videoId,
    stage,
    model_version: predictor.version,
    target: targetLabel(predictor),
    predicted_target: prediction.predictedTarget,
    predicted_views: prediction.predictedViews,
    interval_low: prediction.low,
    interval_high: prediction.high,
    interval_level: prediction.level,
    scored_at: now,
    input_event_time: video.newestEventTime,
    inputs_present: inputs,
  };
  const alertKey = alertKeyOf(stage, predictor.version);
  const channel = video.records.upload?.channel_id;
  const alert = video.alerts.has(alertKey)
    ? null
    : evaluateAlert(score, channel === null || channel === undefined ? null : String(channel), predictor.bundle.channelMedians, config.alerts);
  return { score, alert };
}

export function signatureOf(score: VideoScore, video: StoredVideo): string {
  return `${score.model_version}|${score.stage}|${video.inputTimes}`;
}

/** The broker refuses a record batch over message.max.bytes (1 MB by default): keep each send well under it. */
const MAX_REQUEST_BYTES = 512 * 1024;

function sizeOf(message: Message): number {
  const part = (v: Message["key"] | Message["value"]): number => (v === null || v === undefined ? 0 : Buffer.byteLength(v));
  let headers = 0;
  for (const [k, v] of Object.entries(message.headers ?? {})) headers += k.length + (typeof v === "string" || Buffer.isBuffer(v) ? Buffer.byteLength(v) : 16);
  return part(message.key) + part(message.value) + headers + 64;
}

/** Splits the messages into sends of at most MAX_REQUEST_BYTES each (a larger single message goes alone). */
export function requestSized(topicMessages: ReadonlyArray<{ topic: string; messages: Message[] }>): Array<Array<{ topic: string; messages: Message[] }>> {
  const chunks: Array<Array<{ topic: string; messages: Message[] }>> = [];
  let current: Array<{ topic: string; messages: Message[] }> = [];
  let bytes = 0;
  for (const { topic, messages } of topicMessages) {
    for (const message of messages) {
      const size = sizeOf(message);
      if (bytes > 0 && bytes + size > MAX_REQUEST_BYTES) {
        chunks.push(current);
        current = [];
        bytes = 0;
      }
      const last = current.at(-1);
      if (last !== undefined && last.topic === topic) last.messages.push(message);
      else current.push({ topic, messages: [message] });
      bytes += size;
    }
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

export class ScorePublisher {
  constructor(
    private readonly config: Config,
    private readonly serde: EventSerde,
    private readonly producer: BatchSender,
    private readonly store: VideoStore,
    private readonly metrics: ScorerMetrics | null,
  ) {}

  /**
   * Scores the stored videos, publishes scores, alerts and any dead letters in one acknowledged send,
   * then records what was published.
   */
  async publish(
    videos: Iterable<StoredVideo>,
    predictor: Predictor | null,
    deadLetters: readonly Message[] = [],
    /** Publish even when the last published signature matches (to supersede a stale record). */
    force = false,
  ): Promise<PublishResult> {
    const now = Date.now();
    const outputs: Array<{ video: StoredVideo; out: ScoredOutput }> = [];
    const unscorable: Array<{ videoId: string; reason: string }> = [];
    if (predictor !== null) {
      for (const video of videos) {
        try {
          const out = scoreOf(video, predictor, this.config, now, force);
          if (out !== null) outputs.push({ video, out });
        } catch (error) {
          // one video's stored inputs that do not fit this model must not hold up the others
          if (!isViralityError(error, "VIR_FEATURE_INVALID")) throw error;
          unscorable.push({ videoId: video.videoId, reason: error.message });
        }
      }
    }
    const topics = this.config.topics;
    const scoreMessages: Message[] = [];
    const alertMessages: Message[] = [];
    const scoreBinding = { topic: topics.scores, contract: "video-score" } as const;
    const alertBinding = { topic: topics.alerts, contract: "upside-alert" } as const;
    for (const { out } of outputs) {
      scoreMessages.push({
        key: out.score.video_id,
        value: this.serde.encodeKnown(scoreBinding, out.score) ?? (await this.serde.encode(scoreBinding, out.score)),
      });
      if (out.alert !== null) {
        alertMessages.push({
          key: out.alert.video_id,
          value: this.serde.encodeKnown(alertBinding, out.alert) ?? (await this.serde.encode(alertBinding, out.alert)),
        });
      }
    }
    const topicMessages = [
      { topic: topics.scores, messages: scoreMessages },
      { topic: topics.alerts, messages: alertMessages },
      { topic: topics.deadLetter, messages: [...deadLetters] },
    ].filter((t) => t.messages.length > 0);
    for (const chunk of requestSized(topicMessages)) await this.producer.sendBatch({ topicMessages: chunk, acks: -1 });
    const inputsAfter = await this.store.markPublished(
      outputs.map(({ video, out }) => ({
        videoId: video.videoId,
        signature: signatureOf(out.score, video),
        alertKey: out.alert === null ? undefined : alertKeyOf(out.score.stage, out.score.model_version),
      })),
    );
    if (this.metrics !== null) {
      for (const { out } of outputs) this.metrics.scoresOut.inc({ stage: out.score.stage });
      this.metrics.alertsOut.inc(alertMessages.length);
    }
    return {
      scores: outputs.map((o) => o.out.score),
      alerts: outputs.flatMap((o) => (o.out.alert === null ? [] : [o.out.alert])),
      scoredInputs: new Map(outputs.map(({ video }) => [video.videoId, video.inputTimes])),
      inputsAfter,
      unscorable,
    };
  }
}
