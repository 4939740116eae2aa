// Proves a real scorer process SIGKILLed mid-stream three times and restarted resumes from its committed offsets by itself and ends with the bundle's score for every video's final inputs: no event lost.
import assert from "node:assert/strict";
import { test } from "node:test";
import { envOfConfig, loadConfig } from "../../src/config.js";
import type { VideoUploaded } from "../../src/contracts/generated/events.js";
import type { OutgoingEvent } from "../../src/ingest/event-producer.js";
import { groupBehind, topicEnds } from "../../src/ingest/group-progress.js";
import { createKafka } from "../../src/ingest/kafka.js";
import { createLogger } from "../../src/logger.js";
import { Predictor } from "../../src/model/predictor.js";
import { createRedis } from "../../src/store/redis.js";
import { VideoStore } from "../../src/store/video-store.js";
import { startScorerProcess, type ScorerProcess } from "../support/scorer-process.js";
import { finalTarget, ScoringHarness, snapshotOf, trainedWorld, uploadOf } from "../support/scoring.js";
import { uniqueName } from "../support/services.js";
import { random } from "../support/random.js";

const VIDEOS = 320;
const KILLS = 3;
// two batches per killed process (one before it starts, one while it runs), two for the last one
const BATCHES = 2 * KILLS + 2;
const EVENTS_IN = "virality_events_in_total";


