/**
 * A scoring harness for integration tests: a small simulated world and a model trained on it (made
 * once per test process), a real scorer against the real stack with the test's own topics, group and
 * key prefix, and helpers to produce events and wait for what the scorer publishes.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestContext } from "node:test";
import type { Consumer, IHeaders } from "kafkajs";
import type { Config } from "../../src/config.js";
import type { EngagementSnapshot, UpsideAlert, VideoScore, VideoUploaded } from "../../src/contracts/generated/events.js";
import { EventSerde } from "../../src/contracts/serde.js";
import { produceEvents, type OutgoingEvent } from "../../src/ingest/event-producer.js";
import { createKafka, ensureTopics, allTopics } from "../../src/ingest/kafka.js";
import { Scorer } from "../../src/ingest/scorer.js";
import { topicEnds, waitCaughtUp } from "../../src/ingest/group-progress.js";
import { createLogger } from "../../src/logger.js";
import type { ModelBundle } from "../../src/model/bundle.js";
import type { Predictor } from "../../src/model/predictor.js";
import { simulateWorld } from "../../src/sim/world.js";
import { writeWorld } from "../../src/sim/write.js";
import type { World } from "../../src/sim/types.js";
import { ModelRegistry } from "../../src/store/model-registry.js";
import { createRedis, deleteKeysWithPrefix } from "../../src/store/redis.js";
import { train } from "../../trainer/train.js";
import { deleteGroups, testConfig, uniqueName } from "./services.js";

export interface TrainedWorld {
  readonly world: World;
  readonly bundle: ModelBundle;
  readonly dir: string;
}

const made = new Map<number, Promise<TrainedWorld>>();

/** A 600-video world (d = 16 unless said) and the bundle trained on it, once per process, seed and dimension. */
export function trainedWorld(seed = 2, gbdt: { learningRate?: number } = {}, dim = 16): Promise<TrainedWorld> {
  const key = (seed * 1000 + Math.round((gbdt.learningRate ?? 0.1) * 100)) * 10_000 + dim;
  let found = made.get(key);
  if (found === undefined) {
    found = (async () => {
      const dir = mkdtempSync(path.join(tmpdir(), "virality-world-"));
      process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
      const world = simulateWorld({ videos: 600, dim, seed });
      const files = await writeWorld(world, dir);
      const result = await train({ fused: files.fused, features: files.csv, seed, gbdt, importanceRepeats: 1 });
      return { world, bundle: result.bundle, dir };
    })();
    made.set(key, found);
  }
  return found;
}

export interface PublishedScore {
  readonly score: VideoScore;
  readonly partition: number;
  readonly offset: string;
}

export interface DeadLetterSeen {
  readonly key: string | null;
  readonly value: Buffer | null;
  readonly headers: Record<string, string>;
}

function headerText(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) {
    if (v === undefined) continue;
    out[k] = Array.isArray(v) ? v.map(String).join(",") : v.toString();
  }
  return out;
}

export class ScoringHarness {
  readonly scores: PublishedScore[] = [];
  readonly deadLetters: DeadLetterSeen[] = [];
  readonly alerts: UpsideAlert[] = [];
  readonly scorers: Scorer[] = [];
  #watcher: Consumer | null = null;
  readonly #watchGroup = uniqueName("watch");

  private constructor(
    readonly config: Config,
    readonly serde: EventSerde,
  ) {}

