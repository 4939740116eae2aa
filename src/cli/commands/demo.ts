/**
 * `virality demo` (npm run demo): the whole loop on this machine. Starts the local stack, simulates a
 * world, trains the three stage models, publishes the bundle, starts a scorer, streams the events at
 * an accelerated clock while showing the top predicted videos and alerts, then replays the topics as
 * a backtest of the videos the model held out and prints its summary. Also `virality simulate`, `virality import seismic` and
 * `virality backtest`.
 */
import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import type { Command } from "commander";
import { InvalidArgumentError } from "commander";
import { runBacktest } from "../../backtest/replay.js";
import { backtestSummaryText, writeBacktestReport } from "../../backtest/report.js";
import type { Config } from "../../config.js";
import type { VideoScore } from "../../contracts/generated/events.js";
import { EventSerde } from "../../contracts/serde.js";
import { produceEvents, type OutgoingEvent } from "../../ingest/event-producer.js";
import { topicEnds, waitCaughtUp } from "../../ingest/group-progress.js";
import { allTopics, createKafka, ensureTopics } from "../../ingest/kafka.js";
import { Scorer } from "../../ingest/scorer.js";
import { createLogger } from "../../logger.js";
import { loadBundle, saveBundle } from "../../model/bundle.js";
import { importSeismicCommand, simulateCommand } from "../../sim/commands.js";
import { ModelRegistry } from "../../store/model-registry.js";
import { createRedis, deleteKeysWithPrefix } from "../../store/redis.js";
import { simulateWorld } from "../../sim/world.js";
import { writeWorld } from "../../sim/write.js";
import { train } from "../../../trainer/train.js";
import { writeReports } from "../../../trainer/report-files.js";
import { summaryTable } from "./train.js";
import { parseSeed } from "./seed-flag.js";

