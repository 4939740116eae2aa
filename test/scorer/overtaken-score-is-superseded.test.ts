// Proves the race between concurrent batches cannot leave a stale last score. Played step by step with
// the scorer's own store and publisher against the real Redis and Kafka: a batch reads a video with only
// its upload, another batch writes the 6h snapshot and publishes the 6h score, then the first batch
// publishes its (older) upload-stage score, which becomes the video's last record. rescoreIfOvertaken,
// which the scorer runs after every publish, sees the inputs moved on and publishes the 6h score again.
import assert from "node:assert/strict";
import { test } from "node:test";
import { writesOf } from "../../src/ingest/events.js";
import { createKafka, createProducer } from "../../src/ingest/kafka.js";
import { createLogger } from "../../src/logger.js";
import { Predictor } from "../../src/model/predictor.js";
import { rescoreIfOvertaken } from "../../src/publish/overtaken.js";
import { ScorePublisher } from "../../src/publish/score-publisher.js";
import { createRedis } from "../../src/store/redis.js";
import { VideoStore } from "../../src/store/video-store.js";
import { ScoringHarness, snapshotOf, trainedWorld, uploadOf, type PublishedScore } from "../support/scoring.js";
import { uniqueName } from "../support/services.js";

test("overtaken-score-is-superseded", async (t) => {
  const { world, bundle } = await trainedWorld();
  const h = await ScoringHarness.create(t);
  const predictor = new Predictor(bundle);
  const redis = createRedis(h.config);
  t.after(() => redis.disconnect());
  const producer = createProducer(createKafka(h.config, createLogger("silent")), { idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  t.after(() => producer.disconnect());
  const store = new VideoStore(redis, h.config.redis.keyPrefix);
  const publisher = new ScorePublisher(h.config, h.serde, producer, store, null);
  const dim = bundle.spec.embeddingDim;

  const id = uniqueName("v");
  const upload = uploadOf(world, 4, id);
  await store.write(writesOf({ kind: "upload", event: upload }, dim).map((write) => ({ videoId: id, write })));
  // batch A reads the video as it is now: upload only
  const seenByA = await store.read([id]);
  // batch B writes the 6h snapshot, reads and publishes first
  const h6 = snapshotOf(upload, "H6", 4_000, `${id}-6h`);
  await store.write(writesOf({ kind: "engagement", event: h6 }, dim).map((write) => ({ videoId: id, write })));
  const fromB = await publisher.publish((await store.read([id])).values(), predictor);
  assert.deepEqual(fromB.scores.map((s) => s.stage), ["H6"]);
  // batch A publishes its score of the older state after B's
  const fromA = await publisher.publish(seenByA.values(), predictor);
  assert.deepEqual(fromA.scores.map((s) => s.stage), ["UPLOAD"]);

  const last = (): PublishedScore | undefined => h.scores.filter((s) => s.score.video_id === id).sort((x, y) => Number(BigInt(x.offset) - BigInt(y.offset))).at(-1);
  await h.waitFor("both scores", () => h.scoresOf(id).length === 2);
  // the bug: without a re-check the stale upload-stage score is the video's last record
  assert.equal(last()?.score.stage, "UPLOAD");
  assert.notEqual(fromA.inputsAfter.get(id), fromA.scoredInputs.get(id), "the publisher reports that A's inputs moved on");

  // the fix the scorer runs after every publish: B's newer state is scored again and is last
  assert.equal(await rescoreIfOvertaken(fromA, predictor, store, publisher), 1);
  await h.waitFor("the superseding score", () => h.scoresOf(id).length === 3);
  assert.equal(last()?.score.stage, "H6");
  assert.equal(last()?.score.predicted_target, fromB.scores[0]?.predicted_target);
  // nothing moved since: a second check publishes nothing
  assert.equal(await rescoreIfOvertaken(fromB, predictor, store, publisher), 0);
});
