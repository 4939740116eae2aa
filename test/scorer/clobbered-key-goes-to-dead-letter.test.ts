// Proves that a Redis error reply about one video's key (here another client overwrote the video's
// hash with a string: WRONGTYPE) dead-letters that video's events instead of retrying its whole
// batch forever, and that the other videos of the stream, on the same partition, are still scored.
import assert from "node:assert/strict";
import { test } from "node:test";
import { javaCompatiblePartitioner } from "../../src/ingest/partitioner.js";
import { partitionsOf } from "../support/partitions.js";
import { DLQ_HEADERS } from "../../src/ingest/dead-letter.js";
import { createRedis } from "../../src/store/redis.js";
import { VideoStore } from "../../src/store/video-store.js";
import { ScoringHarness, snapshotOf, trainedWorld, uploadOf } from "../support/scoring.js";
import { uniqueName } from "../support/services.js";

test("clobbered-key-goes-to-dead-letter", async (t) => {
  const { world, bundle } = await trainedWorld();
  const h = await ScoringHarness.create(t);
  await h.publishModel(bundle);
  const clobbered = uniqueName("v");
  // the good video shares the clobbered one's partition: a stalled partition would never score it
  const partitions = partitionsOf(h.config.topics.partitions);
  const partitioner = javaCompatiblePartitioner();
  const partitionOf = (key: string): number => partitioner({ topic: h.config.topics.uploads, partitionMetadata: partitions, message: { key, value: null } });
  let good = uniqueName("v");
  while (partitionOf(good) !== partitionOf(clobbered)) good = uniqueName("v");
  const redis = createRedis(h.config);
  t.after(() => redis.disconnect());
  await redis.set(new VideoStore(redis, h.config.redis.keyPrefix).keyOf(clobbered), "not a hash");
  await h.startScorer();

  const upload = uploadOf(world, 21, clobbered);
  await h.produce([
    { topic: "uploads", key: clobbered, value: upload },
    { topic: "engagement", key: clobbered, value: snapshotOf(upload, "H1", 40, "c1") },
    { topic: "uploads", key: good, value: uploadOf(world, 22, good) },
  ]);

  await h.waitFor("the clobbered video's two dead letters and the good video's score", () => h.deadLetters.length >= 2 && h.scoresOf(good).length > 0);
  assert.equal(h.scoresOf(clobbered).length, 0, "nothing is scored from a key the store cannot read");
  for (const letter of h.deadLetters) {
    assert.equal(letter.key, clobbered);
    assert.equal(letter.headers[DLQ_HEADERS.code], "VIR_STORE_REJECTED");
    assert.match(letter.headers[DLQ_HEADERS.message] ?? "", /WRONGTYPE/);
    assert.match(letter.headers[DLQ_HEADERS.message] ?? "", new RegExp(`\\{${clobbered}\\}`), "the message names the key");
  }
  assert.deepEqual(h.deadLetters.map((d) => d.headers[DLQ_HEADERS.topic]).sort(), [h.config.topics.engagement, h.config.topics.uploads].sort());
  assert.equal(await redis.get(new VideoStore(redis, h.config.redis.keyPrefix).keyOf(clobbered)), "not a hash", "the foreign value is left alone");
});
