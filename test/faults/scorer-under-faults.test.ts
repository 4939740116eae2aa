// The fault suite: a real scorer process consumes a stream of over 100,000 events (duplicates, reordering)
// from a Kafka broker and into a Redis of this test's own, while the test stops and restarts Redis, restarts
// it empty, stops and restarts the broker, and cuts connections at random through a TCP proxy. After each
// fault the scorer (never restarted) has resumed by itself, committed every event, holds every input, and
// ends with the same final score per video as the no-fault run; its logs say what happened.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { after, before, test, type TestContext } from "node:test";
import type { Config } from "../../src/config.js";
import { IdempotentProducer } from "../../src/ingest/idempotent-producer.js";
import { createKafka, createProducer, ensureTopics } from "../../src/ingest/kafka.js";
import { createLogger } from "../../src/logger.js";
import { createRedis } from "../../src/store/redis.js";
import { VideoStore } from "../../src/store/video-store.js";
import { PrivateStack } from "../support/private-stack.js";
import { freePort } from "../../src/ops/free-port.js";
import { startScorerProcess, type LogLine, type ScorerProcess } from "../support/scorer-process.js";
import { ScoringHarness, trainedWorld } from "../support/scoring.js";
import { testConfig, uniqueName } from "../support/services.js";
import { TcpProxy } from "../support/tcp-proxy.js";
import { random } from "../support/random.js";
import { comparable, faultStream, LatestScores, type FaultStream } from "./fault-stream.js";

/** 30,000 videos: 90,000 events, 15,000 separate embeddings, 6,000 duplicates (111,000 in all). */
const VIDEOS = Number(process.env["VIRALITY_FAULT_VIDEOS"] ?? 30_000);
const EVENTS_IN = "virality_events_in_total";
const seed = Number(process.env["VIRALITY_TEST_SEED"] ?? Math.floor(Math.random() * 1e9));

const missing = ["redis-server", "java"].filter((tool) => {
  try {
    execFileSync("sh", ["-c", `command -v ${tool}`], { stdio: "ignore" });
    return false;
  } catch {
    return true;
  }
});
const skip = missing.length > 0 ? `needs ${missing.join(" and ")} to run a private Kafka and Redis (deploy/local/stack.sh)` : false;

let stack: PrivateStack | undefined;
let kafkaProxy: TcpProxy | undefined;
let redisProxy: TcpProxy | undefined;
/** The no-fault run's final score per video index, without scored_at and video_id. */
let baseline: Array<ReturnType<typeof comparable>> | undefined;

before(async () => {
  if (skip !== false) return;
  // the broker's second listener sends its clients to the proxy's port: the scorer in the proxy test
  // reaches Kafka only through it, while the test's own producer and watcher use the first listener
  const kafkaProxyPort = await freePort();
  stack = await PrivateStack.create({ kafkaProxiedAdvertisedPort: kafkaProxyPort });
  await stack.up("redis", "kafka");
  kafkaProxy = await TcpProxy.start({ host: "127.0.0.1", port: stack.kafkaProxiedPort ?? 0 }, kafkaProxyPort, { kafka: true });
  redisProxy = await TcpProxy.start({ host: "127.0.0.1", port: stack.redisPort });
});

after(async () => {
  await kafkaProxy?.close();
  await redisProxy?.close();
  await stack?.destroy();
});

function privateStack(): PrivateStack {
  if (stack === undefined) throw new Error("the private stack did not start");
  return stack;
}

interface Run {
  readonly h: ScoringHarness;
  readonly stream: FaultStream;
  /** The scorer process now running. */
  readonly scorer: ScorerProcess;
  /** Stops the running scorer with `signal` and starts another of the same group. */
  replaceScorer(signal: NodeJS.Signals): Promise<ScorerProcess>;
  /** Produces events [from, to) of the stream. */
  produce(from: number, to: number): Promise<void>;
  /** Polls until the scorer has consumed at least `count` events (redeliveries count too). */
  consumed(count: number): Promise<void>;
  /** Waits until every event is committed and every video's last score is its final one. */
  finish(timeoutMs?: number): Promise<void>;
}

