/**
 * Backtest replay speed: a simulated world produced to fresh topics, then `runBacktest` replays them
 * through the scorer code under its own group and keys. Prints input events, replay seconds (from the
 * replay scorer joining its group until it has committed everything) and events/s, and the backtest
 * table. Run it twice to check that the same topics give the same report.
 *
 *   node dist/bench/replay.js [--videos 20000]
 */
import { randomBytes } from "node:crypto";
import { loadConfig, topicsUnder } from "../src/config.js";
import { EventSerde } from "../src/contracts/serde.js";
import { runBacktest } from "../src/backtest/replay.js";
import { backtestSummaryText } from "../src/backtest/report.js";
import { produceEvents } from "../src/ingest/event-producer.js";
import { allTopics, createKafka, ensureTopics } from "../src/ingest/kafka.js";
import { createLogger } from "../src/logger.js";
import { discoverServices } from "../src/ops/services.js";
import { simulateWorld } from "../src/sim/world.js";
import { writeWorld } from "../src/sim/write.js";
import { train } from "../trainer/train.js";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const i = process.argv.indexOf("--videos");
const VIDEOS = i >= 0 ? Number(process.argv[i + 1]) : 20_000;

const services = await discoverServices();
const id = `replay-${randomBytes(3).toString("hex")}`;
const config = loadConfig({
  env: {},
  overrides: {
    kafka: { brokers: services.kafkaBrokers },
    registry: { url: services.registryUrl },
    redis: { url: services.redisUrl, keyPrefix: id },
    topics: topicsUnder(id),
    scorer: { groupId: `${id}.scorer` },
  },
});
const logger = createLogger("warn");
const dir = mkdtempSync(path.join(tmpdir(), "virality-replay-"));
const kafka = createKafka(config, logger);
const admin = kafka.admin();
await admin.connect();
try {
  const world = simulateWorld({ videos: VIDEOS, seed: 3 });
  const files = await writeWorld(world, dir);
  const { bundle } = await train({ fused: files.fused, features: files.parquet, seed: 3, importanceRepeats: 1 });
  await ensureTopics(admin, allTopics(config), config.topics.partitions);
  await produceEvents(kafka, new EventSerde(config.registry.url), config, world.events, { batchSize: 1000 });
  const runs = [];
  for (let run = 1; run <= 2; run++) {
    const result = await runBacktest(config, bundle, logger);
    runs.push(result);
    console.log(`replay ${run}: ${result.inputEvents.toLocaleString("en-US")} input events in ${result.replaySeconds.toFixed(2)} s = ${Math.round(result.eventsPerSecond).toLocaleString("en-US")} events/s  (goal ≥ 20,000)`);
  }
  const [a, b] = runs;
  console.log(`the two replays' reports are ${a !== undefined && b !== undefined && JSON.stringify(a.report) === JSON.stringify(b.report) ? "identical" : "DIFFERENT"}`);
  if (a !== undefined) console.log(backtestSummaryText(a.report));
} finally {
  const existing = new Set(await admin.listTopics());
  await admin.deleteTopics({ topics: allTopics(config).filter((t) => existing.has(t)) }).catch(() => undefined);
  await admin.disconnect();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
