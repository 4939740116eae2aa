/**
 * The scorer: a kafkajs consumer group on the uploads, embeddings and engagement topics. Per batch:
 * decode (dead-lettering what cannot be decoded or validated), write to the Redis feature store under
 * the event-time guard, read the touched videos back, score them with the current model, publish
 * scores, alerts and dead letters, and only then hand the batch's offsets to the committer, which
 * commits them off the batch path (at-least-once; outputs are idempotent; see offset-committer.ts).
 * Transient failures (Redis, Kafka, the registry) are retried with backoff, never dead-lettered.
 */
import type { Admin, Consumer, EachBatchPayload, Kafka, KafkaMessage, Message } from "kafkajs";
import type { Config } from "../config.js";
import { EventSerde } from "../contracts/serde.js";
import { describe, isViralityError } from "../errors.js";
import type { Logger } from "../logger.js";
import type { Predictor } from "../model/predictor.js";
import type { ScorerMetrics } from "../ops/metrics.js";
import { rescoreIfOvertaken } from "../publish/overtaken.js";
import { alertKeysOf, ScorePublisher, type PublishResult } from "../publish/score-publisher.js";
import { ModelRegistry, ModelWatcher } from "../store/model-registry.js";
import { createRedis, type RedisClient } from "../store/redis.js";
import { StateEpoch } from "../store/state-epoch.js";
import { VideoStore, type StoreWrite } from "../store/video-store.js";
import { deadLetter } from "./dead-letter.js";
import { writesOf, type InputEvent } from "./events.js";
import { IdempotentProducer } from "./idempotent-producer.js";
import { OffsetCommitter } from "./offset-committer.js";
import { createKafka, ensureTopics, allTopics } from "./kafka.js";

export interface ScorerOptions {
  /** Start a new group at the beginning of the topics (replays, backtests); default: the end. */
  readonly fromBeginning?: boolean;
  readonly metrics?: ScorerMetrics | null;
  /** Called after each batch's outputs were acknowledged (the demo's live table). */
  readonly onPublished?: (result: PublishResult) => void;
  /** Called when the consumer stopped for good (kafkajs does not restart it after such an error). */
  readonly onFatal?: (error: Error) => void;
}