async function startRun(t: TestContext, name: string, scorerConfig: (config: Config) => Config = (c) => c): Promise<Run> {
  const s = privateStack();
  const { world, bundle } = await trainedWorld();
  // registered before the harness's clean-up (hooks run in order): the scorers die before their topics go
  const processes: ScorerProcess[] = [];
  t.after(() => Promise.all(processes.map((p) => p.kill())));
  const h = await ScoringHarness.create(t, {
    kafka: { brokers: s.kafkaBrokers, clientId: uniqueName("faults") },
    redis: { url: s.redisUrl, keyPrefix: uniqueName("faults") },
    scorer: { groupId: uniqueName(name), modelPollMs: 500, sessionTimeoutMs: 10_000 },
  });
  await h.publishModel(bundle);
  const stream = faultStream(world, bundle, uniqueName(name), VIDEOS, random(seed));
  let scorer = await startScorerProcess(scorerConfig(h.config));
  processes.push(scorer);
  const latest = new LatestScores();
  const done = (): boolean => {
    const last = latest.update(h.scores);
    if (last.size < stream.videoIds.length) return false;
    return stream.videoIds.every((id) => last.get(id)?.score.predicted_target === stream.expected.get(id));
  };
  return {
    h,
    stream,
    get scorer() {
      return scorer;
    },
    async replaceScorer(signal) {
      await scorer.kill(signal);
      scorer = await startScorerProcess(scorerConfig(h.config));
      processes.push(scorer);
      return scorer;
    },
    produce: (from, to) => scorer.whileRunning(h.produce(stream.events.slice(from, to))),
    async consumed(count) {
      const start = Date.now();
      while (((await scorer.metric(EVENTS_IN)) ?? 0) < count) {
        if (!scorer.running) await scorer.whileRunning(Promise.resolve());
        if (Date.now() - start > 120_000) throw new Error(`the scorer did not consume ${count} events in 120 s; it logged:\n${scorer.tail(30)}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async finish(timeoutMs = 180_000) {
      try {
        await scorer.whileRunning(h.waitCaughtUp(timeoutMs));
        await scorer.whileRunning(h.waitFor("every video's final score", done, timeoutMs));
      } catch (error) {
        // what the scorer last said is the first thing anyone debugging this needs, and the seed replays it
        throw new Error(`${String(error)} (VIRALITY_TEST_SEED=${seed}); the scorer last logged:\n${scorer.tail(40)}`, { cause: error });
      }
    },
  };
}

/** The checks every run ends with (see the file's first comment). */
async function assertFinalState(t: TestContext, run: Run): Promise<Array<ReturnType<typeof comparable>>> {
  const { h, stream, scorer } = run;
  const last = new LatestScores().update(h.scores);
  const finals = stream.videoIds.map((id, i) => {
    const score = last.get(id)?.score;
    assert.ok(score !== undefined, `${id} has no score`);
    assert.equal(score.stage, "H6", `${id} (#${i}) ends at stage ${score.stage}`);
    assert.equal(score.predicted_target, stream.expected.get(id), `${id} (#${i}): final score`);
    return comparable(score);
  });
  if (baseline !== undefined) {
    const differ = finals.flatMap((f, i) => (JSON.stringify(f) === JSON.stringify(baseline?.[i]) ? [] : [i]));
    assert.deepEqual(differ.slice(0, 5), [], `${differ.length} videos end with another score than in the no-fault run`);
  }
  // no input lost: the store holds every video's upload, embedding and both snapshots
  const redis = createRedis(h.config);
  try {
    const store = new VideoStore(redis, h.config.redis.keyPrefix);
    for (let i = 0; i < stream.videoIds.length; i += 1_000) {
      const ids = stream.videoIds.slice(i, i + 1_000);
      const stored = await store.read(ids);
      for (const id of ids) {
        const records = stored.get(id)?.records;
        assert.ok(records !== undefined && records.upload !== null && records.embedding !== null, `${id}: upload or embedding not stored`);
        assert.deepEqual(records.engagement.map((e) => e.window), ["1h", "6h"], `${id}: snapshots stored`);
      }
    }
  } finally {
    redis.disconnect();
  }
  // it resumed by itself: the one process is still running, and consumed every event at least once
  assert.ok(scorer.running, "the scorer is still running");
  assert.ok(((await scorer.metric(EVENTS_IN)) ?? 0) >= stream.events.length);
  t.diagnostic(`${stream.events.length} events (${stream.duplicates} duplicates), ${stream.videoIds.length} videos, ${h.scores.length} scores published, seed ${seed}`);
  return finals;
}

const warnings = (scorer: ScorerProcess, from = 0): LogLine[] => scorer.logs.slice(from).filter((l) => typeof l["level"] === "number" && l["level"] >= 40);
const mentions = (lines: readonly LogLine[], pattern: RegExp): boolean => lines.some((l) => pattern.test(JSON.stringify(l)));

test("no-fault run: every video ends with the bundle's score for all its inputs", { skip, timeout: 300_000 }, async (t) => {
  const run = await startRun(t, "nofault");
  assert.ok(run.stream.events.length >= 100_000 || VIDEOS < 30_000, `${run.stream.events.length} events`);
  await run.produce(0, run.stream.events.length);
  await run.finish();
  baseline = await assertFinalState(t, run);
});

test("redis-stopped-and-restarted: the scorer retries, keeps its state and loses nothing", { skip, timeout: 300_000 }, async (t) => {
  const run = await startRun(t, "redis");
  const n = run.stream.events.length;
  await run.produce(0, Math.floor(n * 0.4));
  await run.consumed(Math.floor(n * 0.25));
  const mark = run.scorer.logs.length;
  await privateStack().down("redis");
  // the stream goes on while Redis is down: the scorer must hold these batches, not skip or dead-letter them
  await run.produce(Math.floor(n * 0.4), Math.floor(n * 0.7));
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  await privateStack().up("redis");
  await run.produce(Math.floor(n * 0.7), n);
  await run.finish();
  await assertFinalState(t, run);
  const logged = warnings(run.scorer, mark);
  assert.ok(mentions(logged, /writing to Redis failed|reading .* failed|ECONNREFUSED|Connection is closed/), `no log says Redis failed:\n${run.scorer.tail(20)}`);
  // Redis kept its data (append-only file): no rebuild was needed
  assert.ok(!mentions(run.scorer.logs, /lost the scorer's state/), "the scorer rebuilt although Redis kept its data");
});

test("redis-restarted-empty: the scorer notices, rebuilds the store from the topics and republishes its model", { skip, timeout: 300_000 }, async (t) => {
  const run = await startRun(t, "redisempty");
  const n = run.stream.events.length;
  await run.produce(0, Math.floor(n * 0.5));
  await run.consumed(Math.floor(n * 0.4));
  await privateStack().wipe("redis");
  await privateStack().up("redis");
  await run.produce(Math.floor(n * 0.5), n);
  await run.finish();
  await assertFinalState(t, run);
  const rebuilt = await run.scorer.waitForLog("Redis lost the scorer's state (the store epoch changed): replaying the assigned input partitions from the beginning to rebuild it; alerts already sent may be sent again");
  assert.equal(rebuilt["level"], 40);
  await run.scorer.waitForLog("the model registry lost its models too: republished the model in use");
  await run.scorer.waitForLog("rewound the assigned partitions to rebuild the store");
});

test("redis-restarted-empty-while-no-scorer-ran: the next scorer finds the group's offsets ahead of an empty store and replays", { skip, timeout: 300_000 }, async (t) => {
  const run = await startRun(t, "redisempty2");
  const n = run.stream.events.length;
  await run.produce(0, Math.floor(n * 0.5));
  await run.scorer.whileRunning(run.h.waitCaughtUp(120_000));
  await run.scorer.kill("SIGTERM");
  await privateStack().wipe("redis");
  await privateStack().up("redis");
  // the registry went with the data: an operator publishes the model again before starting a scorer
  await run.h.publishModel((await trainedWorld()).bundle);
  const next = await run.replaceScorer("SIGTERM");
  await next.waitForLog(
    "the feature store is empty but the consumer group has committed offsets: Redis lost its data while no scorer ran; replaying the input topics from the beginning to rebuild it (alerts already sent may be sent again)",
  );
  await run.produce(Math.floor(n * 0.5), n);
  await run.finish();
  await assertFinalState(t, run);
  // it replayed everything: the first half twice over the two processes
  assert.ok(((await next.metric(EVENTS_IN)) ?? 0) >= n, "the new scorer consumed the whole stream");
});

test("kafka-broker-stopped-and-restarted: the scorer reconnects and resumes at its committed offsets", { skip, timeout: 300_000 }, async (t) => {
  const run = await startRun(t, "kafka");
  const n = run.stream.events.length;
  await run.produce(0, Math.floor(n * 0.5));
  await run.consumed(Math.floor(n * 0.3));
  const mark = run.scorer.logs.length;
  await privateStack().down("kafka");
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  await privateStack().up("kafka");
  await run.produce(Math.floor(n * 0.5), n);
  await run.finish();
  await assertFinalState(t, run);
  assert.ok(mentions(warnings(run.scorer, mark), /ECONNREFUSED|Connection (error|closed)|disconnected|not available|retrying/i), `no log says the broker went away:\n${run.scorer.tail(20)}`);
});

test("connections-dropped-at-random: through a TCP proxy to Kafka and to Redis, nothing is lost", { skip, timeout: 300_000 }, async (t) => {
  const kafka = kafkaProxy;
  const redis = redisProxy;
  assert.ok(kafka !== undefined && redis !== undefined);
  const rand = random(seed + 1);
  const run = await startRun(t, "proxy", (config) => ({
    ...config,
    kafka: { ...config.kafka, brokers: [`127.0.0.1:${kafka.port}`] },
    redis: { ...config.redis, url: `redis://127.0.0.1:${redis.port}` },
  }));
  const n = run.stream.events.length;
  const plan = { minMs: 100, maxMs: 2_000, random: rand };
  kafka.dropRandomly(plan);
  redis.dropRandomly(plan);
  t.after(() => {
    kafka.dropRandomly(null);
    redis.dropRandomly(null);
  });
  const mark = run.scorer.logs.length;
  await run.produce(0, n);
  await run.consumed(Math.floor(n * 0.9));
  // a fast run may be through before many connections reached their lifetime: cut on until enough were
  const cutting = Date.now();
  while ((kafka.dropped < 5 || redis.dropped < 5) && Date.now() - cutting < 30_000) await new Promise((resolve) => setTimeout(resolve, 100));
  kafka.dropRandomly(null);
  redis.dropRandomly(null);
  await run.finish();
  await assertFinalState(t, run);
  t.diagnostic(`connections cut: Kafka ${kafka.dropped} of ${kafka.accepted}, Redis ${redis.dropped} of ${redis.accepted}`);
  assert.ok(kafka.dropped >= 5 && redis.dropped >= 5, `too few connections were cut to prove anything: Kafka ${kafka.dropped}, Redis ${redis.dropped}`);
  assert.ok(mentions(warnings(run.scorer, mark), /ECONNRESET|Connection (error|closed)|failed; retrying|connection error/i), `no log says a connection was lost:\n${run.scorer.tail(20)}`);
});

test("lost-produce-response: a producer the broker refuses after a lost response is replaced, and nothing is lost", { skip, timeout: 120_000 }, async (t) => {
  const proxy = kafkaProxy;
  assert.ok(proxy !== undefined);
  const config = await testConfig(t, { kafka: { brokers: privateStack().kafkaBrokers, clientId: uniqueName("lost") } });
  const topic = config.topics.scores;
  const admin = createKafka(config, createLogger("silent")).admin();
  await admin.connect();
  t.after(() => admin.disconnect());
  await ensureTopics(admin, [topic], 1);
  // through the proxy, with one retry: when both responses of a send are lost, kafkajs gives up on a
  // batch the broker appended (twice over: the retry was a duplicate to it) and the next send is another
  const viaProxy = createKafka({ ...config, kafka: { ...config.kafka, brokers: [`127.0.0.1:${proxy.port}`] } }, createLogger("silent"));
  const retry = { retries: 1, initialRetryTime: 50 };
  const batch = (n: number, tag: string) => ({ topicMessages: [{ topic, messages: Array.from({ length: n }, (_, i) => ({ key: `${tag}-${i}`, value: tag })) }], acks: -1 });
  const loseResponses = async (send: () => Promise<unknown>): Promise<void> => {
    const lost = proxy.loseKafkaResponses(0, 2); // 0: Produce; the first try and the retry
    await assert.rejects(send(), "the send whose responses were lost fails");
    await lost;
  };

  // kafkajs alone is stuck: it reuses the sequence number of the batch the broker appended
  const plain = createProducer(viaProxy, { idempotent: true, maxInFlightRequests: 1, retry });
  await plain.connect();
  t.after(() => plain.disconnect());
  await plain.sendBatch(batch(1, "plain-first"));
  await loseResponses(() => plain.sendBatch(batch(2, "plain-lost")));
  for (let i = 0; i < 2; i++) await assert.rejects(plain.sendBatch(batch(3, "plain-next")), /out of order sequence/);

  // ours replaces itself and sends the batch
  const logs: string[] = [];
  const logger = createLogger("warn", { write: (line: string) => logs.push(line) });
  const ours = new IdempotentProducer(viaProxy, logger, { retry });
  await ours.connect();
  t.after(() => ours.disconnect());
  await ours.sendBatch(batch(1, "ours-first"));
  await loseResponses(() => ours.sendBatch(batch(2, "ours-lost")));
  await ours.sendBatch(batch(3, "ours-next"));
  await ours.sendBatch(batch(4, "ours-after"));
  assert.equal(ours.replacements, 1);
  assert.ok(logs.some((l) => l.includes("replacing the producer")), logs.join(""));

  // the broker holds every batch ours sent, the lost one included (the broker had appended it)
  const [end] = (await admin.fetchTopicOffsets(topic)).map((p) => Number(p.high));
  assert.equal(end, 1 + 2 + 1 + 2 + 3 + 4, "plain's first and lost batches, then ours' four");
});