function int(name: string): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive whole number, got "${v}"`);
    return n;
  };
}

/** The demo's own topics and keys, so it never touches a user's live ones. */
export function demoConfig(base: Config): Config {
  const t = base.topics;
  return {
    ...base,
    topics: { ...t, uploads: `demo.${t.uploads}`, embeddings: `demo.${t.embeddings}`, engagement: `demo.${t.engagement}`, outcomes: `demo.${t.outcomes}`, scores: `demo.${t.scores}`, alerts: `demo.${t.alerts}`, deadLetter: `demo.${t.deadLetter}` },
    redis: { ...base.redis, keyPrefix: `${base.redis.keyPrefix}-demo` },
    scorer: { ...base.scorer, groupId: `${base.scorer.groupId}-demo`, modelPollMs: 1_000 },
  };
}

async function resetDemo(config: Config): Promise<void> {
  const admin = createKafka(config, createLogger("silent")).admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const mine = allTopics(config).filter((t) => existing.has(t));
    if (mine.length > 0) await admin.deleteTopics({ topics: mine, timeout: 30_000 });
    await admin.deleteGroups([config.scorer.groupId]).catch(() => undefined);
    // topic deletion is asynchronous in Kafka: wait until they are gone before re-creating them
    for (let i = 0; i < 50; i++) {
      const left = new Set(await admin.listTopics());
      if (!mine.some((t) => left.has(t))) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await ensureTopics(admin, allTopics(config), config.topics.partitions);
  } finally {
    await admin.disconnect();
  }
  const redis = createRedis(config);
  try {
    await deleteKeysWithPrefix(redis, config.redis.keyPrefix);
  } finally {
    redis.disconnect();
  }
}

function topTable(latest: ReadonlyMap<string, VideoScore>, alerts: number, sent: number, total: number): string {
  const top = [...latest.values()].sort((a, b) => b.predicted_views - a.predicted_views || (a.video_id < b.video_id ? -1 : 1)).slice(0, 5);
  const lines = [`events ${sent}/${total}  videos scored ${latest.size}  alerts ${alerts}`, "  top predicted            stage   views (90% interval)"];
  for (const s of top) {
    lines.push(`  ${s.video_id.padEnd(24)} ${s.stage.padEnd(7)} ${Math.round(s.predicted_views).toLocaleString("en-US")} (${Math.round(s.interval_low).toLocaleString("en-US")}–${Math.round(s.interval_high).toLocaleString("en-US")})`);
  }
  return lines.join("\n");
}

/** Ctrl-C stopped the demo between steps: everything written so far is whole, nothing after it was started. */
export class DemoInterrupted extends Error {
  constructor(readonly step: string) {
    super(`demo interrupted during ${step}`);
    this.name = "DemoInterrupted";
  }
}

export interface DemoOptions {
  readonly videos: number;
  readonly seconds: number;
  readonly out: string;
  readonly seed: number;
}

export async function runDemo(base: Config, options: DemoOptions, say: (line: string) => void = console.log): Promise<{ scored: number; backtest: Awaited<ReturnType<typeof runBacktest>> }> {
  const started = Date.now();
  const logger = createLogger("warn");
  const config = demoConfig(base);
  let interrupted = false;
  let step = "start-up";
  const onSigint = (): void => {
    interrupted = true;
    say(`\ninterrupted: stopping after the current ${step} step (files already written stay whole; Ctrl-C again quits at once)`);
  };
  /** Stops between steps once Ctrl-C was pressed. */
  const checkpoint = (next: string): void => {
    if (interrupted) throw new DemoInterrupted(step);
    step = next;
  };
  process.once("SIGINT", onSigint);
  try {
    checkpoint("simulation");
    say(`1/6 simulating ${options.videos} videos (seed ${options.seed}) → ${options.out}/world`);
    const world = simulateWorld({ videos: options.videos, seed: options.seed });
    const files = await writeWorld(world, path.join(options.out, "world"));

    checkpoint("training");
    say("2/6 training the upload, 1h and 6h models");
    const result = await train({ fused: files.fused, features: files.parquet, seed: options.seed });
    checkpoint("training");
    const modelDir = path.join(options.out, "model");
    await mkdir(modelDir, { recursive: true });
    await saveBundle(result.bundle, path.join(modelDir, "model.json"));
    const reports = await writeReports(result, modelDir, { seed: options.seed, testFraction: 0.2, calibrationFraction: 0.2 });
    say(summaryTable(result));

    checkpoint("topic reset");
    say(`3/6 resetting the demo topics (demo.*) and publishing model ${result.bundle.version}`);
    await resetDemo(config);
    const redis = createRedis(config);
    await new ModelRegistry(redis, config.redis.keyPrefix).publish(result.bundle);
    redis.disconnect();

    checkpoint("streaming");
    say("4/6 starting a scorer");
    const latest = new Map<string, VideoScore>();
    let alerts = 0;
    const scorer = new Scorer(config, logger, {
      fromBeginning: true,
      onPublished: (r) => {
        for (const s of r.scores) latest.set(s.video_id, s);
        alerts += r.alerts.length;
      },
    });
    await scorer.start();

    const events: readonly OutgoingEvent[] = world.events;
    const span = (events.at(-1)?.at ?? 0) - (events[0]?.at ?? 0);
    const speedup = Math.max(1, span / (options.seconds * 1000));
    say(`5/6 streaming ${events.length} events (${(span / 86_400_000).toFixed(0)} days of event time at ×${Math.round(speedup).toLocaleString("en-US")})`);
    const tty = process.stdout.isTTY === true;
    let sent = 0;
    let lastDraw = 0;
    let drawnLines = 0;
    const draw = (force = false): void => {
      const now = Date.now();
      if (!force && now - lastDraw < (tty ? 1_000 : 10_000)) return;
      lastDraw = now;
      const text = topTable(latest, alerts, sent, events.length);
      if (tty && drawnLines > 0) process.stdout.write(`\x1b[${drawnLines}A\x1b[J`);
      process.stdout.write(`${text}\n`);
      drawnLines = text.split("\n").length;
    };
    const ticker = setInterval(() => draw(), 500);
    try {
      await produceEvents(createKafka(config, logger), new EventSerde(config.registry.url), config, events, {
        speedup,
        batchSize: 200,
        onProgress: (n) => {
          sent = n;
        },
        shouldStop: () => interrupted,
        logger,
      });
      const admin = createKafka(config, logger).admin();
      await admin.connect();
      const t = config.topics;
      await waitCaughtUp(admin, config.scorer.groupId, await topicEnds(admin, [t.uploads, t.embeddings, t.engagement]), {
        shouldStop: () => interrupted,
      });
      await admin.disconnect();
    } finally {
      clearInterval(ticker);
      draw(true);
      await scorer.stop();
    }
    checkpoint("backtest");

    say("6/6 backtest: replaying the topics through the scorer code under its own group and keys");
    const backtest = await runBacktest(config, await loadBundle(path.join(modelDir, "model.json")), logger, { shouldStop: () => interrupted });
    // a replay stopped part-way evaluates part of the stream: never written over the last whole report
    checkpoint("report");
    const btDir = path.join(options.out, "backtest");
    await rm(btDir, { recursive: true, force: true });
    const bt = await writeBacktestReport(backtest.report, btDir);
    say(backtestSummaryText(backtest.report));
    say(`replayed ${backtest.inputEvents} events in ${backtest.replaySeconds.toFixed(1)} s (${Math.round(backtest.eventsPerSecond).toLocaleString("en-US")} events/s)`);
    say(`\ntraining report  ${reports.html}\nbacktest report  ${bt.html}\n                 ${bt.json}\ndemo done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    return { scored: latest.size, backtest };
  } finally {
    process.removeListener("SIGINT", onSigint);
  }
}

