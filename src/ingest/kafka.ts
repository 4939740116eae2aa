/**
 * The Kafka client and topic set-up. kafkajs logs through our pino logger.
 */
import { Kafka, logLevel, type Admin, type ITopicConfig, type LogEntry, type Producer, type ProducerConfig } from "kafkajs";
import type { Config } from "../config.js";
import { ViralityError } from "../errors.js";
import type { Logger } from "../logger.js";
import { javaCompatiblePartitioner } from "./partitioner.js";

const LEVELS: Record<number, "error" | "warn" | "info" | "debug"> = {
  [logLevel.ERROR]: "error",
  [logLevel.WARN]: "warn",
  [logLevel.INFO]: "info",
  [logLevel.DEBUG]: "debug",
};

/**
 * The level a kafkajs log entry is logged at. kafkajs' connection logs every error response at ERROR
 * ("Response InitProducerId …: The coordinator is loading", common while a broker starts), also when
 * it retries the request and succeeds; whoever made the request reports a failure that remains (our
 * retries warn, an error no retry can fix is fatal), so those entries are warnings here.
 */
export function kafkaLogLevel(entry: Pick<LogEntry, "namespace" | "level"> & { readonly log: { readonly message: string } }): "error" | "warn" | "info" | "debug" {
  if (entry.level === logLevel.ERROR && entry.namespace === "Connection" && entry.log.message.startsWith("Response ")) return "warn";
  return LEVELS[entry.level] ?? "info";
}

export function createKafka(config: Config, logger: Logger): Kafka {
  const log = logger.child({ component: "kafkajs" });
  return new Kafka({
    clientId: config.kafka.clientId,
    brokers: config.kafka.brokers,
    connectionTimeout: 5_000,
    requestTimeout: 30_000,
    retry: { initialRetryTime: 200, retries: 8 },
    logLevel: logLevel.WARN,
    logCreator: () => (entry: LogEntry) => {
      const { message, ...rest } = entry.log;
      log[kafkaLogLevel(entry)]({ namespace: entry.namespace, ...rest }, message);
    },
  });
}

/** Creates the topics that do not exist yet (idempotent). */
export async function ensureTopics(admin: Admin, topics: readonly string[], partitions: number): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing: ITopicConfig[] = [...new Set(topics)]
    .filter((t) => !existing.has(t))
    .map((topic) => ({ topic, numPartitions: partitions, replicationFactor: 1 }));
  if (missing.length === 0) return;
  try {
    await admin.createTopics({ topics: missing, waitForLeaders: true });
  } catch (cause) {
    // a concurrent creator is fine; anything else is not
    const still = new Set(await admin.listTopics());
    const absent = missing.filter((t) => !still.has(t.topic)).map((t) => t.topic);
    if (absent.length > 0) {
      throw new ViralityError("VIR_KAFKA_UNAVAILABLE", `could not create topics ${absent.join(", ")}`, { cause });
    }
  }
}

/** Every topic of the configuration, for set-up and clean-up. */
export function allTopics(config: Config): string[] {
  const t = config.topics;
  return [t.uploads, t.embeddings, t.engagement, t.outcomes, t.scores, t.alerts, t.deadLetter];
}

/** A producer with the Java-compatible (murmur2) partitioner, so keys land where Java clients put them. */
export function createProducer(kafka: Kafka, options: Omit<ProducerConfig, "createPartitioner"> = {}): Producer {
  // an idempotent producer must not give up on a send (kafkajs warns otherwise): keep retrying, backing off
  const retry = options.idempotent === true ? { retry: { retries: Number.MAX_SAFE_INTEGER, maxRetryTime: 5_000 } } : {};
  return kafka.producer({ createPartitioner: javaCompatiblePartitioner, ...retry, ...options });
}
