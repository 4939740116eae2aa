/**
 * `virality produce <events.jsonl>`: puts an events file (from `virality simulate` or `virality import
 * seismic`) onto the configured input topics through the schema registry, so that `virality backtest`
 * (or a live `virality score`) can consume it. The whole file is checked before anything is sent.
 */
import type { Command } from "commander";
import type { Config } from "../../config.js";
import { EventSerde } from "../../contracts/serde.js";
import { produceEventStream, type InputTopic } from "../../ingest/event-producer.js";
import { checkEventsFile, INPUT_TOPICS, readEventsFile, type EventsFileSummary, type TopicCounts } from "../../ingest/events-file.js";
import { topicEnds } from "../../ingest/group-progress.js";
import { createKafka, ensureTopics } from "../../ingest/kafka.js";
import { createLogger } from "../../logger.js";

export interface ProduceFileOptions {
  /** Events sent so far, of `total`. */
  readonly onProgress?: (sent: number, total: number) => void;
  /** Called once per input topic that already held messages before this run. */
  readonly onNotEmpty?: (topic: string, messages: bigint) => void;
  readonly shouldStop?: () => boolean;
}

export interface ProduceFileResult {
  /** Events sent per input topic. */
  readonly counts: TopicCounts;
  readonly sent: number;
  readonly seconds: number;
  /** Stopped early (shouldStop): fewer events sent than the file holds. */
  readonly interrupted: boolean;
}

function topicOf(config: Config, topic: InputTopic): string {
  return config.topics[topic];
}

/** Sends a checked events file (see checkEventsFile) to the configured topics, creating those missing. */
export async function produceEventsFile(config: Config, file: EventsFileSummary, options: ProduceFileOptions = {}): Promise<ProduceFileResult> {
  const started = Date.now();
  const logger = createLogger("warn");
  const kafka = createKafka(config, logger);
  const topics = INPUT_TOPICS.map((t) => topicOf(config, t));
  const admin = kafka.admin();
  await admin.connect();
  try {
    await ensureTopics(admin, topics, config.topics.partitions);
    const ends = await topicEnds(admin, topics);
    for (const topic of topics) {
      let messages = 0n;
      for (const [key, end] of ends) if (key.slice(0, key.lastIndexOf("/")) === topic) messages += end;
      if (messages > 0n) options.onNotEmpty?.(topic, messages);
    }
  } finally {
    await admin.disconnect();
  }
  const counts = await produceEventStream(kafka, new EventSerde(config.registry.url), config, readEventsFile(file.file), {
    onProgress: (sent) => options.onProgress?.(sent, file.events),
    logger,
    ...(options.shouldStop ? { shouldStop: options.shouldStop } : {}),
  });
  const sent = INPUT_TOPICS.reduce((sum, t) => sum + counts[t], 0);
  return { counts, sent, seconds: (Date.now() - started) / 1000, interrupted: sent < file.events };
}

/** The final table: events per topic, as sent. */
export function countsTable(config: Config, counts: TopicCounts): string {
  const width = Math.max(...INPUT_TOPICS.map((t) => topicOf(config, t).length));
  return INPUT_TOPICS.map((t) => `  ${t.padEnd(10)}  ${topicOf(config, t).padEnd(width)}  ${counts[t].toLocaleString("en-US").padStart(9)}`).join("\n");
}

const HELP = `
The file's "topic" field (uploads, embeddings, engagement, outcomes) picks the input topic; the topic
names come from the configuration. Missing topics are created with topics.partitions partitions
(VIRALITY_TOPIC_PARTITIONS, default 3). The whole file is checked first: a malformed line stops the
command, naming file:line, before anything is sent. Producing a file twice appends it twice.

To keep a data set on its own topics (and away from a live scorer's), set the topic names, the
consumer group and the Redis key prefix, and use the same settings for \`virality backtest\`:

  export VIRALITY_TOPIC_UPLOADS=seismic.uploads VIRALITY_TOPIC_EMBEDDINGS=seismic.embeddings \\
         VIRALITY_TOPIC_ENGAGEMENT=seismic.engagement VIRALITY_TOPIC_OUTCOMES=seismic.outcomes \\
         VIRALITY_TOPIC_SCORES=seismic.scores VIRALITY_TOPIC_ALERTS=seismic.alerts \\
         VIRALITY_TOPIC_DLQ=seismic.dlq VIRALITY_GROUP_ID=virality-seismic \\
         VIRALITY_REDIS_KEY_PREFIX=virality-seismic
  virality produce seismic/events.jsonl
  virality backtest --bundle models/model.json --out seismic-backtest

or the same in an options file, \`virality --config seismic.yaml produce …\`:

  topics: { uploads: seismic.uploads, embeddings: seismic.embeddings, engagement: seismic.engagement,
            outcomes: seismic.outcomes, scores: seismic.scores, alerts: seismic.alerts, deadLetter: seismic.dlq }
  scorer: { groupId: virality-seismic }
  redis: { keyPrefix: virality-seismic }
`;

export function registerProduce(program: Command, configOf: (command: Command) => Promise<Config>): void {
  program
    .command("produce")
    .description("put an events file (events.jsonl from simulate or import) onto the input topics, e.g. before a backtest")
    .argument("<events.jsonl>", "one delivery a line: {topic, key, at, value}")
    .addHelpText("after", HELP)
    .action(async (file: string, _options: unknown, command: Command) => {
      const checkStarted = Date.now();
      const summary = await checkEventsFile(file);
      process.stderr.write(`checked ${summary.events.toLocaleString("en-US")} events in ${file} (${((Date.now() - checkStarted) / 1000).toFixed(1)} s)\n`);
      const config = await configOf(command);
      let interrupted = false;
      const onSigint = (): void => {
        interrupted = true;
        process.stderr.write("\ninterrupted: stopping after the batch in flight\n");
      };
      process.once("SIGINT", onSigint);
      let lastReport = Date.now();
      try {
        const result = await produceEventsFile(config, summary, {
          onNotEmpty: (topic, messages) =>
            process.stderr.write(`note: topic ${topic} already holds ${messages.toLocaleString("en-US")} messages; this run adds to them\n`),
          onProgress: (sent, total) => {
            if (Date.now() - lastReport < 2_000 || sent === total) return;
            lastReport = Date.now();
            process.stderr.write(`produced ${sent.toLocaleString("en-US")} / ${total.toLocaleString("en-US")} events (${Math.floor((100 * sent) / total)}%)\n`);
          },
          shouldStop: () => interrupted,
        });
        const what = result.interrupted ? `interrupted: produced ${result.sent.toLocaleString("en-US")} of ${summary.events.toLocaleString("en-US")}` : `produced ${result.sent.toLocaleString("en-US")}`;
        console.log(`${what} events from ${file} in ${result.seconds.toFixed(1)} s (${config.kafka.brokers.join(",")}):\n${countsTable(config, result.counts)}`);
        if (result.interrupted) process.exitCode = 130;
      } finally {
        process.removeListener("SIGINT", onSigint);
      }
    });
}
