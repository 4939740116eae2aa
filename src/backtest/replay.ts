/**
 * The backtest: replays the input topics from the beginning through the same Scorer code, under its
 * own consumer group, Redis key namespace and output topics (so live scores are untouched), then
 * evaluates the scores it published against the realized outcomes on the outcomes topic. The replay
 * scores every video; the evaluation keeps the ones the bundle records as held out (evaluate.ts).
 */
import { randomBytes } from "node:crypto";
import type { Kafka } from "kafkajs";
import type { Config } from "../config.js";
import type { UpsideAlert, VideoOutcome, VideoScore } from "../contracts/generated/events.js";
import { EventSerde } from "../contracts/serde.js";
import { createKafka } from "../ingest/kafka.js";
import { topicEnds, waitCaughtUp } from "../ingest/group-progress.js";
import { Scorer } from "../ingest/scorer.js";
import type { Logger } from "../logger.js";
import type { ModelBundle } from "../model/bundle.js";
import { ModelRegistry } from "../store/model-registry.js";
import { createRedis, deleteKeysWithPrefix } from "../store/redis.js";
import { VideoStore } from "../store/video-store.js";
import { Predictor } from "../model/predictor.js";
import type { Stage } from "../features/stages.js";
import { evaluateAlert } from "../publish/alerts.js";
import { evaluateBacktest } from "./evaluate.js";
import { sortedIds } from "./order.js";

const STAGE_SYMBOL: Record<Stage, VideoScore["stage"]> = { upload: "UPLOAD", "1h": "H1", "6h": "H6" };
const STAGE_ORDER: Record<Stage, number> = { upload: 1, "1h": 2, "6h": 3 };
import type { BacktestReport } from "./types.js";

export interface BacktestRun {
  readonly report: BacktestReport;
  readonly inputEvents: number;
  /** From the replay scorer joining its group until it has committed every input event. */
  readonly replaySeconds: number;
  readonly eventsPerSecond: number;
}

export interface BacktestOptions {
  readonly onProgress?: (behind: bigint, total: bigint) => void;
  readonly shouldStop?: () => boolean;
}

