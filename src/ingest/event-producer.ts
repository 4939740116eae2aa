/**
 * Producing input events (uploads, embeddings, engagement, outcomes) to their topics through the
 * registry, in batches, optionally paced by an accelerated clock. Used by the demo, the benches and the
 * tests; produceEventStream feeds `virality produce` from a file.
 */
import type { Kafka, Message } from "kafkajs";
import type { Config } from "../config.js";
import type { EngagementSnapshot, VideoEmbedding, VideoOutcome, VideoUploaded } from "../contracts/generated/events.js";
import type { EventSerde } from "../contracts/serde.js";
import type { TopicCounts } from "./events-file.js";
import { createLogger, type Logger } from "../logger.js";
import { IdempotentProducer, type BatchSender } from "./idempotent-producer.js";

export type InputTopic = "uploads" | "embeddings" | "engagement" | "outcomes";

export type OutgoingEvent =
  | { readonly topic: "uploads"; readonly key: string; readonly value: VideoUploaded; readonly at?: number }
  | { readonly topic: "embeddings"; readonly key: string; readonly value: VideoEmbedding; readonly at?: number }
  | { readonly topic: "engagement"; readonly key: string; readonly value: EngagementSnapshot; readonly at?: number }
  | { readonly topic: "outcomes"; readonly key: string; readonly value: VideoOutcome; readonly at?: number };

export interface ProduceOptions {
  /** Messages per send; default 500. */
  readonly batchSize?: number;
  /** Event-time ms per wall-clock ms (e.g. 3600 plays an hour per second); unset: as fast as possible. */
  readonly speedup?: number;
  readonly onProgress?: (sent: number, total: number) => void;
  /** Stop early (Ctrl-C): checked between batches. */
  readonly shouldStop?: () => boolean;
  /** Where the producer says it had to recover (see IdempotentProducer); default: nowhere. */
  readonly logger?: Logger;
}

export async function encodeEvent(serde: EventSerde, config: Config, event: OutgoingEvent): Promise<{ topic: string; message: Message }> {
  const t = config.topics;
  // the Kafka timestamp is the send time (event.at may lie in the past: retention would drop it)
  const base = { key: event.key };
  switch (event.topic) {
    case "uploads":
      return { topic: t.uploads, message: { ...base, value: await serde.encode({ topic: t.uploads, contract: "video-uploaded" }, event.value) } };
    case "embeddings":
      return { topic: t.embeddings, message: { ...base, value: await serde.encode({ topic: t.embeddings, contract: "video-embedding" }, event.value) } };
    case "engagement":
      return { topic: t.engagement, message: { ...base, value: await serde.encode({ topic: t.engagement, contract: "engagement-snapshot" }, event.value) } };
    case "outcomes":
      return { topic: t.outcomes, message: { ...base, value: await serde.encode({ topic: t.outcomes, contract: "video-outcome" }, event.value) } };
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * One request: the events encoded and grouped by topic, acknowledged by all in-sync replicas. With
 * `stamp`, every record gets the Kafka timestamp it returns, asked once the events are encoded (a load
 * generator measuring latency from the record timestamp); otherwise the producer stamps them.
 */
export async function sendEvents(
  producer: BatchSender,
  serde: EventSerde,
  config: Config,
  events: readonly OutgoingEvent[],
  stamp?: () => number,
): Promise<void> {
  const byTopic = new Map<string, Message[]>();
  for (const event of events) {
    const { topic, message } = await encodeEvent(serde, config, event);
    const list = byTopic.get(topic) ?? [];
    list.push(message);
    byTopic.set(topic, list);
  }
  if (stamp !== undefined) {
    const timestamp = String(stamp());
    for (const messages of byTopic.values()) for (const message of messages) message.timestamp = timestamp;
  }
  await producer.sendBatch({ topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })), acks: -1 });
}

/** Produces the events in order; returns how many were sent. */
export async function produceEvents(
  kafka: Kafka,
  serde: EventSerde,
  config: Config,
  events: readonly OutgoingEvent[],
  options: ProduceOptions = {},
): Promise<number> {
  const producer = new IdempotentProducer(kafka, options.logger ?? createLogger("silent"));
  await producer.connect();
  const batchSize = options.batchSize ?? 500;
  const startWall = Date.now();
  const startEvent = events[0]?.at ?? 0;
  let sent = 0;
  try {
    for (let i = 0; i < events.length; i += batchSize) {
      if (options.shouldStop?.() === true) break;
      const slice = events.slice(i, i + batchSize);
      if (options.speedup !== undefined) {
        const due = ((slice[0]?.at ?? startEvent) - startEvent) / options.speedup;
        const wait = due - (Date.now() - startWall);
        if (wait > 0) await sleep(wait);
      }
      await sendEvents(producer, serde, config, slice);
      sent += slice.length;
      options.onProgress?.(sent, events.length);
    }
  } finally {
    await producer.disconnect();
  }
  return sent;
}

export interface StreamProduceOptions {
  /** Messages per send; default 500. */
  readonly batchSize?: number;
  readonly onProgress?: (sent: number) => void;
  /** Stop early (Ctrl-C): checked between batches. */
  readonly shouldStop?: () => boolean;
  /** Where the producer says it had to recover (see IdempotentProducer); default: nowhere. */
  readonly logger?: Logger;
}

/**
 * Produces events as they come (a file read line by line), in order, as fast as possible through one
 * producer, without holding them all in memory; returns how many went to each input topic.
 */
export async function produceEventStream(
  kafka: Kafka,
  serde: EventSerde,
  config: Config,
  events: AsyncIterable<OutgoingEvent>,
  options: StreamProduceOptions = {},
): Promise<TopicCounts> {
  const producer = new IdempotentProducer(kafka, options.logger ?? createLogger("silent"));
  await producer.connect();
  const batchSize = options.batchSize ?? 500;
  const counts: TopicCounts = { uploads: 0, embeddings: 0, engagement: 0, outcomes: 0 };
  let sent = 0;
  let batch: OutgoingEvent[] = [];
  const flush = async (): Promise<void> => {
    await sendEvents(producer, serde, config, batch);
    for (const event of batch) counts[event.topic]++;
    sent += batch.length;
    batch = [];
    options.onProgress?.(sent);
  };
  try {
    for await (const event of events) {
      batch.push(event);
      if (batch.length < batchSize) continue;
      await flush();
      if (options.shouldStop?.() === true) return counts;
    }
    if (batch.length > 0) await flush();
  } finally {
    await producer.disconnect();
  }
  return counts;
}