const MAX_UNEXPECTED_RETRIES = 8;
const PARTITIONS_CONCURRENTLY = 3;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export class Scorer {
  readonly store: VideoStore;
  readonly models: ModelWatcher;
  readonly #config: Config;
  readonly #logger: Logger;
  readonly #serde: EventSerde;
  readonly #redis: RedisClient;
  readonly #consumer: Consumer;
  readonly #producer: IdempotentProducer;
  readonly #publisher: ScorePublisher;
  readonly #options: ScorerOptions;
  readonly #kafka: Kafka;
  readonly #registry: ModelRegistry;
  readonly #epochs: StateEpoch;
  readonly #committer: OffsetCommitter;
  /** Counts rewinds of the assigned partitions: a batch fetched before one must not commit its offsets. */
  #rewinds = 0;
  /** The store epoch this scorer's writes belong to (null before start). */
  #epoch: string | null = null;
  /** The partitions this member holds, per topic (from the last group join). */
  #assignment: Record<string, number[]> = {};
  /** The store lost its data while the group kept its offsets: replay the inputs once assigned. */
  #rebuildOnJoin = false;
  #rebuilding: Promise<void> | null = null;
  #running = false;
  #joined = false;
  #stopping = false;
  #crashed = false;

  constructor(config: Config, logger: Logger, options: ScorerOptions = {}) {
    this.#config = config;
    this.#logger = logger.child({ component: "scorer", group: config.scorer.groupId });
    this.#options = options;
    this.#serde = new EventSerde(config.registry.url);
    this.#redis = createRedis(config);
    this.store = new VideoStore(this.#redis, config.redis.keyPrefix, { embeddingCacheBytes: config.scorer.embeddingCacheMb * 1024 * 1024 });
    this.#registry = new ModelRegistry(this.#redis, config.redis.keyPrefix);
    this.#epochs = new StateEpoch(this.#redis, config.redis.keyPrefix);
    this.models = new ModelWatcher(this.#registry, createRedis(config, { subscriber: true }), this.#logger, config.scorer.modelPollMs);
    const kafka = createKafka(config, logger);
    this.#kafka = kafka;
    this.#consumer = kafka.consumer({
      groupId: config.scorer.groupId,
      sessionTimeout: config.scorer.sessionTimeoutMs,
      heartbeatInterval: Math.floor(config.scorer.sessionTimeoutMs / 10),
      maxBytesPerPartition: 4 * 1024 * 1024,
      // one partition's worth per fetch (kafkajs' default is 10 MB): the decoded messages of fetched
      // batches are most of the scorer's heap; the soak rate is the same, its RSS a quarter lower (bench/README.md)
      maxBytes: 4 * 1024 * 1024,
      retry: { retries: 10, initialRetryTime: 300, maxRetryTime: 10_000 },
    });
    this.#committer = new OffsetCommitter((offsets) => this.#consumer.commitOffsets(offsets), config.scorer.commitIntervalMs, this.#logger);
    this.#producer = new IdempotentProducer(kafka, this.#logger);
    this.#publisher = new ScorePublisher(config, this.#serde, this.#producer, this.store, options.metrics ?? null);
    this.#consumer.on(this.#consumer.events.GROUP_JOIN, (e) => {
      this.#joined = true;
      this.#assignment = e.payload.memberAssignment;
      this.#committer.retainOnly(e.payload.memberAssignment);
      this.#logger.info({ memberId: e.payload.memberId, assignment: e.payload.memberAssignment }, "joined the consumer group");
      if (this.#rebuildOnJoin) {
        this.#rebuildOnJoin = false;
        void this.#replayAssigned().catch((error: unknown) => {
          this.#logger.error({ err: describe(error) }, "could not rewind to rebuild the store; the group resumes at its committed offsets");
        });
      }
    });
    this.#consumer.on(this.#consumer.events.REBALANCING, () => {
      // best effort: whatever is not committed now is read again by the partition's next owner
      this.#committer.flush().catch((error: unknown) => this.#logger.debug({ err: describe(error) }, "could not commit before the rebalance"));
    });
    this.#consumer.on(this.#consumer.events.CRASH, (e) => {
      this.#logger.error({ err: e.payload.error, restart: e.payload.restart }, "consumer crashed");
      if (!e.payload.restart) this.#fatal(e.payload.error);
    });
    this.models.onChange((predictor) => options.metrics?.setModel(predictor.version));
  }

  /** The consumer will not consume again: not live, and the owner is told (onFatal). */
  #fatal(error: Error): void {
    if (this.#crashed) return;
    this.#crashed = true;
    this.#options.onFatal?.(error);
  }

  get ready(): boolean {
    return this.#joined && this.models.predictor !== null && !this.#crashed;
  }

  get live(): boolean {
    return !this.#crashed;
  }

  async start(): Promise<void> {
    const t = this.#config.topics;
    const admin = this.#kafka.admin();
    await admin.connect();
    try {
      await ensureTopics(admin, allTopics(this.#config), t.partitions);
      const epoch = await this.#epochs.ensure();
      this.#epoch = epoch.id;
      if (epoch.created && (await this.#hasCommittedOffsets(admin))) {
        this.#rebuildOnJoin = true;
        this.#logger.warn(
          { key: this.#epochs.key, group: this.#config.scorer.groupId },
          "the feature store is empty but the consumer group has committed offsets: Redis lost its data while no scorer ran; replaying the input topics from the beginning to rebuild it (alerts already sent may be sent again)",
        );
      }
    } finally {
      await admin.disconnect();
    }
    await this.models.start();
    if (this.models.predictor === null) {
      this.#logger.warn(
        { key: `${this.#config.redis.keyPrefix}:model:current` },
        "no model is published: events are stored but not scored (not ready) until `virality models publish BUNDLE`; add --rescore-all to score what arrived meanwhile",
      );
    }
    await this.#producer.connect();
    await this.#consumer.connect();
    await this.#consumer.subscribe({ topics: [t.uploads, t.embeddings, t.engagement], fromBeginning: this.#options.fromBeginning ?? false });
    this.#running = true;
    await this.#consumer.run({
      eachBatchAutoResolve: false,
      // kafkajs' autoCommit commits after every batch, on the batch's path: see OffsetCommitter
      autoCommit: false,
      // partitions run concurrently; rescoreIfOvertaken (src/publish/overtaken.ts) keeps each video's last score current
      partitionsConsumedConcurrently: PARTITIONS_CONCURRENTLY,
      eachBatch: (payload) =>
        this.#eachBatch(payload).catch((error: unknown) => {
          // kafkajs would retry the batch, then restart the consumer, forever: an error that says retrying
          // cannot help (an incompatible schema in the registry, say) stops the scorer instead
          if (isViralityError(error) && error.action !== "retry" && !this.#stopping) this.#fatal(error);
          throw error;
        }),
    });
    this.#logger.info({ topics: [t.uploads, t.embeddings, t.engagement] }, "scorer started");
  }

  /** Graceful stop: the batch in flight finishes and commits, then everything disconnects. */
  async stop(): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    // what finished is committed now; the batch in flight commits itself (#eachBatch) before kafkajs lets go
    await this.#committer.flush().catch((error: unknown) => this.#logger.warn({ err: describe(error) }, "could not commit offsets while stopping; they are read again"));
    await this.#consumer.disconnect();
    this.#committer.close();
    await this.#producer.disconnect();
    await this.models.stop();
    this.#redis.disconnect();
    this.#running = false;
    this.#logger.info("scorer stopped");
  }

  async #decode(topic: string, value: Buffer): Promise<InputEvent> {
    const t = this.#config.topics;
    if (topic === t.uploads) return { kind: "upload", event: await this.#serde.decode("video-uploaded", value) };
    if (topic === t.embeddings) return { kind: "embedding", event: await this.#serde.decode("video-embedding", value) };
    return { kind: "engagement", event: await this.#serde.decode("engagement-snapshot", value) };
  }

  /** Runs `work` until it succeeds, backing off on transient failures; dead-letter errors pass through. */
  async #withRetry<T>(what: string, work: () => Promise<T>, heartbeat: () => Promise<void>): Promise<T> {
    let attempt = 0;
    for (;;) {
      try {
        return await work();
      } catch (error) {
        const transient = isViralityError(error) ? error.action === "retry" : attempt < MAX_UNEXPECTED_RETRIES;
        if (!transient || this.#stopping) throw error;
        const delay = Math.min(100 * 2 ** attempt, 5_000);
        attempt++;
        this.#logger.warn({ attempt, delayMs: delay, err: describe(error) }, `${what} failed; retrying`);
        await sleep(delay);
        await heartbeat().catch(() => undefined);
      }
    }
  }

  async #eachBatch({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isStale }: EachBatchPayload): Promise<void> {
    if (batch.messages.length === 0) return;
    const { topic, partition } = batch;
    const rewinds = this.#rewinds;
    const metrics = this.#options.metrics ?? null;
    const predictor: Predictor | null = this.models.predictor;
    const dim = predictor?.bundle.spec.embeddingDim ?? null;
    const writes: Array<{ videoId: string; write: StoreWrite }> = [];
    const deadLetters: Message[] = [];
    const eventTimes = new Map<string, number>();
    /** The video of each message, by position (none for one dead-lettered while decoding). */
    const videoOf = new Array<string | undefined>(batch.messages.length);
    for (const [position, message] of batch.messages.entries()) {
      try {
        const input = this.#decodeKnown(topic, message) ?? (await this.#withRetry("decoding", () => this.#decodeMessage(topic, message), heartbeat));
        for (const write of writesOf(input, dim)) writes.push({ videoId: input.event.video_id, write });
        videoOf[position] = input.event.video_id;
        const ts = Number(message.timestamp);
        eventTimes.set(input.event.video_id, Math.max(eventTimes.get(input.event.video_id) ?? 0, ts));
      } catch (error) {
        if (!isViralityError(error) || error.action !== "dead-letter") throw error;
        metrics?.deadLetters.inc({ code: error.code });
        this.#logger.warn({ topic, partition, offset: message.offset, code: error.code, err: error.message }, "dead-lettered a message");
        deadLetters.push(deadLetter({ topic, partition }, message, error));
      }
    }
    metrics?.eventsIn.inc({ topic }, batch.messages.length);

    // the epoch is read in the same pipeline, after the writes (see #rebuild)
    const [{ videos, rejected }, epoch] = await this.#withRetry(
      "writing to Redis",
      () => Promise.all([this.store.writeAndRead(writes, predictor === null ? [] : alertKeysOf(predictor.version)), this.#epochs.current()]),
      heartbeat,
    );
    if (epoch !== this.#epoch) {
      // Redis lost its data (restarted empty) since the last batch: what this batch would score lacks
      // every earlier input. Nothing is published or committed; the assigned partitions start over.
      await this.#rebuild();
      return;
    }
    for (const [videoId, error] of rejected) {
      // a retry cannot fix that key: its events are parked with the error, the rest of the batch goes on
      const messages = batch.messages.filter((_, position) => videoOf[position] === videoId);
      metrics?.deadLetters.inc({ code: error.code }, messages.length);
      for (const message of messages) deadLetters.push(deadLetter({ topic, partition }, message, error));
      this.#logger.warn({ topic, partition, video_id: videoId, offsets: messages.map((m) => m.offset), code: error.code, err: error.message }, "dead-lettered a video's events: Redis refused its key");
    }
    const result = await this.#withRetry("publishing", () => this.#publisher.publish(videos.values(), predictor, deadLetters), heartbeat);
    if (result.unscorable.length > 0) {
      this.#logger.warn(
        { topic, partition, count: result.unscorable.length, videos: result.unscorable.slice(0, 5) },
        "skipped videos the current model cannot score; they are scored again when their inputs change",
      );
    }
    // another batch may have overtaken this one's state and published first (src/publish/overtaken.ts)
    await rescoreIfOvertaken(result, predictor, this.store, this.#publisher, (what, work) => this.#withRetry(what, work, heartbeat));
    if (metrics !== null) {
      const now = Date.now();
      for (const score of result.scores) {
        const ts = eventTimes.get(score.video_id);
        if (ts !== undefined && ts > 0) metrics.latency.observe(Math.max(0, now - ts) / 1000);
      }
      metrics.lag.set({ topic, partition: String(partition) }, Number(batch.offsetLag()));
      metrics.heldEmbeddingBytes.set(this.store.heldEmbeddings.bytes);
    }
    const last = batch.messages[batch.messages.length - 1];
    if (last !== undefined && !isStale() && rewinds === this.#rewinds) {
      resolveOffset(last.offset);
      this.#committer.add({ topic, partition, offset: (BigInt(last.offset) + 1n).toString() });
      if (this.#stopping) {
        // kafkajs no longer commits for a stopping consumer (commitOffsets returns without sending), but
        // the batch's own commit still goes through
        await this.#committer.flush((offsets) => commitOffsetsIfNecessary({ topics: offsets.map(({ topic: t, partition: p, offset }) => ({ topic: t, partitions: [{ partition: p, offset }] })) }));
      }
    }
    await heartbeat();
    this.#options.onPublished?.(result);
  }

  async #hasCommittedOffsets(admin: Admin): Promise<boolean> {
    const t = this.#config.topics;
    const committed = await admin.fetchOffsets({ groupId: this.#config.scorer.groupId, topics: [t.uploads, t.embeddings, t.engagement] });
    return committed.some(({ partitions }) => partitions.some((p) => Number(p.offset) >= 0));
  }

  /**
   * The store's epoch changed under this scorer: Redis restarted empty (or another scorer of the group
   * already noticed that and wrote a new epoch). Adopts the new epoch, puts the in-memory model back if
   * the registry lost it too, and replays the assigned partitions from their first offsets, which
   * rebuilds every video's state through the same guarded writes (duplicates are no-ops). Concurrent
   * batches that notice it share one rebuild.
   */
  #rebuild(): Promise<void> {
    this.#rebuilding ??= (async () => {
      const epoch = await this.#epochs.ensure();
      this.#epoch = epoch.id;
      this.store.forgetHeldEmbeddings();
      this.#logger.warn(
        { key: this.#epochs.key, epoch: epoch.id, wroteEpoch: epoch.created },
        "Redis lost the scorer's state (the store epoch changed): replaying the assigned input partitions from the beginning to rebuild it; alerts already sent may be sent again",
      );
      const predictor = this.models.predictor;
      if (predictor !== null && (await this.#registry.currentVersion()) === null) {
        await this.#registry.publish(predictor.bundle);
        this.#logger.warn({ model_version: predictor.version }, "the model registry lost its models too: republished the model in use");
      }
      await this.#replayAssigned();
    })().finally(() => {
      this.#rebuilding = null;
    });
    return this.#rebuilding;
  }

  /**
   * Seeks every assigned input partition to its first offset and commits that at once, so that a
   * crash during the replay resumes the replay; batches fetched before the seek commit nothing.
   */
  async #replayAssigned(): Promise<void> {
    const admin = this.#kafka.admin();
    await admin.connect();
    try {
      const rewound: Array<{ topic: string; partition: number; offset: string }> = [];
      for (const [topic, partitions] of Object.entries(this.#assignment)) {
        const lows = new Map((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, o.low]));
        for (const partition of partitions) {
          const offset = lows.get(partition) ?? "0";
          rewound.push({ topic, partition, offset });
        }
      }
      this.#rewinds++;
      for (const target of rewound) this.#consumer.seek(target);
      await this.#committer.rewind(rewound);
      this.#logger.warn({ partitions: rewound }, "rewound the assigned partitions to rebuild the store");
    } finally {
      await admin.disconnect();
    }
  }

  /** The message decoded without waiting, when its writer schema is known already (else undefined). */
  #decodeKnown(topic: string, message: KafkaMessage): InputEvent | undefined {
    const t = this.#config.topics;
    const value = message.value ?? Buffer.alloc(0);
    if (topic === t.uploads) {
      const event = this.#serde.decodeKnown("video-uploaded", value);
      return event === undefined ? undefined : { kind: "upload", event };
    }
    if (topic === t.embeddings) {
      const event = this.#serde.decodeKnown("video-embedding", value);
      return event === undefined ? undefined : { kind: "embedding", event };
    }
    const event = this.#serde.decodeKnown("engagement-snapshot", value);
    return event === undefined ? undefined : { kind: "engagement", event };
  }

  /** An empty or null value decodes as a truncated message (a dead letter). */
  #decodeMessage(topic: string, message: KafkaMessage): Promise<InputEvent> {
    return this.#decode(topic, message.value ?? Buffer.alloc(0));
  }

  get running(): boolean {
    return this.#running;
  }
}

/** What `rescoreAll` did: videos scored, and videos the model cannot score with their stored inputs. */
export interface RescoreAllResult {
  readonly scored: number;
  readonly unscorable: PublishResult["unscorable"];
}

/** Scores every cached video with the given model (after `models publish --rescore-all`). */
export async function rescoreAll(config: Config, predictor: Predictor, logger: Logger): Promise<RescoreAllResult> {
  const redis = createRedis(config);
  const kafka = createKafka(config, logger);
  const producer = new IdempotentProducer(kafka, logger);
  await producer.connect();
  const store = new VideoStore(redis, config.redis.keyPrefix);
  const publisher = new ScorePublisher(config, new EventSerde(config.registry.url), producer, store, null);
  let scored = 0;
  const unscorable: Array<PublishResult["unscorable"][number]> = [];
  try {
    for await (const ids of store.videoIds()) {
      const { videos, rejected } = await store.readEach(ids);
      const result = await publisher.publish(videos.values(), predictor);
      scored += result.scores.length;
      unscorable.push(...result.unscorable);
      for (const [videoId, error] of rejected) unscorable.push({ videoId, reason: error.message });
    }
  } finally {
    await producer.disconnect();
    redis.disconnect();
  }
  return { scored, unscorable };
}
