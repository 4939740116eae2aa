/**
 * A round trip through every real service: register the contracts, produce an upload and an
 * engagement snapshot through the registry, consume and decode them, store a video hash in Redis
 * and read it back. `virality smoke` runs it; the demo runs it first.
 */
import { randomBytes } from "node:crypto";
import type { Config } from "../config.js";
import { EventSerde } from "../contracts/serde.js";
import { ViralityError } from "../errors.js";
import { createKafka, createProducer, ensureTopics } from "../ingest/kafka.js";
import type { Logger } from "../logger.js";
import { createRedis } from "../store/redis.js";

export interface SmokeResult {
  readonly videoId: string;
  readonly roundTripMs: number;
  readonly decoded: readonly string[];
}

export async function smokeRoundTrip(config: Config, logger: Logger): Promise<SmokeResult> {
  const started = Date.now();
  const videoId = `smoke-${randomBytes(4).toString("hex")}`;
  const serde = new EventSerde(config.registry.url);
  const kafka = createKafka(config, logger);
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, [config.topics.uploads, config.topics.engagement], config.topics.partitions);
  await admin.disconnect();

  const now = Date.now();
  const producer = createProducer(kafka);
  await producer.connect();
  const upload = await serde.encode(
    { topic: config.topics.uploads, contract: "video-uploaded" },
    {
      video_id: videoId,
      channel_id: "smoke-channel",
      uploaded_at: now,
      duration_seconds: 20,
      language: "en",
      captions: null,
      cluster_id: null,
      numeric_extras: {},
      categorical_extras: {},
      embedding: null,
    },
  );
  const engagement = await serde.encode(
    { topic: config.topics.engagement, contract: "engagement-snapshot" },
    {
      event_id: `${videoId}-1h`,
      video_id: videoId,
      window: "H1",
      observed_at: now + 3_600_000,
      views: 100,
      likes: 5,
      comments: 1,
      shares: 0,
      retention: null,
      watch_time_seconds: null,
    },
  );
  await producer.sendBatch({
    topicMessages: [
      { topic: config.topics.uploads, messages: [{ key: videoId, value: upload }] },
      { topic: config.topics.engagement, messages: [{ key: videoId, value: engagement }] },
    ],
  });
  await producer.disconnect();

  const consumer = kafka.consumer({ groupId: `virality-smoke-${videoId}` });
  const decoded: string[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [config.topics.uploads, config.topics.engagement], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new ViralityError("VIR_KAFKA_UNAVAILABLE", `smoke: events for ${videoId} did not come back within 60 s`)),
        60_000,
      );
      void consumer.run({
        eachMessage: async ({ topic, message }) => {
          if (message.key?.toString() !== videoId || !message.value) return;
          if (topic === config.topics.uploads) decoded.push(`VideoUploaded(${(await serde.decode("video-uploaded", message.value)).video_id})`);
          else decoded.push(`EngagementSnapshot(${(await serde.decode("engagement-snapshot", message.value)).views} views)`);
          if (decoded.length === 2) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
    await admin.connect();
    await admin.deleteGroups([`virality-smoke-${videoId}`]).catch(() => undefined);
    await admin.disconnect();
  }

  const redis = createRedis(config);
  try {
    const key = `${config.redis.keyPrefix}:smoke:{${videoId}}`;
    await redis.hset(key, { video_id: videoId });
    const back = await redis.hget(key, "video_id");
    await redis.del(key);
    if (back !== videoId) throw new ViralityError("VIR_REDIS_UNAVAILABLE", `smoke: Redis returned ${String(back)} for ${key}`);
  } finally {
    redis.disconnect();
  }
  return { videoId, roundTripMs: Date.now() - started, decoded };
}