  static async create(t: TestContext, overrides: Record<string, unknown> = {}): Promise<ScoringHarness> {
    // hooks run in the order they were registered: close (scorers, watcher) before testConfig deletes the
    // topics, or their clients' metadata requests re-create them (the broker auto-creates topics)
    let harness: ScoringHarness | undefined;
    t.after(() => harness?.close());
    const config = await testConfig(t, { scorer: { groupId: uniqueName("scorer"), modelPollMs: 500 }, ...overrides });
    harness = new ScoringHarness(config, new EventSerde(config.registry.url));
    const kafka = createKafka(config, createLogger("silent"));
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, allTopics(config), config.topics.partitions);
    await admin.disconnect();
    await harness.#watch();
    return harness;
  }

  /** Collects everything published on the scores, alerts and dead-letter topics. */
  async #watch(): Promise<void> {
    const kafka = createKafka(this.config, createLogger("silent"));
    const consumer = kafka.consumer({ groupId: this.#watchGroup });
    await consumer.connect();
    await consumer.subscribe({ topics: [this.config.topics.scores, this.config.topics.alerts, this.config.topics.deadLetter], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        if (topic === this.config.topics.deadLetter) {
          this.deadLetters.push({ key: message.key?.toString("utf8") ?? null, value: message.value, headers: headerText(message.headers) });
          return;
        }
        if (message.value === null) return;
        if (topic === this.config.topics.alerts) {
          this.alerts.push(await this.serde.decode("upside-alert", message.value));
          return;
        }
        this.scores.push({ score: await this.serde.decode("video-score", message.value), partition, offset: message.offset });
      },
    });
    this.#watcher = consumer;
  }

  async publishModel(bundle: ModelBundle): Promise<void> {
    const redis = createRedis(this.config);
    try {
      await new ModelRegistry(redis, this.config.redis.keyPrefix).publish(bundle);
    } finally {
      redis.disconnect();
    }
  }

  async startScorer(): Promise<Scorer> {
    const scorer = new Scorer(this.config, createLogger(process.env["VIRALITY_TEST_LOG"] === "1" ? "warn" : "fatal"), { fromBeginning: true });
    this.scorers.push(scorer);
    await scorer.start();
    return scorer;
  }

  async produce(events: readonly OutgoingEvent[]): Promise<void> {
    await produceEvents(createKafka(this.config, createLogger("silent")), this.serde, this.config, events);
  }

  async produceRaw(topic: string, key: string, value: Buffer): Promise<void> {
    const producer = createKafka(this.config, createLogger("silent")).producer();
    await producer.connect();
    await producer.send({ topic, messages: [{ key, value }] });
    await producer.disconnect();
  }

  /** Waits until the scorer group has committed every input message produced so far. */
  async waitCaughtUp(timeoutMs = 30_000): Promise<void> {
    const admin = createKafka(this.config, createLogger("silent")).admin();
    await admin.connect();
    try {
      const t = this.config.topics;
      const ends = await topicEnds(admin, [t.uploads, t.embeddings, t.engagement]);
      await waitCaughtUp(admin, this.config.scorer.groupId, ends, { timeoutMs });
    } finally {
      await admin.disconnect();
    }
  }

  scoresOf(videoId: string): VideoScore[] {
    return this.scores.filter((s) => s.score.video_id === videoId).map((s) => s.score);
  }

  /** Waits until `check` holds (polling), or fails with what was seen. */
  async waitFor(what: string, check: () => boolean, timeoutMs = 30_000): Promise<void> {
    const start = Date.now();
    while (!check()) {
      if (Date.now() - start > timeoutMs) {
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; scores seen: ${this.scores.length}, dead letters: ${this.deadLetters.length}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async close(): Promise<void> {
    for (const scorer of this.scorers) await scorer.stop().catch(() => undefined);
    await this.#watcher?.disconnect().catch(() => undefined);
    await deleteGroups(this.config, [this.#watchGroup]);
    const redis = createRedis(this.config);
    try {
      await deleteKeysWithPrefix(redis, this.config.redis.keyPrefix);
    } finally {
      redis.disconnect();
    }
  }
}

// ------------------------------------------------------------------------------ crafted events

export function uploadOf(world: World, index: number, videoId: string): VideoUploaded {
  const video = world.videos[index];
  if (video === undefined) throw new Error(`no video ${index}`);
  return {
    video_id: videoId,
    channel_id: video.channelId,
    uploaded_at: video.uploadedAt,
    duration_seconds: video.durationSeconds ?? 30,
    language: video.language,
    captions: video.captions,
    cluster_id: video.clusterId,
    numeric_extras: { ...video.numericExtras },
    categorical_extras: { ...video.categoricalExtras },
    embedding: { model: "fused", model_version: "1", values: Array.from(video.embedding) },
  };
}

export function snapshotOf(upload: VideoUploaded, window: "H1" | "H6", views: number, eventId: string, delayMs = 0): EngagementSnapshot {
  const base = window === "H1" ? 3_600_000 : 21_600_000;
  return {
    event_id: eventId,
    video_id: upload.video_id,
    window,
    observed_at: upload.uploaded_at + base + delayMs,
    views,
    likes: Math.round(views * 0.05),
    comments: Math.round(views * 0.01),
    shares: Math.round(views * 0.005),
    retention: 0.5,
    watch_time_seconds: views * 10,
  };
}

/** The bundle's predicted target for a video whose upload (embedding inside) and 1h and 6h snapshots all arrived. */
export function finalTarget(predictor: Predictor, upload: VideoUploaded, h1: EngagementSnapshot, h6: EngagementSnapshot): number {
  const p = predictor.predict({
    upload: { ...upload, extras: { ...upload.numeric_extras, ...upload.categorical_extras } },
    embedding: Float32Array.from(upload.embedding?.values ?? []),
    engagement: [
      { ...h1, window: "1h" },
      { ...h6, window: "6h" },
    ],
  });
  if (p === null) throw new Error(`the bundle gives no score for ${upload.video_id}`);
  return p.predictedTarget;
}