/** Polls `check` until it holds or the process exits (whileRunning then reports the exit); gives up after `timeoutMs` with what the process logged. */
async function until(scorer: ScorerProcess, what: string, check: () => Promise<boolean>, timeoutMs = 45_000): Promise<void> {
  const start = Date.now();
  while (scorer.running && !(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error(`gave up after ${timeoutMs} ms waiting for ${what}; scorer ${scorer.child.pid ?? "?"} logged:\n${scorer.tail(40)}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

test("restart-loses-nothing", { timeout: 120_000 }, async (t) => {
  const seed = Number(process.env["VIRALITY_TEST_SEED"] ?? Math.floor(Math.random() * 1e9));
  t.diagnostic(`seed ${seed}`);
  const rand = random(seed);
  const { world, bundle } = await trainedWorld();
  // registered before the harness's clean-up (hooks run in order): no scorer outlives the test's topics
  const processes: ScorerProcess[] = [];
  t.after(() => Promise.all(processes.map((p) => p.kill())));
  // a short group session: a restarted process joins a few seconds after the kill instead of 30 s
  const h = await ScoringHarness.create(t, { scorer: { groupId: uniqueName("scorer"), modelPollMs: 500, sessionTimeoutMs: 6_000 } });
  await h.publishModel(bundle);
  const startScorer = async (): Promise<ScorerProcess> => {
    const scorer = await startScorerProcess(h.config);
    processes.push(scorer);
    return scorer;
  };
  // the child gets exactly the harness's config (but for its port and log level) through VIRALITY_* variables
  assert.deepEqual(loadConfig({ env: envOfConfig(h.config) }), h.config);

  const admin = createKafka(h.config, createLogger("silent")).admin();
  await admin.connect();
  t.after(() => admin.disconnect());
  const inputs = [h.config.topics.uploads, h.config.topics.embeddings, h.config.topics.engagement];
  const inputEnds = (): Promise<Map<string, bigint>> => topicEnds(admin, inputs);
  /** Input messages up to `ends` that the group has not committed yet. */
  const behind = async (ends: ReadonlyMap<string, bigint>): Promise<number> => Number(await groupBehind(admin, h.config.scorer.groupId, ends));

  // every video: upload, 1h, 6h, and exact re-sends (at-least-once upstream) of some of them
  const predictor = new Predictor(bundle);
  const run = uniqueName("r");
  const expected = new Map<string, number>();
  const uploads: OutgoingEvent[] = [];
  const oneHour: OutgoingEvent[] = [];
  const sixHours: OutgoingEvent[] = [];
  const resent: OutgoingEvent[] = [];
  for (let i = 0; i < VIDEOS; i++) {
    const id = `${run}-v${i}`;
    const upload: VideoUploaded = uploadOf(world, i, id);
    const h1 = snapshotOf(upload, "H1", 100 + ((i * 37) % 900), `${id}-1h`);
    const h6 = snapshotOf(upload, "H6", 1_000 + ((i * 91) % 9_000), `${id}-6h`);
    uploads.push({ topic: "uploads", key: id, value: upload });
    oneHour.push({ topic: "engagement", key: id, value: h1 });
    sixHours.push({ topic: "engagement", key: id, value: h6 });
    resent.push({ topic: "uploads", key: id, value: upload }, { topic: "engagement", key: id, value: h6 });
    if (i % 3 === 0) resent.push({ topic: "engagement", key: id, value: h1 });
    expected.set(id, finalTarget(predictor, upload, h1, h6));
  }
  // the stages overlap, so most batches mix uploads, snapshots and re-sends
  const halves = (list: OutgoingEvent[]): [OutgoingEvent[], OutgoingEvent[]] => [list.slice(0, list.length >> 1), list.slice(list.length >> 1)];
  const [uploadsA, uploadsB] = halves(uploads);
  const [oneHourA, oneHourB] = halves(oneHour);
  const [sixHoursA, sixHoursB] = halves(sixHours);
  const [resentA, resentB] = halves(resent);
  const stream = [...uploadsA, ...uploadsB, ...oneHourA, ...resentA, ...oneHourB, ...sixHoursA, ...resentB, ...sixHoursB];
  const size = Math.ceil(stream.length / BATCHES);
  const batches = Array.from({ length: BATCHES }, (_, b) => stream.slice(b * size, (b + 1) * size));

  // Each process starts with a backlog (a batch produced while no scorer ran, plus what its predecessor
  // left uncommitted) and gets the next batch while it runs. It is killed at a random point of that
  // backlog (counted on its own /metrics) once it has committed a part of it: it dies having made
  // progress, mostly with work in flight.
  const kills: Array<{ backlog: number; killedAfter: number; backlogLeft: number }> = [];
  for (let k = 0; k < KILLS; k++) {
    await h.produce(batches[2 * k] ?? []);
    const ends = await inputEnds();
    const backlog = await behind(ends);
    const scorer = await startScorer();
    const producing = h.produce(batches[2 * k + 1] ?? []);
    const killAfter = Math.max(1, Math.floor(backlog * (0.15 + 0.55 * rand())));
    const progressed = async (): Promise<boolean> => ((await scorer.metric(EVENTS_IN)) ?? 0) >= killAfter && (await behind(ends)) < backlog;
    await scorer.whileRunning(until(scorer, `scorer ${k + 1} to consume ${killAfter} of ${backlog} events and commit some`, progressed));
    await scorer.kill("SIGKILL");
    await producing;
    kills.push({ backlog, killedAfter: killAfter, backlogLeft: await behind(ends) });
  }
  t.diagnostic(`kills: ${JSON.stringify(kills)}`);

  // the last process resumes by itself while the rest of the stream arrives, and commits all of it
  const uncommitted = await behind(await inputEnds());
  const last = await startScorer();
  const later = batches.slice(2 * KILLS);
  for (const batch of later) await h.produce(batch);
  await last.whileRunning(h.waitCaughtUp(45_000));
  // it consumed exactly what was left: it resumed at the committed offsets, neither from the beginning nor past them
  const laterEvents = later.reduce((n, batch) => n + batch.length, 0);
  assert.ok(uncommitted < stream.length - laterEvents, "the killed processes committed progress");
  assert.equal(await last.metric(EVENTS_IN), uncommitted + laterEvents);
  // it held the embeddings of the videos it scored (Redis then leaves them out of its replies)
  assert.ok(((await last.metric("virality_held_embeddings_bytes")) ?? 0) > 0, "held embeddings are on /metrics");
  await h.waitFor("every video's 6h score", () => [...expected.keys()].every((id) => h.scoresOf(id).some((s) => s.stage === "H6")), 20_000);

  // the last 6h score of every video is the bundle's score for its final inputs (earlier duplicates are fine)
  for (const [id, target] of expected) {
    const final = h.scoresOf(id).filter((s) => s.stage === "H6").at(-1);
    assert.equal(final?.predicted_target, target, id);
  }
  // no input lost: the store holds every video's upload and both snapshots
  const redis = createRedis(h.config);
  try {
    const stored = await new VideoStore(redis, h.config.redis.keyPrefix).read([...expected.keys()]);
    for (const id of expected.keys()) {
      const records = stored.get(id)?.records;
      assert.ok(records !== undefined && records.upload !== null, `${id}: no upload stored`);
      assert.deepEqual(records.engagement.map((e) => e.window), ["1h", "6h"], `${id}: snapshots stored`);
    }
  } finally {
    redis.disconnect();
  }

  // the kills were real and mid-stream: each process died by SIGKILL, at least one before committing its backlog
  for (const p of processes.slice(0, KILLS)) assert.equal((await p.exited).signal, "SIGKILL");
  assert.ok(kills.some((k) => k.backlogLeft > 0), `every process had committed its backlog when killed: ${JSON.stringify(kills)}`);
  // every restarted process joined the group and started by itself (waitForLog rejects if it never logged that); the last one still runs
  for (const p of processes.slice(1)) {
    await p.waitForLog("joined the consumer group");
    await p.waitForLog("scorer started");
  }
  assert.ok(last.running, "the last scorer is still running");
  // a kill costs redelivery, not errors: no process logged one
  const errors = processes.flatMap((p) => p.logs.filter((l) => typeof l["level"] === "number" && l["level"] >= 50));
  assert.deepEqual(errors, [], "scorer processes logged errors");
});