export function registerDemo(program: Command, configOf: (command: Command) => Promise<Config>): void {
  program
    .command("demo")
    .description("the whole loop: stack, simulated world, training, scorer with a live table, backtest")
    .option("--videos <n>", "videos in the simulated world", int("--videos"), 3000)
    .option("--seconds <n>", "wall-clock seconds to stream the world's weeks of events in", int("--seconds"), 60)
    .option("--seed <n>", "world and training seed", parseSeed, 7)
    .option("--out <dir>", "where the world, model and reports go", ".virality/demo")
    .action(async (options: DemoOptions, command: Command) => {
      console.log("virality demo: starting the local stack if needed (the first run downloads Kafka and Apicurio from Maven Central)…");
      const config = await configOf(command);
      try {
        await runDemo(config, options);
      } catch (error) {
        if (!(error instanceof DemoInterrupted)) throw error;
        console.log(`${error.message}: nothing half-written under ${options.out} (each file is written whole or not at all); run \`npm run demo\` again to start over`);
        process.exit(130);
      }
      process.exit(0);
    });

  program
    .command("simulate")
    .description("write a seeded simulated world: fused.pt, features.csv/.parquet, events.jsonl")
    .option("--out <dir>", "output folder", "world")
    .option("--videos <n>", "videos", int("--videos"), 3000)
    .option("--channels <n>", "channels", int("--channels"), 150)
    .option("--dim <n>", "embedding dimension", int("--dim"), 64)
    .option("--weeks <n>", "weeks of uploads", int("--weeks"), 6)
    .option("--seed <n>", "seed", parseSeed, 42)
    .action(async (options: { out: string; videos: number; channels: number; dim: number; weeks: number; seed: number }) => {
      const summary = await simulateCommand(options);
      console.log(JSON.stringify(summary, null, 2));
    });

  program
    .command("import")
    .description("import real data")
    .command("seismic")
    .description("turn the SEISMIC retweet cascades into the table/fused.pt/events format")
    .argument("<dir>", "the seismic-retweets folder")
    .option("--out <dir>", "output folder", "seismic")
    .action(async (dir: string, options: { out: string }) => {
      const summary = await importSeismicCommand({ dir, out: options.out });
      console.log(JSON.stringify(summary, null, 2));
    });

  program
    .command("backtest")
    .description("replay the input topics through the scorer under its own group and keys; evaluate the videos the bundle held out against video.outcomes")
    .requiredOption("--bundle <file>", "the model bundle to replay with")
    .option("--out <dir>", "report folder", "backtest")
    .action(async (options: { bundle: string; out: string }, command: Command) => {
      const config = await configOf(command);
      const bundle = await loadBundle(options.bundle);
      const run = await runBacktest(config, bundle, createLogger("warn"));
      const files = await writeBacktestReport(run.report, options.out);
      console.log(backtestSummaryText(run.report));
      console.log(`replayed ${run.inputEvents} events in ${run.replaySeconds.toFixed(1)} s (${Math.round(run.eventsPerSecond)} events/s)\n${files.html}\n${files.json}`);
    });
}