/** Reads every message of the topics up to their current ends, decoding each with `decode`. */
async function readAll<T>(kafka: Kafka, topics: readonly string[], decode: (topic: string, value: Buffer) => Promise<T>): Promise<T[]> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = await topicEnds(admin, topics);
  await admin.disconnect();
  const total = [...ends.values()].reduce((a, b) => a + b, 0n);
  const out: T[] = [];
  if (total === 0n) return out;
  const groupId = `virality-read-${randomBytes(6).toString("hex")}`;
  const consumer = kafka.consumer({ groupId });
  await consumer.connect();
  await consumer.subscribe({ topics: [...topics], fromBeginning: true });
  const seen = new Map<string, bigint>();
  const done = (): boolean => [...ends].every(([key, end]) => end === 0n || (seen.get(key) ?? -1n) >= end - 1n);
  await new Promise<void>((resolve, reject) => {
    void consumer
      .run({
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) {
            if (m.value !== null) out.push(await decode(batch.topic, m.value));
            seen.set(`${batch.topic}/${batch.partition}`, BigInt(m.offset));
          }
          if (done()) resolve();
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  const admin2 = kafka.admin();
  await admin2.connect();
  await admin2.deleteGroups([groupId]).catch(() => undefined);
  await admin2.disconnect();
  return out;
}

/** Adds the upload time of each of the videos that the store holds an upload record of. */
async function readUploadTimes(store: VideoStore, videoIds: readonly string[], into: Map<string, number>): Promise<void> {
  const ids = sortedIds(new Set(videoIds));
  for (let i = 0; i < ids.length; i += 500) {
    for (const [id, video] of await store.read(ids.slice(i, i + 500))) {
      const uploaded = video.records.upload?.uploaded_at;
      if (uploaded !== undefined) into.set(id, uploaded);
    }
  }
}

export async function runBacktest(config: Config, bundle: ModelBundle, logger: Logger, options: BacktestOptions = {}): Promise<BacktestRun> {
  const run = randomBytes(4).toString("hex");
  const replayConfig: Config = {
    ...config,
    redis: { ...config.redis, keyPrefix: `${config.redis.keyPrefix}:backtest-${run}` },
    topics: { ...config.topics, scores: `${config.topics.scores}.backtest-${run}`, alerts: `${config.topics.alerts}.backtest-${run}`, deadLetter: `${config.topics.deadLetter}.backtest-${run}` },
    scorer: { ...config.scorer, groupId: `${config.scorer.groupId}-backtest-${run}` },
  };
  const kafka = createKafka(config, logger);
  const serde = new EventSerde(config.registry.url);
  const redis = createRedis(replayConfig);
  const registry = new ModelRegistry(redis, replayConfig.redis.keyPrefix);
  const t = config.topics;
  const inputs = [t.uploads, t.embeddings, t.engagement];
  const admin = kafka.admin();
  await admin.connect();
  const scorer = new Scorer(replayConfig, logger, { fromBeginning: true });
  try {
    await registry.publish(bundle);
    const ends = await topicEnds(admin, inputs);
    const total = [...ends.values()].reduce((a, b) => a + b, 0n);
    await scorer.start();
    // time the replay itself, not joining the consumer group
    while (!scorer.ready) await new Promise((resolve) => setTimeout(resolve, 20));
    const started = Date.now();
    await waitCaughtUp(admin, replayConfig.scorer.groupId, ends, {
      timeoutMs: 30 * 60_000,
      // a replay of a few seconds would otherwise end up to a quarter second after its last commit
      pollMs: 50,
      onProgress: (behind) => options.onProgress?.(behind, total),
      ...(options.shouldStop ? { shouldStop: options.shouldStop } : {}),
    });
    const replaySeconds = (Date.now() - started) / 1000;
    await scorer.stop();

    const scores: VideoScore[] = await readAll(kafka, [replayConfig.topics.scores], (_topic, value) => serde.decode("video-score", value));
    const outcomes: VideoOutcome[] = await readAll(kafka, [t.outcomes], (_topic, value) => serde.decode("video-outcome", value));

    // A replay runs faster than the events happened, so the scorer often sees a video's later inputs
    // before scoring its earlier stage. Each stage is evaluated by scoring the replayed state at every
    // stage available, with the same predictor and assembly; the early views feed the SH comparison.
    const store = new VideoStore(redis, replayConfig.redis.keyPrefix);
    const predictor = new Predictor(bundle);
    const ids = [...new Set(scores.map((s) => s.video_id))].sort();
    const earlyViews = new Map<string, { "1h"?: number; "6h"?: number }>();
    // upload times place each video against the bundle's held-out set
    const uploadedAt = new Map<string, number>();
    const stageScores: VideoScore[] = [];
    // Alerts, like the stage scores, come from the replayed state so that the same topics always give
    // the same report: which stage a video happened to be scored at live depends on batch timing.
    const alerts: UpsideAlert[] = [];
    for (let i = 0; i < ids.length; i += 500) {
      const videos = await store.read(ids.slice(i, i + 500));
      for (const [id, video] of videos) {
        const views: { "1h"?: number; "6h"?: number } = {};
        for (const s of video.records.engagement) if (s.views !== null) views[s.window] = s.views;
        earlyViews.set(id, views);
        const uploaded = video.records.upload?.uploaded_at;
        if (uploaded !== undefined) uploadedAt.set(id, uploaded);
        for (const stage of predictor.availableStages(video.records)) {
          const p = predictor.predictAt(stage, video.records);
          if (p === null) continue;
          stageScores.push({
            video_id: id,
            stage: STAGE_SYMBOL[stage],
            model_version: bundle.version,
            target: bundle.target.column,
            predicted_target: p.predictedTarget,
            predicted_views: p.predictedViews,
            interval_low: p.low,
            interval_high: p.high,
            interval_level: p.level,
            scored_at: STAGE_ORDER[stage],
            input_event_time: video.newestEventTime,
            inputs_present: Object.entries(p.inputs).filter(([, v]) => v).map(([k]) => k),
          });
          const score = stageScores[stageScores.length - 1];
          const channel = video.records.upload?.channel_id;
          const alert =
            score === undefined ? null : evaluateAlert(score, channel === null || channel === undefined ? null : String(channel), bundle.channelMedians, config.alerts);
          if (alert !== null) alerts.push(alert);
        }
      }
    }
    if (bundle.heldOut?.kind === "uploadedFrom") {
      // an outcome the replay did not score still belongs to a held-out video or not
      await readUploadTimes(store, outcomes.map((o) => o.video_id).filter((id) => !uploadedAt.has(id)), uploadedAt);
    }
    const growth = (stage: "1h" | "6h"): number | undefined => {
      const margin = bundle.stages[stage]?.baseMargin;
      return margin?.kind === "szabo-huberman" ? margin.r : undefined;
    };
    const g1 = growth("1h");
    const g6 = growth("6h");
    const report = evaluateBacktest({
      scores: stageScores,
      outcomes,
      alerts,
      targetTransform: "log1p",
      modelVersion: bundle.version,
      earlyViews,
      shGrowth: { ...(g1 === undefined ? {} : { "1h": g1 }), ...(g6 === undefined ? {} : { "6h": g6 }) },
      ...(bundle.heldOut === undefined ? {} : { heldOut: bundle.heldOut, uploadedAt }),
    });
    return { report, inputEvents: Number(total), replaySeconds, eventsPerSecond: Number(total) / Math.max(replaySeconds, 1e-3) };
  } finally {
    await scorer.stop().catch(() => undefined);
    const replayTopics = [replayConfig.topics.scores, replayConfig.topics.alerts, replayConfig.topics.deadLetter];
    const existing = new Set(await admin.listTopics());
    await admin.deleteTopics({ topics: replayTopics.filter((x) => existing.has(x)), timeout: 10_000 }).catch(() => undefined);
    await admin.deleteGroups([replayConfig.scorer.groupId]).catch(() => undefined);
    await admin.disconnect();
    // the run's output topics are gone: so go their subjects (the registry would keep one set per run)
    await serde.deleteSubjects(replayTopics);
    await deleteKeysWithPrefix(redis, replayConfig.redis.keyPrefix);
    redis.disconnect();
  }
}
